import Testing
import BPFIR
@testable import BPFCodegen

/// SlotReloads: a value the allocator must take out of a register, loaded from a stack
/// slot nothing writes before its uses, is loaded again from that slot — no spill slot,
/// no store — as clang reloads a local after a call.
extension CodegenFeatureTests {
    /// Five values loaded from slot 0..4 live across a call (four callee-saved registers);
    /// `e` (read once) must leave its register. Slot 4 is still intact at its use: `e` is
    /// read from there again. When the call is given slot 4's address, or slot 4 is
    /// stored to between, it may have changed: `e` goes to a spill slot as before.
    @Test func aValueStillInItsSlotIsLoadedFromThereInsteadOfSpilled() throws {
        let a = VReg(1), b = VReg(2), c = VReg(3), d = VReg(4), e = VReg(6), acc = VReg(5), addr = VReg(7)
        func program(callGetsSlot4: Bool, storeToSlot4: Bool) -> Function {
            var insts = [Instruction(.store(base: .slot(4), offset: 0, value: .reg(VReg(0)), width: .w64))]
            insts += [a, b, c, d, e].enumerated().map { k, v in
                Instruction(.load(dst: v, base: .slot(k), offset: 0, width: .w64, signed: false))
            }
            insts.append(Instruction(.slotAddr(dst: addr, slot: callGetsSlot4 ? 4 : 5, offset: 0)))
            insts.append(Instruction(.call(dst: nil, callee: .helper(113), args: [.reg(addr), .imm(8), .imm(0)])))
            if storeToSlot4 { insts.append(Instruction(.store(base: .slot(4), offset: 0, value: .imm(9), width: .w64))) }
            insts.append(Instruction(.mov(dst: acc, src: .imm(0), width: .w64)))
            for r in [a, b, a, c, a, d, a, e, a, a, a] {
                insts.append(Instruction(.binary(.add, dst: acc, lhs: acc, rhs: .reg(r), width: .w64)))
                for _ in 0..<9 { insts.append(Instruction(.binary(.mul, dst: acc, lhs: acc, rhs: .imm(3), width: .w64))) }
            }
            let slots = (0..<6).map { StackSlot(size: 8, alignment: 8, name: "s\($0)") }
            return fn([Block(id: BlockID(0), instructions: insts, terminator: .ret(.reg(acc)))], params: 1, slots: slots)
        }
        let f = program(callGetsSlot4: false, storeToSlot4: false)
        var reloads = SlotReloads(f)
        let intact = reloads.reloadable(e)
        #expect(intact)
        let ra = try RegisterAllocator.allocate(f)
        #expect(ra.spillSlots.isEmpty, "\(IRPrinter.print(Module(functions: [ra.function])))")
        let stores = ra.function.blocks[0].instructions.filter { if case .store(.slot, _, _, _) = $0.inst { return true }; return false }
        #expect(stores.count == 1, "only the program's own store")
        for changed in [program(callGetsSlot4: true, storeToSlot4: false), program(callGetsSlot4: false, storeToSlot4: true)] {
            var r = SlotReloads(changed)
            let intactThere = r.reloadable(e)
            #expect(!intactThere)
            #expect(try RegisterAllocator.allocate(changed).spillSlots.count == 1)
        }
    }
}
