import Testing
@testable import BPFIR

/// RangeChecks: two tests of one register against the ends of a range become one test of
/// its distance from the lower end, computing what the two tests computed.
extension OptimizerPassTests {
    /// `if (x cc1 k1) goto out1; if (x cc2 k2) goto out2; return 1; out: return 0` with the
    /// way out on the `then` or `else` side of each test as `outOnThen` says.
    func rangeTest(_ cc1: CondCode, _ k1: Int64, _ cc2: CondCode, _ k2: Int64, _ w: Width,
                   outOnThen: (Bool, Bool)) -> Function {
        let x = VReg(0), out = BlockID(3), inside = BlockID(2), next = BlockID(1)
        return fn([
            Block(id: BlockID(0), terminator: .branch(cc1, lhs: x, rhs: .imm(k1), width: w,
                                                      then: outOnThen.0 ? out : next, else: outOnThen.0 ? next : out)),
            Block(id: next, terminator: .branch(cc2, lhs: x, rhs: .imm(k2), width: w,
                                                then: outOnThen.1 ? out : inside, else: outOnThen.1 ? inside : out)),
            Block(id: inside, terminator: .ret(.imm(1))),
            Block(id: out, terminator: .ret(.imm(0))),
        ], params: 1)
    }

    @Test func rangeTestsBecomeOneTestOfTheDistance() throws {
        let cases: [(CondCode, Int64, CondCode, Int64, Width, (Bool, Bool))] = [
            (.ult, 65, .ugt, 90, .w32, (true, true)),      // c < 'A' || c > 'Z'
            (.uge, 48, .ule, 57, .w64, (false, false)),    // c >= '0' && c <= '9'
            (.ugt, 90, .ult, 65, .w32, (true, true)),      // the high end tested first
            (.slt, -5, .sgt, 100, .w64, (true, true)),     // signed, a negative low end
            (.sle, -1, .sge, 10, .w32, (true, true)),      // non-strict forms: [0, 9]
            (.slt, 65, .ugt, 90, .w32, (true, true)),      // signed low end, unsigned high end
        ]
        for (cc1, k1, cc2, k2, w, sides) in cases {
            let f = rangeTest(cc1, k1, cc2, k2, w, outOnThen: sides)
            let g = RangeChecks.run(f)
            #expect(g.blocks.count == 3, "\(cc1) \(cc2)\(show(g))")
            for x: Int64 in [0, 9, 10, 47, 48, 57, 58, 64, 65, 77, 90, 91, 100, 101, -1, -5, -6, 0x7fff_ffff,
                             0x8000_0000, 0xffff_ffff, 0x1_0000_0041, Int64.min, Int64.max] {
                #expect(try IRInterpreter.run(g, args: [x]) == IRInterpreter.run(f, args: [x]), "\(cc1) \(cc2) \(x)\(show(g))")
            }
        }
    }

    @Test func rangeTestsThatAreNotOneRangeStay() throws {
        // Unsigned low end, signed high end: the negative values are inside as well.
        let mixed = rangeTest(.ult, 65, .sgt, 90, .w32, outOnThen: (true, true))
        #expect(RangeChecks.run(mixed) == mixed)
        // Two low ends; an empty range; different widths of one register.
        let twoLow = rangeTest(.ult, 65, .ult, 90, .w32, outOnThen: (true, true))
        #expect(RangeChecks.run(twoLow) == twoLow)
        let empty = rangeTest(.ult, 90, .ugt, 65, .w32, outOnThen: (true, true))
        #expect(RangeChecks.run(empty) == empty)
        // The register read again inside: its two tests give the verifier its bounds.
        var readAgain = rangeTest(.ult, 65, .ugt, 90, .w32, outOnThen: (true, true))
        readAgain.blocks[2].terminator = .ret(.reg(VReg(0)))
        #expect(RangeChecks.run(readAgain) == readAgain)
    }
}

