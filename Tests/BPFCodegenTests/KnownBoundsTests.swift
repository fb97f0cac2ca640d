import Testing
@testable import BPFIR
@testable import BPFCodegen

/// RedundancyElimination's rules that rest on ValueBounds, and identity operands left by
/// constant folding.
extension OptimizerPassTests {
    /// A clearing mask too wide for an immediate (`w4 = 0xfffff80f; r1 &= r4`) over a
    /// word known to hold only its low 4 bits is a copy; a mask clearing a bit the word
    /// may hold stays.
    @Test func masksInRegistersKeepingEveryBitBecomeCopies() throws {
        func program(mask: Int64) -> Function {
            fn([Block(id: BlockID(0), instructions: [
                ins(.binary(.and, dst: VReg(1), lhs: VReg(0), rhs: .imm(0xf), width: .w64)),
                ins(.mov(dst: VReg(2), src: .imm(mask), width: .w32)),
                ins(.binary(.and, dst: VReg(3), lhs: VReg(1), rhs: .reg(VReg(2)), width: .w64)),
            ], terminator: .ret(.reg(VReg(3))))])
        }
        func ands(_ f: Function) -> Int { f.blocks[0].instructions.filter { if case .binary(.and, _, _, _, _) = $0.inst { return true }; return false }.count }
        for (mask, kept) in [(Int64(-0x7f1), 1), (-0x7f9, 2)] {
            let f = program(mask: mask)
            let g = RedundancyElimination.run(f)
            #expect(ands(g) == kept, "\(show(g))")
            for p: Int64 in [0, 0xf, 0x1234_5678_9abc_def7, -1] {
                #expect(try IRInterpreter.run(g, args: [p]) == IRInterpreter.run(f, args: [p]))
            }
        }
    }

    /// `(int)v % 4` as lowering writes it (the sign bias of a signed remainder by a power
    /// of two) on a value known non-negative (a byte plus a byte) keeps the low two bits;
    /// on a value that may be negative the sequence stays.
    @Test func signedRemaindersOfNonNegativeValuesAreMasks() throws {
        func program(known: Bool) -> Function {
            let a = VReg(1)
            return fn([Block(id: BlockID(0), instructions: [
                known ? ins(.binary(.and, dst: VReg(8), lhs: VReg(0), rhs: .imm(0xff), width: .w32))
                      : ins(.mov(dst: VReg(8), src: .reg(VReg(0)), width: .w64)),
                ins(.binary(.add, dst: a, lhs: VReg(8), rhs: .imm(200), width: .w32)),
                ins(.binary(.ashr, dst: VReg(2), lhs: a, rhs: .imm(31), width: .w32)),
                ins(.binary(.lshr, dst: VReg(3), lhs: VReg(2), rhs: .imm(30), width: .w32)),
                ins(.binary(.add, dst: VReg(4), lhs: a, rhs: .reg(VReg(3)), width: .w32)),
                ins(.binary(.ashr, dst: VReg(5), lhs: VReg(4), rhs: .imm(2), width: .w32)),
                ins(.binary(.shl, dst: VReg(6), lhs: VReg(5), rhs: .imm(2), width: .w32)),
                ins(.binary(.sub, dst: VReg(7), lhs: a, rhs: .reg(VReg(6)), width: .w32)),
            ], terminator: .ret(.reg(VReg(7))))])
        }
        func shifts(_ f: Function) -> Int {
            f.blocks[0].instructions.filter { if case .binary(let op, _, _, _, _) = $0.inst { return [.ashr, .lshr, .shl].contains(op) }; return false }.count
        }
        for known in [true, false] {
            let f = program(known: known)
            let g = DeadCodeElimination.run(ConstantFolding.run(RedundancyElimination.run(f)))
            #expect(known ? shifts(g) == 0 : shifts(g) == 4, "\(show(g))")
            for p: Int64 in [0, 7, 0x1234_5678_9abc_def7, -1, -0x8000_0000, 0x7fff_ff40] {
                #expect(try IRInterpreter.run(g, args: [p]) == IRInterpreter.run(f, args: [p]), "\(p)")
            }
        }
    }

    /// Constant operands that leave the value as it is fold to copies of the operation's width.
    @Test func identityOperandsFoldToCopies() throws {
        for op: BinOp in [.add, .sub, .or, .xor, .shl, .lshr, .ashr] {
            for w: Width in [.w32, .w64] {
                let f = fn([Block(id: BlockID(0), instructions: [
                    ins(.mov(dst: VReg(1), src: .imm(0), width: .w64)),
                    ins(.binary(op, dst: VReg(2), lhs: VReg(0), rhs: .reg(VReg(1)), width: w)),
                ], terminator: .ret(.reg(VReg(2))))])
                let g = ConstantFolding.run(f)
                #expect(g.blocks[0].instructions.contains { $0.inst == .mov(dst: VReg(2), src: .reg(VReg(0)), width: w) }, "\(show(g))")
                #expect(try IRInterpreter.run(g, args: [-5]) == IRInterpreter.run(f, args: [-5]))
            }
        }
    }
}
