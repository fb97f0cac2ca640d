import Testing
@testable import BPFIR
@testable import BPFCodegen

/// DiamondSinking: a value chosen by a diamond before a call, read only below one edge
/// of the test of the call's result, is chosen there.
extension OptimizerPassTests {
    /// `v = c ? a + 1 : a << 1; r = call(a, b); if (r != 0) return v * 3 + r; return a + 7`,
    /// or with `v` or 7 returned on the other path.
    private func chooseThenCall(vOnOtherPath: Bool = false, aAfter: Bool = true) -> Function {
        let a = VReg(0), b = VReg(1), c = VReg(2), v = VReg(10), t = VReg(11), r = VReg(12), w = VReg(13), x = VReg(14), y = VReg(15)
        return fn([
            Block(id: BlockID(0), terminator: .branch(.ne, lhs: c, rhs: .imm(0), width: .w64, then: BlockID(1), else: BlockID(2))),
            Block(id: BlockID(1), instructions: [ins(.binary(.add, dst: t, lhs: a, rhs: .imm(1), width: .w64)),
                                                 ins(.mov(dst: v, src: .reg(t), width: .w64))], terminator: .jump(BlockID(3))),
            Block(id: BlockID(2), instructions: [ins(.binary(.shl, dst: v, lhs: a, rhs: .imm(1), width: .w64))], terminator: .jump(BlockID(3))),
            Block(id: BlockID(3), instructions: [ins(.mov(dst: w, src: .reg(v), width: .w64)),
                                                 ins(.call(dst: r, callee: .helper(99), args: [.reg(a), .reg(b)]))],
                  terminator: .branch(.ne, lhs: r, rhs: .imm(0), width: .w64, then: BlockID(4), else: BlockID(5))),
            Block(id: BlockID(4), instructions: [ins(.binary(.mul, dst: x, lhs: w, rhs: .imm(3), width: .w64)),
                                                 ins(.binary(.add, dst: y, lhs: x, rhs: .reg(r), width: .w64))], terminator: .ret(.reg(y))),
            Block(id: BlockID(5), instructions: aAfter ? [ins(.binary(.add, dst: x, lhs: a, rhs: .imm(7), width: .w64))] : [],
                  terminator: .ret(vOnOtherPath ? .reg(v) : aAfter ? .reg(x) : .imm(7))),
        ], params: 3)
    }

    @Test func aValueChosenBeforeACallIsChosenWhereItIsRead() throws {
        let f = chooseThenCall()
        let g = DiamondSinking.run(f)
        // The entry no longer branches; the call's block's taken edge leads to the choice.
        #expect(g.blocks[0].terminator == .jump(BlockID(3)), "\(show(g))")
        let callBlock = g.blocks.first { $0.id == BlockID(3) }!
        #expect(!callBlock.instructions.contains { $0.inst.usedRegs.contains(VReg(10)) }, "the copy of v moved below the test")
        guard case .branch(_, _, _, _, let taken, let other) = callBlock.terminator,
              case .branch(_, let tested, _, _, _, _)? = g.blocks.first(where: { $0.id == taken })?.terminator else {
            Issue.record("no choice below the test\(show(g))"); return
        }
        #expect(tested == VReg(2) && other == BlockID(5))
        for args: [Int64] in [[0, 0, 0], [3, 4, 0], [3, 4, 1], [0, 5, 1], [-1, 2, 9]] {
            #expect(try IRInterpreter.run(g, args: args) == IRInterpreter.run(f, args: args), "\(args)")
        }
        // `v` read on the other path too: it stays.
        #expect(DiamondSinking.run(chooseThenCall(vOnOtherPath: true)) == chooseThenCall(vOnOtherPath: true))
        // A block between J and the use (the use's block with two predecessors): it stays.
        var joined = f
        joined.blocks[5].terminator = .jump(BlockID(4))
        #expect(DiamondSinking.run(joined) == joined)
    }

    /// With `a` needed after the call anyway, moving the choice makes only `c` cross the
    /// call, for the `v` that no longer does. With `a` read last by the call, `a` and `c`
    /// would both cross it for `v` alone: the choice stays.
    @Test func aChoiceMovesOnlyWhenNoMoreRegistersCrossTheCall() throws {
        #expect(DiamondSinking.run(chooseThenCall(aAfter: true)) != chooseThenCall(aAfter: true))
        #expect(DiamondSinking.run(chooseThenCall(aAfter: false)) == chooseThenCall(aAfter: false))
    }
}
