import Testing
import BPFIR
@testable import BPFCodegen

/// `x |= 0` of a local kept in memory (random seed 34491): a store of what the slot's
/// bytes already hold goes, so an arm doing only that is empty and its branch goes too.
/// Checked against the IR interpreter, with the cases that must keep their store.
extension OptimizerPassTests {
    func storesTo(_ slot: Int, in g: Function) -> Int {
        g.blocks.reduce(0) { n, b in
            n + b.instructions.filter { if case .store(.slot(slot), _, _, _) = $0.inst { return true }; return false }.count
        }
    }

    /// Slot 0 holds the parameter; the function reads it back at the end.
    func slotFunction(_ middle: [Inst], volatile: Bool = false) -> Function {
        var slot = StackSlot(size: 8, alignment: 8, name: "x")
        slot.isVolatile = volatile
        return fn([block([.store(base: .slot(0), offset: 0, value: .reg(VReg(0)), width: .w64)] + middle + [
            .load(dst: VReg(9), base: .slot(0), offset: 0, width: .w64, signed: false),
        ], returning: VReg(9))], slots: [slot])
    }

    @Test func aStoreOfWhatTheSlotHoldsGoes() throws {
        // t = load.w16; u = mov.w32 t; v = zext.w16 u; store.w16 v: the same two bytes.
        let f = slotFunction([
            .load(dst: VReg(1), base: .slot(0), offset: 0, width: .w16, signed: false),
            .mov(dst: VReg(2), src: .reg(VReg(1)), width: .w32),
            .ext(dst: VReg(3), src: VReg(2), from: .w16, to: .w32, signed: false),
            .store(base: .slot(0), offset: 0, value: .reg(VReg(3)), width: .w16),
        ])
        let g = StackForwarding.run(f)
        #expect(storesTo(0, in: g) == storesTo(0, in: f) - 1, "\(show(g))")
        try expectSameResults(f, g)
        // A signed load's register holds the same bytes too; a store of the value a store
        // of exactly these bytes wrote goes as well.
        let signed = slotFunction([
            .load(dst: VReg(1), base: .slot(0), offset: 0, width: .w16, signed: true),
            .store(base: .slot(0), offset: 0, value: .reg(VReg(1)), width: .w16),
            .store(base: .slot(0), offset: 4, value: .reg(VReg(0)), width: .w16),
            .store(base: .slot(0), offset: 4, value: .reg(VReg(0)), width: .w16),
        ])
        let h = StackForwarding.run(signed)
        #expect(storesTo(0, in: h) == storesTo(0, in: signed) - 2, "\(show(h))")
        try expectSameResults(signed, h)
    }

    @Test func storesThatChangeTheBytesStay() throws {
        let cases: [(String, [Inst])] = [
            // A store in between changes the bytes: the one of the loaded value restores them.
            ("written between", [
                .load(dst: VReg(1), base: .slot(0), offset: 0, width: .w16, signed: false),
                .store(base: .slot(0), offset: 0, value: .imm(7), width: .w16),
                .store(base: .slot(0), offset: 0, value: .reg(VReg(1)), width: .w16)]),
            // An extension from a narrower width than was loaded keeps only the low byte.
            ("narrowed", [
                .load(dst: VReg(1), base: .slot(0), offset: 0, width: .w16, signed: false),
                .ext(dst: VReg(2), src: VReg(1), from: .w8, to: .w32, signed: true),
                .store(base: .slot(0), offset: 0, value: .reg(VReg(2)), width: .w16)]),
            // The register is written again before the store.
            ("redefined", [
                .load(dst: VReg(1), base: .slot(0), offset: 0, width: .w16, signed: false),
                .binary(.add, dst: VReg(1), lhs: VReg(1), rhs: .imm(1), width: .w64),
                .store(base: .slot(0), offset: 0, value: .reg(VReg(1)), width: .w16)]),
            // Other bytes: the load read offset 0, the store writes offset 2.
            ("other bytes", [
                .load(dst: VReg(1), base: .slot(0), offset: 0, width: .w16, signed: false),
                .store(base: .slot(0), offset: 2, value: .reg(VReg(1)), width: .w16)]),
        ]
        for (name, middle) in cases {
            let f = slotFunction(middle)
            let g = StackForwarding.run(f)
            // (The store of 7 goes anyway: the next store overwrites it before any read.)
            let last = middle.last!
            #expect(g.blocks[0].instructions.contains { $0.inst == last }, "\(name)\(show(g))")
            try expectSameResults(f, g)
        }
        // A volatile local is written as the source says.
        let v = slotFunction([
            .load(dst: VReg(1), base: .slot(0), offset: 0, width: .w16, signed: false),
            .store(base: .slot(0), offset: 0, value: .reg(VReg(1)), width: .w16),
        ], volatile: true)
        #expect(storesTo(0, in: StackForwarding.run(v)) == storesTo(0, in: v))
    }
}
