import Testing
import BPFIR
@testable import BPFCodegen

/// A map key held in an integer under 8 bytes (`StackSlot.paddedScalar`): a store of the
/// whole integer from a register is an 8-byte store, since a narrower one does not end the
/// verifier's liveness of the slot (tracee's scope filters). A store of part of it, and a
/// constant (narrow, the verifier then knows an array map's key), keep their width.
extension CodegenFeatureTests {
    @Test func aPaddedKeyStoredWholeFromARegisterIsAnEightByteStore() throws {
        let insts: [Instruction] = [
            Instruction(.store(base: .slot(0), offset: 0, value: .reg(VReg(0)), width: .w16)),
            Instruction(.slotAddr(dst: VReg(3), slot: 0, offset: 0)),
            Instruction(.call(dst: VReg(4), callee: .helper(1), args: [.imm(0), .reg(VReg(3))])),
            Instruction(.store(base: .slot(0), offset: 0, value: .reg(VReg(1)), width: .w8)),
            Instruction(.call(dst: VReg(5), callee: .helper(1), args: [.imm(0), .reg(VReg(3))])),
            Instruction(.store(base: .slot(0), offset: 0, value: .imm(5), width: .w16)),
            Instruction(.call(dst: VReg(6), callee: .helper(1), args: [.imm(0), .reg(VReg(3))])),
            Instruction(.load(dst: VReg(7), base: .slot(0), offset: 0, width: .w16, signed: false)),
        ]
        let b = Block(id: BlockID(0), instructions: insts, terminator: .ret(.reg(VReg(7))))
        for padded in [Width.w16, nil] {
            let slot = StackSlot(size: padded == nil ? 2 : 8, alignment: padded == nil ? 2 : 8, name: "key", paddedScalar: padded)
            let c = try Codegen.compile(fn([b], params: 2, slots: [slot]), options: CodegenOptions(cpu: 3))
            let stores = c.instructions.filter { $0.dst == Reg.fp && [0x7b, 0x6b, 0x73, 0x6a].contains($0.opcode) }.map(\.opcode)
            // stx dw (or stx h unpadded) of the whole key, stx b of one byte, st h of the constant.
            #expect(stores == [padded == nil ? 0x6b : 0x7b, 0x73, 0x6a], "\(padded.map { "\($0)" } ?? "unpadded"): \(stores)")
            if padded != nil { #expect(c.instructions.filter { $0.dst == Reg.fp && $0.opcode == 0x7b }.allSatisfy { $0.offset % 8 == 0 }) }
        }
    }
}
