import Testing
import BPFIR
@testable import BPFCodegen

/// CallChainFrames: the frames of a chain of calls over the verifier's limit for the
/// whole chain are packed; frames of chains within it keep their layout.
@Suite struct CallChainFramesTests {
    /// `g(src)`: two 200-byte slots `bpf_probe_read_kernel` fills one after the other.
    var callee: Function {
        let read: (Int, VReg, VReg) -> [Instruction] = { slot, address, value in [
            Instruction(.slotAddr(dst: address, slot: slot, offset: 0)),
            Instruction(.call(dst: nil, callee: .helper(113), args: [.reg(address), .imm(200), .reg(VReg(0))])),
            Instruction(.load(dst: value, base: .slot(slot), offset: 0, width: .w64, signed: false)),
        ] }
        return Function(name: "g", section: ".text", linkage: .static, parameters: [VReg(0)],
                        blocks: [Block(id: BlockID(0),
                                       instructions: read(0, VReg(1), VReg(2)) + read(1, VReg(3), VReg(4))
                                           + [Instruction(.binary(.add, dst: VReg(5), lhs: VReg(2), rhs: .reg(VReg(4)), width: .w64))],
                                       terminator: .ret(.reg(VReg(5))))],
                        slots: [StackSlot(size: 200, alignment: 8, name: "a"), StackSlot(size: 200, alignment: 8, name: "b")],
                        nextVReg: 16)
    }

    /// The entry: a 200-byte slot written before the call to `g` and read after it.
    var caller: Function {
        Function(name: "f", section: "xdp", linkage: .global, parameters: [VReg(0)],
                 blocks: [Block(id: BlockID(0), instructions: [
                    Instruction(.store(base: .slot(0), offset: 0, value: .reg(VReg(0)), width: .w64)),
                    Instruction(.slotAddr(dst: VReg(1), slot: 0, offset: 0)),
                    Instruction(.call(dst: VReg(2), callee: .function(SymbolName("g")), args: [.reg(VReg(1))])),
                    Instruction(.load(dst: VReg(3), base: .slot(0), offset: 192, width: .w64, signed: false)),
                    Instruction(.binary(.add, dst: VReg(4), lhs: VReg(2), rhs: .reg(VReg(3)), width: .w64)),
                 ], terminator: .ret(.reg(VReg(4))))],
                 slots: [StackSlot(size: 200, alignment: 8, name: "buf")], nextVReg: 16)
    }

    @Test func onlyAFunctionNoCallTiesStandsAlone() {
        // `f` calls `g`; a third function calls none and none calls it.
        var alone = callee
        alone.name = "h"
        #expect(CallChainFrames.standsAlone([caller, callee, alone]) == [false, false, true])
        #expect(CallChainFrames.standsAlone([callee]) == [true])
    }

    @Test func aChainOverTheLimitHasItsFramesPacked() throws {
        // Alone, `g` keeps its helper-filled slots apart: 200 + 400 bytes is over 512.
        #expect(try Codegen.compile(callee, options: CodegenOptions()).stackSize == 400)
        #expect(CallChainFrames.overLimit([caller, callee], sizes: [200, 400]) == [0, 1])
        let compiled = try CallChainFrames.compile([caller, callee], options: CodegenOptions()).map { try $0.get() }
        #expect(compiled[0].stackSize == 200 && compiled[1].stackSize == 200)
    }

    @Test func aChainWithinTheLimitKeepsItsFrames() throws {
        #expect(CallChainFrames.overLimit([caller, callee], sizes: [64, 400]) == [])
        // A callback whose address is taken counts as called there.
        var taking = caller
        taking.blocks[0].instructions[2] = Instruction(.symbolAddr(dst: VReg(2), symbol: SymbolRef(name: "g", offset: 0)))
        #expect(CallChainFrames.overLimit([taking, callee], sizes: [200, 400]) == [0, 1])
        #expect(CallChainFrames.overLimit([taking, callee], sizes: [200, 288]) == [])
    }
}

/// The callers of a sub-program making a tail call: their frames must add up to less than
/// 256 bytes (inspektor-gadget's `ci/stacks`, 320 bytes above its tail-calling helper
/// function, refused); packed, the caller here takes 200.
extension CallChainFramesTests {
    @Test func callersOfATailCallingFunctionArePackedUnder256Bytes() throws {
        var tailCalling = callee
        tailCalling.blocks[0].instructions.append(
            Instruction(.call(dst: nil, callee: .helper(12), args: [.reg(VReg(0)), .imm(0), .imm(0)])))
        #expect(CallChainFrames.overLimit([caller, tailCalling], sizes: [264, 0]) == [0])
        #expect(CallChainFrames.overLimit([caller, tailCalling], sizes: [224, 0]) == [])
        #expect(CallChainFrames.overLimit([caller, callee], sizes: [264, 0]) == [])
        // A caller whose two 200-byte slots `bpf_probe_read_kernel` fills one after the
        // other (kept apart laid out alone: 400 bytes; packed: 200) and which calls `g`.
        var big = callee
        big.name = "f"; big.section = "xdp"; big.linkage = .global
        big.blocks[0].instructions.append(
            Instruction(.call(dst: VReg(6), callee: .function(SymbolName("g")), args: [.reg(VReg(5))])))
        big.blocks[0].terminator = .ret(.reg(VReg(6)))
        let alone = try Codegen.compile(big, options: CodegenOptions()).stackSize
        let compiled = try CallChainFrames.compile([big, tailCalling], options: CodegenOptions()).map { try $0.get() }
        #expect(alone >= 256 && compiled[0].stackSize < 256, "\(alone) \(compiled[0].stackSize)")
    }
}
