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
