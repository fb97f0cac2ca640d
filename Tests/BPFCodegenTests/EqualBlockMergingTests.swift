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
}
