import Testing
import BPFIR
@testable import BPFCodegen

/// EqualBlockMerging: after allocation, blocks that are the same code in registers are one.
extension CodegenFeatureTests {
    /// Two ways out that compute `x + k` into r0 and return — different values to the
    /// IR — are one block when `k` is the same (the branch between them goes), two when
    /// it differs; either way the code computes what the IR does.
    @Test func blocksEqualInRegistersAreOne() throws {
        func program(_ k1: Int64, _ k2: Int64) -> Function {
            let x = VReg(0)
            return fn([
                Block(id: BlockID(0), terminator: .branch(.eq, lhs: x, rhs: .imm(7), width: .w64, then: BlockID(1), else: BlockID(2))),
                Block(id: BlockID(1), instructions: [Instruction(.binary(.add, dst: VReg(1), lhs: x, rhs: .imm(k1), width: .w64))],
                      terminator: .ret(.reg(VReg(1)))),
                Block(id: BlockID(2), instructions: [Instruction(.binary(.add, dst: VReg(2), lhs: x, rhs: .imm(k2), width: .w64))],
                      terminator: .ret(.reg(VReg(2)))),
            ], params: 1)
        }
        let same = program(5, 5)
        let ra = try RegisterAllocator.allocate(same)
        #expect(ra.assignment[VReg(1)] == ra.assignment[VReg(2)])
        #expect(EqualBlockMerging.run(ra.function, assignment: ra.assignment).blocks.count == 2)
        let merged = try Codegen.compile(same, options: CodegenOptions(cpu: 3)).instructions
        let apart = try Codegen.compile(program(5, 6), options: CodegenOptions(cpu: 3)).instructions
        #expect(merged.count == 3 && apart.count == 7, "\(merged.map(\.description)) \(apart.map(\.description))")
        for a: Int64 in [7, 1] {
            #expect(try Interpreter.run(merged, args: [a]) == a + 5)
            #expect(try Interpreter.run(apart, args: [a]) == a + (a == 7 ? 5 : 6))
        }
    }

    /// Two ways out that differ in their first instruction and end with the same three
    /// (`r0 += 3; r0 *= 5; r0 ^= 1; exit`): the end is kept once, in a block both reach,
    /// and each way computes what it did.
    @Test func blocksEndingTheSameWayShareTheEnd() throws {
        let x = VReg(0), y = VReg(1), z = VReg(2)
        func tail(_ from: Int64) -> [Instruction] {
            [Instruction(.binary(.add, dst: y, lhs: x, rhs: .imm(from), width: .w64)),
             Instruction(.binary(.add, dst: z, lhs: y, rhs: .imm(3), width: .w64)),
             Instruction(.binary(.mul, dst: z, lhs: z, rhs: .imm(5), width: .w64)),
             Instruction(.binary(.xor, dst: z, lhs: z, rhs: .imm(1), width: .w64))]
        }
        let f = fn([
            Block(id: BlockID(0), terminator: .branch(.eq, lhs: x, rhs: .imm(7), width: .w64, then: BlockID(1), else: BlockID(2))),
            Block(id: BlockID(1), instructions: tail(10), terminator: .ret(.reg(z))),
            Block(id: BlockID(2), instructions: tail(20), terminator: .ret(.reg(z))),
        ], params: 1)
        let ra = try RegisterAllocator.allocate(f)
        let merged = EqualBlockMerging.run(ra.function, assignment: ra.assignment)
        #expect(merged.blocks.count == 4 && merged.blocks.filter { $0.instructions.count == 3 }.count == 1,
                "\(IRPrinter.print(Module(functions: [merged])))")
        let code = try Codegen.compile(f, options: CodegenOptions(cpu: 3)).instructions
        #expect(code.count < 13, "\(code.map(\.description))")
        for a: Int64 in [7, 1] {
            #expect(try Interpreter.run(code, args: [a]) == ((a + (a == 7 ? 10 : 20) + 3) * 5) ^ 1)
        }
    }
}
