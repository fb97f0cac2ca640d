import Testing
import BPFIR
@testable import BPFCodegen

/// A local filled by `__builtin_memset` with a non-zero byte, or initialized by one wide
/// constant store, then read a byte or a field at a time (random seed 34262): the loads
/// read the constant's bytes, in the block of the store and in blocks entered only from it.
extension OptimizerPassTests {
    func slotLoads(in g: Function) -> Int {
        g.blocks.reduce(0) { n, b in
            n + b.instructions.filter { if case .load(_, .slot, _, _, _) = $0.inst { return true }; return false }.count
        }
    }

    /// Slot 0 gets 0x80ff_7f01_0203_0405 in block 0; the loads are in block 1, entered
    /// only from block 0 when the parameter is not zero.
    func constantSlotFunction(_ loads: [Inst], result: VReg, middle: [Inst] = []) -> Function {
        fn([
            Block(id: BlockID(0), instructions: [
                Instruction(.mov(dst: VReg(1), src: .imm(Int64(bitPattern: 0x80ff_7f01_0203_0405)), width: .w64)),
                Instruction(.store(base: .slot(0), offset: 0, value: .reg(VReg(1)), width: .w64)),
            ] + middle.map { Instruction($0) },
                  terminator: .branch(.ne, lhs: VReg(0), rhs: .imm(0), width: .w64, then: BlockID(1), else: BlockID(2))),
            Block(id: BlockID(1), instructions: loads.map { Instruction($0) }, terminator: .ret(.reg(result))),
            Block(id: BlockID(2), terminator: .ret(.imm(0))),
        ], slots: [StackSlot(size: 8, alignment: 8, name: "a")])
    }

    @Test func loadsInsideAConstantStoreReadItsBytes() throws {
        let f = constantSlotFunction([
            .load(dst: VReg(2), base: .slot(0), offset: 6, width: .w8, signed: true),      // 0xff: -1
            .load(dst: VReg(3), base: .slot(0), offset: 7, width: .w8, signed: false),     // 0x80
            .load(dst: VReg(4), base: .slot(0), offset: 4, width: .w16, signed: true),     // 0x7f01
            .load(dst: VReg(5), base: .slot(0), offset: 2, width: .w32, signed: false),    // 0x7f010203
            .binary(.add, dst: VReg(6), lhs: VReg(2), rhs: .reg(VReg(3)), width: .w64),
            .binary(.xor, dst: VReg(6), lhs: VReg(6), rhs: .reg(VReg(4)), width: .w64),
            .binary(.add, dst: VReg(6), lhs: VReg(6), rhs: .reg(VReg(5)), width: .w64),
        ], result: VReg(6))
        let g = StackForwarding.run(f)
        #expect(slotLoads(in: g) == 0, "\(show(g))")
        try expectSameResults(f, g)
    }

    @Test func loadsAfterTheBytesChangeStay() throws {
        let cases: [(String, [Inst])] = [
            // One byte written again: a load over it stays, one beside it still folds.
            ("byte rewritten", [.store(base: .slot(0), offset: 1, value: .reg(VReg(0)), width: .w8)]),
            // The register stored was redefined after the store: the bytes are still the constant's.
            ("register redefined", [.binary(.add, dst: VReg(1), lhs: VReg(1), rhs: .imm(1), width: .w64)]),
        ]
        for (name, middle) in cases {
            let f = constantSlotFunction([
                .load(dst: VReg(2), base: .slot(0), offset: 0, width: .w16, signed: false),
                .load(dst: VReg(3), base: .slot(0), offset: 4, width: .w8, signed: false),
                .binary(.add, dst: VReg(4), lhs: VReg(2), rhs: .reg(VReg(3)), width: .w64),
            ], result: VReg(4), middle: middle)
            let g = StackForwarding.run(f)
            #expect(slotLoads(in: g) == (name == "byte rewritten" ? 1 : 0), "\(name)\(show(g))")
            try expectSameResults(f, g)
        }
    }

    @Test func aBlockWithTwoPredecessorsStartsKnowingNothing() throws {
        // Block 1 is also entered from block 2, which stores another value first.
        let f = fn([
            Block(id: BlockID(0), instructions: [
                Instruction(.mov(dst: VReg(1), src: .imm(0x0102_0304), width: .w64)),
                Instruction(.store(base: .slot(0), offset: 0, value: .reg(VReg(1)), width: .w64)),
            ], terminator: .branch(.ne, lhs: VReg(0), rhs: .imm(0), width: .w64, then: BlockID(1), else: BlockID(2))),
            Block(id: BlockID(1), instructions: [
                Instruction(.load(dst: VReg(2), base: .slot(0), offset: 1, width: .w8, signed: false)),
            ], terminator: .ret(.reg(VReg(2)))),
            Block(id: BlockID(2), instructions: [
                Instruction(.store(base: .slot(0), offset: 0, value: .reg(VReg(0)), width: .w64)),
            ], terminator: .jump(BlockID(1))),
        ], slots: [StackSlot(size: 8, alignment: 8, name: "a")])
        let g = StackForwarding.run(f)
        #expect(slotLoads(in: g) == 1, "\(show(g))")
        try expectSameResults(f, g)
    }
}
