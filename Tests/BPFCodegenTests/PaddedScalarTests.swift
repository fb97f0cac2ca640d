import Testing
import BPFIR
@testable import BPFCodegen

/// A map key held in an integer under 8 bytes (`StackSlot.paddedScalar`): a store of the
/// whole integer from a register is an 8-byte store, since a narrower one does not end the
/// verifier's liveness of the slot (tracee's scope filters). A store of part of it keeps
/// its width; so does a constant (the verifier then knows an array map's key), unless a
/// helper fills the slot's place too (`Emitter.widelyStoredConstants`). A slot never
/// stored whole from a register nor filled by a helper, and every one in a frame too big
/// for its budget, takes the integer's own size (`FrameLayout.paddedSlots`).
extension CodegenFeatureTests {
    /// Opcodes of the stores to the stack: stx dw 0x7b, stx h 0x6b, stx b 0x73, st dw
    /// 0x7a, st h 0x6a.
    func stackStores(_ insts: [Instruction], padded: Width?, frameBudget: Int? = nil) throws -> [UInt8] {
        let b = Block(id: BlockID(0), instructions: insts, terminator: .ret(.reg(VReg(7))))
        let slot = StackSlot(size: padded == nil ? 2 : 8, alignment: padded == nil ? 2 : 8, name: "key", paddedScalar: padded)
        let c = try Codegen.compile(fn([b], params: 2, slots: [slot]), options: CodegenOptions(cpu: 3), frameBudget: frameBudget)
        let stores = c.instructions.filter { $0.dst == Reg.fp && [0x7b, 0x6b, 0x73, 0x7a, 0x6a].contains($0.opcode) }
        #expect(stores.filter { [0x7b, 0x7a].contains($0.opcode) }.allSatisfy { $0.offset % 8 == 0 }, "\(stores)")
        return stores.map(\.opcode)
    }

    func lookup(_ dst: Int) -> Instruction {
        Instruction(.call(dst: VReg(dst), callee: .helper(1), args: [.imm(0), .reg(VReg(3))]))
    }

    @Test func aPaddedKeyStoredWholeIsAnEightByteStore() throws {
        let address = Instruction(.slotAddr(dst: VReg(3), slot: 0, offset: 0))
        let load = Instruction(.load(dst: VReg(7), base: .slot(0), offset: 0, width: .w16, signed: false))
        let mixed = [Instruction(.store(base: .slot(0), offset: 0, value: .reg(VReg(0)), width: .w16)), address, lookup(4),
                     Instruction(.store(base: .slot(0), offset: 0, value: .reg(VReg(1)), width: .w8)), lookup(5),
                     Instruction(.store(base: .slot(0), offset: 0, value: .imm(5), width: .w16)), lookup(6), load]
        #expect(try stackStores(mixed, padded: .w16) == [0x7b, 0x73, 0x6a])
        #expect(try stackStores(mixed, padded: nil) == [0x6b, 0x73, 0x6a])
        // A frame that fits only with the key at its own size (a call chain's, falco's
        // `recvmmsg.bpf.c`): narrow stores, whatever may be next to it.
        #expect(try stackStores(mixed, padded: .w16, frameBudget: 0) == [0x6b, 0x73, 0x6a])
        let constants: [Instruction] = [Instruction(.store(base: .slot(0), offset: 0, value: .imm(0), width: .w16)), address, lookup(4),
                         Instruction(.store(base: .slot(0), offset: 0, value: .imm(5), width: .w16)), lookup(5), load]
        #expect(try stackStores(constants, padded: .w16) == [0x6a, 0x6a])
        // bpf_probe_read_kernel (113) fills the slot, a constant key is stored there after.
        let filled = [address, Instruction(.call(dst: VReg(4), callee: .helper(113), args: [.reg(VReg(3)), .imm(2), .reg(VReg(0))])),
                      Instruction(.load(dst: VReg(5), base: .slot(0), offset: 0, width: .w16, signed: false)),
                      Instruction(.store(base: .slot(0), offset: 0, value: .imm(5), width: .w16)), lookup(6), load]
        #expect(try stackStores(filled, padded: .w16) == [0x7a])
    }

    /// Padded integers only ever stored constants take their own size in the frame (no
    /// store of theirs is 8 bytes): two keys live at once, 8 bytes of frame, not 16.
    @Test func paddedKeysStoredOnlyConstantsTakeTheirOwnSize() throws {
        for fromRegister in [false, true] {
            let value: Operand = fromRegister ? .reg(VReg(0)) : .imm(3)
            let insts = [Instruction(.store(base: .slot(0), offset: 0, value: value, width: .w16)),
                         Instruction(.store(base: .slot(1), offset: 0, value: .imm(4), width: .w16)),
                         Instruction(.slotAddr(dst: VReg(3), slot: 0, offset: 0)),
                         Instruction(.slotAddr(dst: VReg(4), slot: 1, offset: 0)),
                         Instruction(.call(dst: VReg(7), callee: .helper(2), args: [.imm(0), .reg(VReg(3)), .reg(VReg(4)), .imm(0)]))]
            let b = Block(id: BlockID(0), instructions: insts, terminator: .ret(.reg(VReg(7))))
            let slots = (0..<2).map { StackSlot(size: 8, alignment: 8, name: "k\($0)", paddedScalar: .w16) }
            let c = try Codegen.compile(fn([b], params: 1, slots: slots), options: CodegenOptions(cpu: 3))
            #expect(c.stackSize == (fromRegister ? 16 : 8), "\(fromRegister)")
        }
    }
}
