import Testing
import BPFIR
@testable import BPFCodegen

/// ReturnHoisting: after allocation, an early return's value goes into r0 above the
/// branch that leads to it, and the bare exits left are one.
extension CodegenFeatureTests {
    /// `if (x > 10) return 1; if (x == 5) return 0; return 2;`: both early returns put
    /// their constant in r0 above their branch, which goes to one shared exit; the last
    /// return puts its constant in r0 and falls into that exit. Six instructions where one
    /// `r0 = k; exit` per return took eight, computing what the IR does.
    @Test func earlyReturnConstantsGoAboveTheirBranches() throws {
        let x = VReg(0)
        let f = fn([
            Block(id: BlockID(0), terminator: .branch(.ugt, lhs: x, rhs: .imm(10), width: .w64, then: BlockID(1), else: BlockID(2))),
            Block(id: BlockID(1), terminator: .ret(.imm(1))),
            Block(id: BlockID(2), terminator: .branch(.eq, lhs: x, rhs: .imm(5), width: .w64, then: BlockID(3), else: BlockID(4))),
            Block(id: BlockID(3), terminator: .ret(.imm(0))),
            Block(id: BlockID(4), terminator: .ret(.imm(2))),
        ], params: 1)
        let ra = try RegisterAllocator.allocate(f)
        let (g, assignment) = ReturnHoisting.run(ra.function, assignment: ra.assignment)
        let printed = IRPrinter.print(Module(functions: [g]))
        #expect(g.blocks.map(\.id) == [BlockID(0), BlockID(2), BlockID(4), BlockID(5)], "\(printed)")
        guard g.blocks.count == 4, case .ret(.reg(let r0)?) = g.blocks[3].terminator else {
            Issue.record("no shared exit:\n\(printed)")
            return
        }
        #expect(assignment[r0] == 0)
        for (b, k) in [(0, Int64(1)), (1, 0), (2, 2)] {
            #expect(g.blocks[b].instructions.last?.inst == .mov(dst: r0, src: .imm(k), width: .w64), "\(printed)")
        }
        #expect(g.blocks[2].terminator == .jump(BlockID(5)))
        let code = try Codegen.compile(f, options: CodegenOptions(cpu: 3)).instructions
        #expect(code.count == 6, "\(code.map(\.description))")
        for a: Int64 in [11, 5, 3, 10] {
            #expect(try Interpreter.run(code, args: [a]) == (a > 10 ? 1 : a == 5 ? 0 : 2))
        }
    }

    /// `if (x & 1) return -1; if (x & 2) return -2; return 7;` from a function returning
    /// int: the early returns' constants (0xffffffff, 0xfffffffe: no signed 32-bit
    /// immediate) go above their branches as 32-bit moves, and the function has one exit
    /// (a subprogram with an exit per return had its caller walked once per return).
    @Test func earlyReturnsOfNegativeIntsGoAboveTheirBranches() throws {
        let x = VReg(0), b1 = VReg(1), b2 = VReg(2)
        let f = fn([
            Block(id: BlockID(0), instructions: [Instruction(.binary(.and, dst: b1, lhs: x, rhs: .imm(1), width: .w64))],
                  terminator: .branch(.ne, lhs: b1, rhs: .imm(0), width: .w64, then: BlockID(1), else: BlockID(2))),
            Block(id: BlockID(1), terminator: .ret(.imm(0xffff_ffff))),
            Block(id: BlockID(2), instructions: [Instruction(.binary(.and, dst: b2, lhs: x, rhs: .imm(2), width: .w64))],
                  terminator: .branch(.ne, lhs: b2, rhs: .imm(0), width: .w64, then: BlockID(3), else: BlockID(4))),
            Block(id: BlockID(3), terminator: .ret(.imm(0xffff_fffe))),
            Block(id: BlockID(4), terminator: .ret(.imm(7))),
        ], params: 1)
        let code = try Codegen.compile(f, options: CodegenOptions(cpu: 3)).instructions
        #expect(code.filter { $0.opcode == 0x95 }.count == 1, "\(code.map(\.description))")
        for a: Int64 in [0, 1, 2, 3, 4] {
            #expect(try Interpreter.run(code, args: [a]) == (a & 1 != 0 ? 0xffff_ffff : a & 2 != 0 ? 0xffff_fffe : 7))
        }
    }

    /// A branch that compares the value in r0 (a helper's result) keeps its return where
    /// it is: r0 written above the compare would change what it compares.
    @Test func returnsStayBelowACompareOfR0() throws {
        let r = VReg(1)
        let f = fn([
            Block(id: BlockID(0), instructions: [Instruction(.call(dst: r, callee: .helper(5), args: []))],
                  terminator: .branch(.ugt, lhs: r, rhs: .imm(10), width: .w64, then: BlockID(1), else: BlockID(2))),
            Block(id: BlockID(1), terminator: .ret(.imm(1))),
            Block(id: BlockID(2), terminator: .ret(.imm(2))),
        ])
        let ra = try RegisterAllocator.allocate(f)
        #expect(ra.assignment[r] == 0)
        let (g, _) = ReturnHoisting.run(ra.function, assignment: ra.assignment)
        #expect(g == ra.function, "\(IRPrinter.print(Module(functions: [g])))")
    }
}
