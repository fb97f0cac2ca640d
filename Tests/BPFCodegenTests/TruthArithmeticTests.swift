import Testing
import BPFIR
@testable import BPFCodegen

/// TruthArithmetic: a truth value made with a branch over a bounded value is computed
/// without one; not over an unbounded value, nor for a shift amount.
extension OptimizerPassTests {
    /// `r = a; if (x cc 0) goto J; r = 1 - a; J: return r` with `x = p & mask` tested at
    /// `width`, and, with `shifted`, `return p >> r`.
    func truthValue(_ cc: CondCode, first a: Int64, mask: Int64? = 255, width: Width = .w64, shifted: Bool = false) -> Function {
        let x = mask == nil ? VReg(0) : VReg(1)
        let result: Terminator = shifted ? .ret(.reg(VReg(3))) : .ret(.reg(VReg(2)))
        return fn([
            Block(id: BlockID(0), instructions: (mask.map { [ins(.binary(.and, dst: VReg(1), lhs: VReg(0), rhs: .imm($0), width: .w64))] } ?? [])
                    + [ins(.mov(dst: VReg(2), src: .imm(a), width: .w64))],
                  terminator: .branch(cc, lhs: x, rhs: .imm(0), width: width, then: BlockID(2), else: BlockID(1))),
            Block(id: BlockID(1), instructions: [ins(.mov(dst: VReg(2), src: .imm(1 - a), width: .w64))], terminator: .jump(BlockID(2))),
            Block(id: BlockID(2), instructions: shifted ? [ins(.binary(.lshr, dst: VReg(3), lhs: VReg(0), rhs: .reg(VReg(2)), width: .w64))] : [],
                  terminator: result),
        ])
    }

    @Test func aTruthValueOfABoundedValueNeedsNoBranch() throws {
        for cc in [CondCode.eq, .ne] {
            for a in [Int64(0), 1] {
                let f = truthValue(cc, first: a), g = TruthArithmetic.run(f)
                #expect(!branches(CFGSimplify.run(g)), "\(cc) \(a)\(show(g))")
                for p in [Int64(0), 1, 200, 256, 0x1_0000_0005, -1] {
                    #expect(try IRInterpreter.run(g, args: [p]) == IRInterpreter.run(f, args: [p]), "\(cc) \(a) p=\(p)")
                }
            }
        }
        // A bound of 0 or 1 is its own truth; a 32-bit test of a 40-bit value tests its low half.
        for (mask, width) in [(Int64(1), Width.w64), (0xff_ffff_ffff, .w32), (0xffff, .w32)] {
            for cc in [CondCode.eq, .ne] {
                let f = truthValue(cc, first: 1, mask: mask, width: width), g = TruthArithmetic.run(f)
                #expect(!branches(CFGSimplify.run(g)), "\(mask) \(width)\(show(g))")
                for p in [Int64(0), 1, 2, 0x1_0000_0000, 0x1_0000_0003, -1] {
                    #expect(try IRInterpreter.run(g, args: [p]) == IRInterpreter.run(f, args: [p]), "\(mask) \(width) \(cc) p=\(p)")
                }
            }
        }
    }

    /// The truth value's register is written once: the skipped block goes with the branch
    /// (the steps computing it write registers of their own), so what reads it knows it is
    /// 0 or 1, and `LoopInvariantHoisting`, next with no `CFGSimplify` between, may move
    /// it out of a loop (`lang_char_zero_tests.c`).
    @Test func aTruthValueComputedWithoutABranchIsWrittenOnce() {
        for (mask, width) in [(Int64(255), Width.w64), (0xff_ffff_ffff, .w32)] {
            let g = TruthArithmetic.run(truthValue(.ne, first: 1, mask: mask, width: width))
            #expect(!branches(g) && g.blocks.count == 2 && g.useDefCounts().defs[VReg(2)] == 1, "\(mask)\(show(g))")
        }
    }

    @Test func aTruthValueOfAnUnboundedValueOrForAShiftKeepsItsBranch() {
        let unbounded = truthValue(.ne, first: 1, mask: nil)
        #expect(TruthArithmetic.run(unbounded) == unbounded, "a parameter may be a pointer")
        let shifting = truthValue(.ne, first: 1, shifted: true)
        #expect(TruthArithmetic.run(shifting) == shifting, "a shift by it stays exact on each path")
    }
}