/// LoopCounters with WrapChecks: counters a loop steps once per iteration are bounded by
/// its trip count, and a test those bounds decide becomes a jump.
extension OptimizerPassTests {
    /// `s = 0; i = 0; do { if (v < 2) break; v >>= 1; s++; i++; } while (i < 31);
    /// return s + 64 < 96 ? s : 1000` (the loop in its rotated form, `s` and `i` stepped in
    /// the latch, `i` tested there). With `step` 2, `s` is no unit counter: no bound.
    func countedLoop(step: Int64) -> Function {
        let v = VReg(0), s = VReg(1), i = VReg(2), t = VReg(3)
        return fn([
            Block(id: BlockID(0), instructions: [ins(.mov(dst: s, src: .imm(0), width: .w64)), ins(.mov(dst: i, src: .imm(0), width: .w64))],
                  terminator: .jump(BlockID(1))),
            Block(id: BlockID(1), terminator: .branch(.ult, lhs: v, rhs: .imm(2), width: .w64, then: BlockID(3), else: BlockID(2))),
            Block(id: BlockID(2), instructions: [ins(.binary(.lshr, dst: v, lhs: v, rhs: .imm(1), width: .w64)),
                                                 ins(.binary(.add, dst: s, lhs: s, rhs: .imm(step), width: .w32)),
                                                 ins(.binary(.add, dst: i, lhs: i, rhs: .imm(1), width: .w32))],
                  terminator: .branch(.slt, lhs: i, rhs: .imm(31), width: .w32, then: BlockID(1), else: BlockID(3))),
            Block(id: BlockID(3), instructions: [ins(.binary(.add, dst: t, lhs: s, rhs: .imm(64), width: .w32))],
                  terminator: .branch(.ult, lhs: t, rhs: .imm(96), width: .w32, then: BlockID(4), else: BlockID(5))),
            Block(id: BlockID(4), terminator: .ret(.reg(s))),
            Block(id: BlockID(5), terminator: .ret(.imm(1000))),
        ], params: 1)
    }

    @Test func testsThatLoopCountersDecideBecomeJumps() throws {
        let f = countedLoop(step: 1)
        #expect(LoopCounters.bounds(f)[VReg(1)] == 31 && LoopCounters.bounds(f)[VReg(2)] == 31)
        let g = WrapChecks.run(f)
        #expect(!g.blocks.contains { if case .branch(.ult, _, .imm(96), _, _, _) = $0.terminator { return true }; return false }, "\(show(g))")
        for v: Int64 in [0, 1, 5, 1 << 20, Int64.max, -1] { #expect(try IRInterpreter.run(g, args: [v]) == IRInterpreter.run(f, args: [v])) }
        // The tested counter stepped only on some iterations (not in the latch) bounds
        // nothing: `s` may count past 31.
        let v = VReg(0), i = VReg(2)
        var skipped = f
        skipped.blocks[2].instructions.removeLast()
        skipped.blocks[2].terminator = .branch(.ult, lhs: v, rhs: .imm(9), width: .w64, then: BlockID(6), else: BlockID(7))
        skipped.blocks.append(Block(id: BlockID(6), instructions: [ins(.binary(.add, dst: i, lhs: i, rhs: .imm(1), width: .w32))],
                                    terminator: .jump(BlockID(7))))
        skipped.blocks.append(Block(id: BlockID(7), terminator: .branch(.slt, lhs: i, rhs: .imm(31), width: .w32, then: BlockID(1), else: BlockID(3))))
        #expect(LoopCounters.bounds(skipped)[VReg(1)] == nil, "\(show(skipped))")
        // Stepped by two, `s` reaches 62: the test stays.
        let h = countedLoop(step: 2)
        #expect(LoopCounters.bounds(h)[VReg(1)] == nil)
        #expect(WrapChecks.run(h).blocks.contains { if case .branch(.ult, _, .imm(96), _, _, _) = $0.terminator { return true }; return false })
    }
}

/// RedundancyElimination: `a - (a & 0)` at 64 bits, a mask that keeps no bit, once
/// overflowed computing which low bits the subtraction keeps (a random C program found it).
extension OptimizerPassTests {
    @Test func subtractingAnEmptyMaskDoesNotTrap() throws {
        let a = VReg(0), x = VReg(1), d = VReg(2)
        let f = fn([Block(id: BlockID(0), instructions: [ins(.binary(.and, dst: x, lhs: a, rhs: .imm(0), width: .w64)),
                                                          ins(.binary(.sub, dst: d, lhs: a, rhs: .reg(x), width: .w64))],
                          terminator: .ret(.reg(d)))], params: 1)
        let g = RedundancyElimination.run(f)
        for v: Int64 in [0, 7, -1, Int64.min] { #expect(try IRInterpreter.run(g, args: [v]) == IRInterpreter.run(f, args: [v])) }
    }
}
