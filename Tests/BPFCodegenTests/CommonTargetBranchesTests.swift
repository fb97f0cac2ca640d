import Testing
@testable import BPFIR
@testable import BPFCodegen

/// CommonTargetBranches: two tests in a row that jump to one block when a number is not
/// zero become one test of the numbers' `or`; two bit tests of one value, one of both masks.
extension OptimizerPassTests {
    /// `if (x & 6) goto hit; if (flag) goto hit; return 9; hit: return 7`, where `flag` is
    /// 1 when `y > 10` else 0 (set in two blocks, as a C `bool` is). `second` replaces the
    /// flag test; `flagRead` makes the miss block return the flag instead of 9.
    func flagTests(second: Terminator? = nil, flagRead: Bool = false, flagFrom: Inst? = nil) -> Function {
        let x = VReg(0), y = VReg(1), masked = VReg(2), flag = VReg(3)
        let hit = BlockID(5), miss = BlockID(6)
        let set = Block(id: BlockID(0), instructions: [ins(.mov(dst: flag, src: .imm(0), width: .w64))],
                        terminator: .branch(.ugt, lhs: y, rhs: .imm(10), width: .w64, then: BlockID(1), else: BlockID(2)))
        let one = Block(id: BlockID(1), instructions: [ins(flagFrom ?? .mov(dst: flag, src: .imm(1), width: .w64))], terminator: .jump(BlockID(2)))
        let first = Block(id: BlockID(2), instructions: [ins(.binary(.and, dst: masked, lhs: x, rhs: .imm(6), width: .w32))],
                          terminator: .branch(.ne, lhs: masked, rhs: .imm(0), width: .w32, then: hit, else: BlockID(3)))
        let test = Block(id: BlockID(3), terminator: second ?? .branch(.ne, lhs: flag, rhs: .imm(0), width: .w64, then: hit, else: miss))
        let h = Block(id: hit, terminator: .ret(.imm(7)))
        let m = Block(id: miss, terminator: .ret(flagRead ? .reg(flag) : .imm(9)))
        return fn([set, one, first, test, h, m], params: 2)
    }

    func runsAlike(_ f: Function, _ g: Function) throws {
        for x: Int64 in [0, 1, 2, 4, 6, 8, -1, 0x1_0000_0000] {
            for y: Int64 in [0, 10, 11, -5] {
                #expect(try IRInterpreter.run(g, args: [x, y]) == IRInterpreter.run(f, args: [x, y]), "\(x) \(y)\(show(g))")
                let c = try Codegen.compile(g, options: CodegenOptions(cpu: 3))
                #expect(try Interpreter.run(c.instructions, args: [x, y]) == IRInterpreter.run(f, args: [x, y]), "\(x) \(y)")
            }
        }
    }

    @Test func flagTestedAfterABitTestJoinsIt() throws {
        // The flag's test at 64 bits or 32, or as `== 0` going to the miss block.
        let forms: [Terminator?] = [nil, .branch(.ne, lhs: VReg(3), rhs: .imm(0), width: .w32, then: BlockID(5), else: BlockID(6)),
                                    .branch(.eq, lhs: VReg(3), rhs: .imm(0), width: .w64, then: BlockID(6), else: BlockID(5))]
        for second in forms {
            let f = flagTests(second: second)
            let g = CommonTargetBranches.run(f)
            #expect(branchCount(g) == branchCount(f) - 1, "\(show(g))")
            #expect(!g.blocks.contains { $0.id == BlockID(3) })
            guard case .branch(.ne, let either, .imm(0), _, BlockID(5), BlockID(6))? = g.blocks.first(where: { $0.id == BlockID(2) })?.terminator,
                  case .binary(.or, either, _, _, _)? = g.blocks.first(where: { $0.id == BlockID(2) })?.instructions.last?.inst
            else { Issue.record("no test of an or\(show(g))"); continue }
            try runsAlike(f, g)
        }
    }

    /// Left alone: the flag read after the tests (its own test told the verifier it is 0
    /// on the way to the miss block), a flag that may be a pointer (a parameter: no bound),
    /// a flag loaded from the stack (tied to its slot), tests going to different blocks.
    @Test func testsThatMustStayApartStay() throws {
        let slot = StackSlot(size: 8, alignment: 8, name: "s")
        var fromStack = flagTests(flagFrom: .load(dst: VReg(3), base: .slot(0), offset: 0, width: .w64, signed: false))
        fromStack.slots = [slot]
        let forms = [flagTests(flagRead: true),
                     flagTests(second: .branch(.ne, lhs: VReg(1), rhs: .imm(0), width: .w64, then: BlockID(5), else: BlockID(6))),
                     fromStack,
                     flagTests(second: .branch(.ne, lhs: VReg(3), rhs: .imm(0), width: .w64, then: BlockID(6), else: BlockID(5)))]
        for f in forms { #expect(branchCount(CommonTargetBranches.run(f)) == branchCount(f), "\(show(f))") }
    }

    @Test func twoBitTestsOfOneValueTestBothMasks() throws {
        let x = VReg(0), t1 = VReg(2), t2 = VReg(3)
        let b0 = Block(id: BlockID(0), instructions: [ins(.binary(.and, dst: t1, lhs: x, rhs: .imm(8), width: .w32))],
                       terminator: .branch(.ne, lhs: t1, rhs: .imm(0), width: .w32, then: BlockID(3), else: BlockID(1)))
        let b1 = Block(id: BlockID(1), instructions: [ins(.binary(.and, dst: t2, lhs: x, rhs: .imm(128), width: .w32))],
                       terminator: .branch(.eq, lhs: t2, rhs: .imm(0), width: .w32, then: BlockID(2), else: BlockID(3)))
        let f = fn([b0, b1, Block(id: BlockID(2), terminator: .ret(.imm(1))), Block(id: BlockID(3), terminator: .ret(.imm(2)))], params: 2)
        let g = CommonTargetBranches.run(f)
        #expect(g.blocks.count == 3 && g.blocks[0].instructions.map(\.inst) == [.binary(.and, dst: t1, lhs: x, rhs: .imm(136), width: .w32)], "\(show(g))")
        try runsAlike(f, g)
    }
}
