import Testing
import BPFIR
@testable import BPFCodegen

/// RemainderClamps: the never-taken clamp after `x % C` becomes a mask where the remainder
/// reaches no address; it stays where it does.
extension OptimizerPassTests {
    /// `r = p % 5` (32-bit) with lowering's clamp `if (r > 4) r = 4`, then `use` of `r`'s
    /// zero extension `%2` in block 2.
    func clampedRemainder(_ use: [Instruction], _ end: Terminator) -> Function {
        fn([
            Block(id: BlockID(0), instructions: [ins(.binary(.urem, dst: VReg(1), lhs: VReg(0), rhs: .imm(5), width: .w32))],
                  terminator: .branch(.ule, lhs: VReg(1), rhs: .imm(4), width: .w32, then: BlockID(2), else: BlockID(1))),
            Block(id: BlockID(1), instructions: [ins(.mov(dst: VReg(1), src: .imm(4), width: .w64))], terminator: .jump(BlockID(2))),
            Block(id: BlockID(2), instructions: [ins(.ext(dst: VReg(2), src: VReg(1), from: .w32, to: .w32, signed: false))] + use,
                  terminator: end),
            Block(id: BlockID(3), terminator: .ret(.imm(1))),
            Block(id: BlockID(4), terminator: .ret(.imm(0))),
        ], slots: [StackSlot(size: 8, alignment: 8, name: "s")])
    }

    @Test func aRemainderOnlyTestedIsMaskedNotClamped() throws {
        // `(r * 3 + 7) > 9`: arithmetic and a test.
        let f = clampedRemainder([ins(.binary(.mul, dst: VReg(3), lhs: VReg(2), rhs: .imm(3), width: .w64)),
                                  ins(.binary(.add, dst: VReg(4), lhs: VReg(3), rhs: .imm(7), width: .w64))],
                                 .branch(.ugt, lhs: VReg(4), rhs: .imm(9), width: .w64, then: BlockID(3), else: BlockID(4)))
        let g = RemainderClamps.run(f)
        #expect(g.blocks[0].terminator == .jump(BlockID(2)), "\(show(g))")
        #expect(g.blocks[0].instructions.last?.inst == .binary(.and, dst: VReg(1), lhs: VReg(1), rhs: .imm(7), width: .w32), "\(show(g))")
        for p in [Int64(0), 1, 4, 5, 9, 0xffff_ffff, 0x1_0000_0003, -1] {
            #expect(try IRInterpreter.run(g, args: [p]) == IRInterpreter.run(f, args: [p]), "p=\(p)")
        }
    }

    @Test func aRemainderReachingMemoryKeepsItsClamp() {
        // Stored, or an offset into a slot's address: the verifier needs `C - 1` exactly.
        let stored = clampedRemainder([ins(.store(base: .slot(0), offset: 0, value: .reg(VReg(2)), width: .w64))], .ret(.imm(0)))
        #expect(RemainderClamps.run(stored) == stored)
        let indexed = clampedRemainder([ins(.slotAddr(dst: VReg(5), slot: 0, offset: 0)),
                                        ins(.binary(.add, dst: VReg(6), lhs: VReg(5), rhs: .reg(VReg(2)), width: .w64)),
                                        ins(.load(dst: VReg(7), base: .reg(VReg(6)), offset: 0, width: .w8, signed: false))],
                                       .ret(.reg(VReg(7))))
        #expect(RemainderClamps.run(indexed) == indexed)
        let returned = clampedRemainder([], .ret(.reg(VReg(2))))
        #expect(RemainderClamps.run(returned) == returned)
    }
}