/// TruthArithmetic.orderings: a truth value of an ordering test of bounded values.
extension OptimizerPassTests {
    /// `x = p & maskX; r = a; if (x cc rhs) goto J; r = 1 - a; J: return r`, with `rhs` a
    /// constant or `y = q & maskY`, tested at `width`.
    func orderingTruth(_ cc: CondCode, first a: Int64, rhs: Operand, masks: (Int64?, Int64), width: Width) -> Function {
        let x = masks.0 == nil ? VReg(0) : VReg(10)
        return fn([
            Block(id: BlockID(0), instructions: (masks.0.map { [ins(.binary(.and, dst: x, lhs: VReg(0), rhs: .imm($0), width: .w64))] } ?? [])
                    + [ins(.binary(.and, dst: VReg(11), lhs: VReg(1), rhs: .imm(masks.1), width: .w64)),
                       ins(.mov(dst: VReg(2), src: .imm(a), width: .w64))],
                  terminator: .branch(cc, lhs: x, rhs: rhs, width: width, then: BlockID(2), else: BlockID(1))),
            Block(id: BlockID(1), instructions: [ins(.mov(dst: VReg(2), src: .imm(1 - a), width: .w64))], terminator: .jump(BlockID(2))),
            Block(id: BlockID(2), terminator: .ret(.reg(VReg(2)))),
        ], params: 2)
    }

    @Test func anOrderingTruthValueOfBoundedValuesNeedsNoBranch() throws {
        let orderings: [CondCode] = [.ult, .ule, .ugt, .uge, .slt, .sle, .sgt, .sge]
        let samples: [Int64] = [0, 1, 4, 5, 6, 199, 200, 201, 255, 0x7fff_fffe, 0x7fff_ffff, 0x8000_0000, 0xffff_ffff,
                                0x1_0000_0005, 0x7fff_ffff_ffff_ffff, -1, -200]
        for (width, mask) in [(Width.w64, Int64(255)), (.w64, 0x7fff_ffff_ffff_ffff), (.w32, 0x7fff_ffff), (.w32, 0xffff_ffff)] {
            for cc in orderings {
                // (A signed 32-bit test of values up to 2^32 - 1 may see them negative.)
                let decided = width == .w64 || mask <= 0x7fff_ffff || !cc.rawValue.hasPrefix("s")
                for rhs in [Operand.reg(VReg(11)), .imm(0), .imm(1), .imm(5), .imm(200), .imm(0x7fff_fffe)] {
                    for a in [Int64(0), 1] {
                        let f = orderingTruth(cc, first: a, rhs: rhs, masks: (mask, mask), width: width)
                        let g = TruthArithmetic.orderings(f)
                        let tag = "\(cc) \(width) mask \(mask) rhs \(rhs) a \(a)"
                        // (`x < 0`, or `x >= 0` when `r` is its negation, is left to
                        // ConstantFolding, either way.)
                        if rhs != .imm(0) || ![.ult, .slt, .uge, .sge].contains(cc) {
                            #expect(branches(CFGSimplify.run(g)) != decided, "\(tag)\(show(g))")
                        }
                        for p in samples {
                            for q in [Int64(0), 5, 200, 0x7fff_ffff, 0xffff_ffff, -1] {
                                #expect(try IRInterpreter.run(g, args: [p, q]) == IRInterpreter.run(f, args: [p, q]), "\(tag) p=\(p) q=\(q)")
                            }
                        }
                    }
                }
            }
        }
    }

    @Test func anOrderingTruthValueOfAnUnboundedValueKeepsItsBranch() {
        for rhs in [Operand.reg(VReg(11)), .imm(5)] {
            let unbounded = orderingTruth(.ult, first: 1, rhs: rhs, masks: (nil, 255), width: .w64)
            #expect(TruthArithmetic.orderings(unbounded) == unbounded, "a parameter may be anything")
        }
        // Tests against zero are `run`'s.
        let zero = truthValue(.ne, first: 1)
        #expect(TruthArithmetic.orderings(zero) == zero)
    }
}

/// RedundancyElimination: a test of a register copied in its block tests the copy's source.
extension OptimizerPassTests {
    /// `x = p ? 0 : (p & 255) + 1000` with the test `x > 0` on the arm computing the sum
    /// (`x` also set to 0 elsewhere): decided.
    @Test func aTestOfACopyIsDecidedByItsSource() {
        let f = fn([
            Block(id: BlockID(0), terminator: .branch(.ne, lhs: VReg(0), rhs: .imm(0), width: .w64, then: BlockID(1), else: BlockID(2))),
            Block(id: BlockID(1), instructions: [ins(.mov(dst: VReg(3), src: .imm(0), width: .w64))], terminator: .jump(BlockID(4))),
            Block(id: BlockID(2), instructions: [ins(.binary(.and, dst: VReg(1), lhs: VReg(0), rhs: .imm(255), width: .w64)),
                                                 ins(.binary(.add, dst: VReg(2), lhs: VReg(1), rhs: .imm(1000), width: .w32)),
                                                 ins(.mov(dst: VReg(3), src: .reg(VReg(2)), width: .w64))],
                  terminator: .branch(.ugt, lhs: VReg(3), rhs: .imm(0), width: .w32, then: BlockID(3), else: BlockID(4))),
            Block(id: BlockID(3), terminator: .ret(.imm(7))),
            Block(id: BlockID(4), terminator: .ret(.reg(VReg(3)))),
        ])
        let g = RedundancyElimination.run(f)
        #expect(g.blocks.contains { $0.id == BlockID(2) && $0.terminator == .jump(BlockID(3)) }, "\(show(g))")
    }
}
