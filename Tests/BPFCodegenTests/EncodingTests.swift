import Testing
import BPFIR
@testable import BPFCodegen

/// Encodings checked against the eBPF ISA (instruction-set.rst) and llvm-mc -show-encoding.
@Suite struct EncodingTests {
    @Test func movImmediateAndExit() {
        #expect(BPFInstruction.alu(.mov, true, dst: 0, imm: 2).encoded(bigEndian: false) == [0xb7, 0x00, 0, 0, 2, 0, 0, 0])
        #expect(BPFInstruction.exit.encoded(bigEndian: false) == [0x95, 0, 0, 0, 0, 0, 0, 0])
    }

    @Test func registersAndOffsets() {
        // r2 = *(u32 *)(r1 + 4)
        #expect(BPFInstruction.ldx(.w, dst: 2, src: 1, off: 4).encoded(bigEndian: false) == [0x61, 0x12, 4, 0, 0, 0, 0, 0])
        // *(u64 *)(r10 - 8) = r1
        #expect(BPFInstruction.stx(.dw, dst: 10, src: 1, off: -8).encoded(bigEndian: false) == [0x7b, 0x1a, 0xf8, 0xff, 0, 0, 0, 0])
        // big-endian: register nibbles swapped, fields big-endian
        #expect(BPFInstruction.stx(.dw, dst: 10, src: 1, off: -8).encoded(bigEndian: true) == [0x7b, 0xa1, 0xff, 0xf8, 0, 0, 0, 0])
    }

    @Test func jumpsAndCalls() {
        // if w1 != 0x2 goto +3 (jmp32)
        #expect(BPFInstruction.jump(.jne, true, dst: 1, imm: 2, off: 3).encoded(bigEndian: false) == [0x56, 0x01, 3, 0, 2, 0, 0, 0])
        // call 1 (bpf_map_lookup_elem)
        #expect(BPFInstruction.call(imm: 1).encoded(bigEndian: false) == [0x85, 0, 0, 0, 1, 0, 0, 0])
        // pseudo call: src_reg 1, imm -1
        #expect(BPFInstruction.call(imm: -1, src: 1).encoded(bigEndian: false) == [0x85, 0x10, 0, 0, 0xff, 0xff, 0xff, 0xff])
    }

    @Test func ldImm64TakesTwoSlots() {
        let i = BPFInstruction.ldImm64(dst: 1, value: 0x1_0000_0002)
        #expect(i.count == 2)
        #expect(i[0].encoded(bigEndian: false) == [0x18, 0x01, 0, 0, 2, 0, 0, 0])
        #expect(i[1].encoded(bigEndian: false) == [0, 0, 0, 0, 1, 0, 0, 0])
    }

    @Test func atomicFetchAdd() {
        // r2 = atomic_fetch_add((u64 *)(r1 + 0), r2): 0xdb, imm = BPF_ADD | BPF_FETCH
        let i = BPFInstruction.atomic(.dw, dst: 1, src: 2, off: 0, op: BPFAtomicOp.add.rawValue | BPFAtomicOp.fetch)
        #expect(i.encoded(bigEndian: false) == [0xdb, 0x21, 0, 0, 1, 0, 0, 0])
    }
}
