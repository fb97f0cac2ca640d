import Testing
import BPFIR
@testable import BPFCodegen

/// QuotientCompares: a test of a quotient or right shift by constants tests the dividend,
/// unless the quotient flows where the verifier needs its bounds.
extension OptimizerPassTests {
    /// `p / divisor`, then `>> shift` when given, tested with `cc k` at `width`: 7 when it
    /// holds, else 9; with `indexing`, the quotient also indexes a stack array.
    func quotientTest(divisor: Int64, shift: Int64? = nil, _ cc: CondCode, _ k: Int64, width: Width = .w64,
                      indexing: Bool = false) -> Function {
        var insts = [ins(.binary(.udiv, dst: VReg(1), lhs: VReg(0), rhs: .imm(divisor), width: .w64))]
        var tested = VReg(1)
        if let s = shift {
            insts.append(ins(.binary(.lshr, dst: VReg(2), lhs: VReg(1), rhs: .imm(s), width: .w64)))
            insts.append(ins(.mov(dst: VReg(3), src: .reg(VReg(2)), width: .w32)))
            tested = VReg(3)
        }
        let holds: [Instruction] = indexing
            ? [ins(.slotAddr(dst: VReg(4), slot: 0, offset: 0)), ins(.binary(.add, dst: VReg(5), lhs: VReg(4), rhs: .reg(tested), width: .w64)),
               ins(.load(dst: VReg(6), base: .reg(VReg(5)), offset: 0, width: .w8, signed: false))]
            : []
        return fn([
            Block(id: BlockID(0), instructions: insts,
                  terminator: .branch(cc, lhs: tested, rhs: .imm(k), width: width, then: BlockID(1), else: BlockID(2))),
            Block(id: BlockID(1), instructions: holds, terminator: .ret(indexing ? .reg(VReg(6)) : .imm(7))),
            Block(id: BlockID(2), terminator: .ret(.imm(9))),
        ], slots: indexing ? [StackSlot(size: 64, alignment: 8, name: "a")] : [])
    }

    func testedRegister(_ f: Function) -> (VReg, Operand, Width)? {
        guard case .branch(_, let l, let r, let w, _, _) = f.blocks[0].terminator else { return nil }
        return (l, r, w)
    }

    @Test func aTestOfAQuotientTestsTheDividend() throws {
        // `(p / 1000) >> 32 > 0xffff` (32-bit test of the high half): `p > 0x3e7ffffffffffff`.
        let high = quotientTest(divisor: 1000, shift: 32, .ugt, 0xffff, width: .w32)
        let g = QuotientCompares.run(high)
        #expect(testedRegister(g).map { $0.0 == VReg(0) && $0.1 == .imm(0x3e7_ffff_ffff_ffff) && $0.2 == .w64 } == true, "\(show(g))")
        // `p / 1000 != 0`, `>= 5`, `< 5`, `<= 5`, `== 0`: `p` against the ends of the ranges.
        let cases: [(CondCode, Int64)] = [(.ne, 0), (.uge, 5), (.ult, 5), (.ule, 5), (.eq, 0), (.ugt, 0)]
        for (cc, k) in cases {
            let f = quotientTest(divisor: 1000, cc, k), g = QuotientCompares.run(f)
            #expect(testedRegister(g)?.0 == VReg(0), "\(cc) \(k)\(show(g))")
            for p in [Int64(0), 1, 999, 1000, 1001, 4999, 5000, 5999, 6000, 6001, -1, Int64.max] {
                #expect(try IRInterpreter.run(g, args: [p]) == IRInterpreter.run(f, args: [p]), "\(cc) \(k) p=\(p)")
            }
        }
        for p in [Int64(0), 0x3e7_ffff_ffff_ffff, 0x3e8_0000_0000_0000, 0x3e7_ffff_ffff_fffe, -1, 1 << 62] {
            #expect(try IRInterpreter.run(g, args: [p]) == IRInterpreter.run(high, args: [p]), "p=\(p)")
        }
    }

    @Test func aQuotientThatMustKeepItsBoundsKeepsItsTest() {
        // Indexing a stack array: the verifier needs `p / 8 < 16` on the index itself.
        let indexing = quotientTest(divisor: 8, .ult, 16, indexing: true)
        #expect(QuotientCompares.run(indexing) == indexing)
        // The high half tested against 0 stays a test of the shifted value.
        let zero = quotientTest(divisor: 1000, shift: 32, .ne, 0, width: .w32)
        #expect(testedRegister(QuotientCompares.run(zero))?.0 != VReg(0))
        // No dividend is above 2^64 - 1: `p / 3 > 2^63` has no dividend range to test.
        let beyond = quotientTest(divisor: 3, .ugt, Int64.max)
        #expect(QuotientCompares.run(beyond) == beyond)
    }
}
