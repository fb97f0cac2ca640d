import Testing
import BPFIR

/// CountdownBranches: inside `for (t = K; t > 0; t--)` the counter is in [1, K], so a
/// truth value compared with it (`(a >= b) <= t`, random seed 56097: every round split
/// the verifier's walk, over its limit; clang's build 2,080) and `t == 0` are decided.
extension OptimizerPassTests {
    /// `t = 10; [while (t > 0)] { x = a >= b; if (x <= t) s += 1; [test] s ^= 5; t -= 1 } [while (t > 0)]`
    /// with the counter tested at the top or at the bottom; `test` compares `t` with
    /// another register or constant; `entry` the constant `t` starts at; `stepByTwo` steps
    /// it by two (then `t` may pass 0 between tests: nothing is decided).
    private func countdown(atTheTop: Bool, test: (CondCode, Operand) = (.ule, .reg(VReg(20))), entry: Int64 = 10,
                           stepByTwo: Bool = false, twoRegisterStep: Bool = false) -> Function {
        let a = VReg(0), b = VReg(1), t = VReg(10), s = VReg(11), x = VReg(20), n = VReg(21)
        func id(_ k: Int) -> BlockID { BlockID(k) }
        let step: [Instruction] = twoRegisterStep
            ? [ins(.binary(.sub, dst: n, lhs: t, rhs: .imm(stepByTwo ? 2 : 1), width: .w64)), ins(.mov(dst: t, src: .reg(n), width: .w64))]
            : [ins(.binary(.sub, dst: t, lhs: t, rhs: .imm(stepByTwo ? 2 : 1), width: .w64))]
        let header = atTheTop ? 1 : 2
        var blocks = [
            Block(id: id(0), instructions: [ins(.mov(dst: t, src: .imm(entry), width: .w64)), ins(.mov(dst: s, src: .imm(0), width: .w64))],
                  terminator: .jump(id(header))),
            Block(id: id(2), instructions: [ins(.mov(dst: x, src: .imm(1), width: .w64))],
                  terminator: .branch(.uge, lhs: a, rhs: .reg(b), width: .w64, then: id(4), else: id(3))),
            Block(id: id(3), instructions: [ins(.mov(dst: x, src: .imm(0), width: .w64))], terminator: .jump(id(4))),
            Block(id: id(4), terminator: .branch(test.0, lhs: t, rhs: test.1, width: .w64, then: id(5), else: id(6))),
            Block(id: id(5), instructions: [ins(.binary(.add, dst: s, lhs: s, rhs: .imm(1), width: .w64))], terminator: .jump(id(6))),
            Block(id: id(6), instructions: [ins(.binary(.xor, dst: s, lhs: s, rhs: .imm(5), width: .w64))] + step,
                  terminator: atTheTop ? .jump(id(1)) : .branch(.ugt, lhs: t, rhs: .imm(0), width: .w64, then: id(2), else: id(7))),
            Block(id: id(7), terminator: .ret(.reg(s))),
        ]
        if atTheTop { blocks.insert(Block(id: id(1), terminator: .branch(.ugt, lhs: t, rhs: .imm(0), width: .w64, then: id(2), else: id(7))), at: 1) }
        return fn(blocks, params: 2)
    }

    /// Whether the test of block 4 is left: two branches read `t` (the loop's own test and it).
    private func keepsTheTest(_ f: Function) -> Bool {
        f.blocks.filter { b in
            if case .branch(_, let l, let r, _, _, _) = b.terminator { return l == VReg(10) || r == .reg(VReg(10)) }
            return false
        }.count == 2
    }

    @Test(arguments: [(false, false), (true, false), (true, true)])
    func testsTheCountersRangeDecideGo(atTheTop: Bool, twoRegisterStep: Bool) {
        // `t >= x` of a truth value; `t == 0` (never); `t > 20` (never); `t <= 10` (always).
        let decided: [(CondCode, Operand)] = [(.uge, .reg(VReg(20))), (.eq, .imm(0)), (.ugt, .imm(20)), (.ule, .imm(10)), (.sge, .imm(1))]
        for test in decided {
            let f = countdown(atTheTop: atTheTop, test: test, twoRegisterStep: twoRegisterStep)
            let o = CountdownBranches.run(f)
            #expect(keepsTheTest(f) && !keepsTheTest(o), "\(test): \(show(o))")
        }
    }

    @Test(arguments: [false, true])
    func testsTheRangeDoesNotDecideStay(atTheTop: Bool) {
        let cases: [(String, Function)] = [
            ("t > 5", countdown(atTheTop: atTheTop, test: (.ugt, .imm(5)))),
            ("t >= a", countdown(atTheTop: atTheTop, test: (.uge, .reg(VReg(0))))),
            ("starting at 0", countdown(atTheTop: atTheTop, test: (.eq, .imm(0)), entry: 0)),
            ("stepped by two", countdown(atTheTop: atTheTop, test: (.eq, .imm(0)), stepByTwo: true)),
        ]
        for (what, f) in cases {
            #expect(CountdownBranches.run(f) == f, "\(what)")
        }
    }
}
