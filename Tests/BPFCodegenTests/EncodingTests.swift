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

    // The following encodings were produced by `llvm-mc-22 -triple bpfel -mcpu=v4 -show-encoding`.
    @Test func v4AndByteSwapEncodings() {
        func e(_ i: BPFInstruction) -> [UInt8] { i.encoded(bigEndian: false) }
        #expect(e(.endian(.bswap, dst: 1, bits: 16)) == [0xd7, 0x01, 0, 0, 0x10, 0, 0, 0])          // r1 = bswap16 r1
        #expect(e(.endian(.toBE, dst: 2, bits: 32)) == [0xdc, 0x02, 0, 0, 0x20, 0, 0, 0])           // r2 = be32 r2
        #expect(e(.endian(.toLE, dst: 3, bits: 64)) == [0xd4, 0x03, 0, 0, 0x40, 0, 0, 0])           // r3 = le64 r3
        #expect(e(.movsx(true, dst: 1, src: 2, bits: 8)) == [0xbf, 0x21, 0x08, 0, 0, 0, 0, 0])       // r1 = (s8)r2
        #expect(e(.movsx(false, dst: 1, src: 2, bits: 16)) == [0xbc, 0x21, 0x10, 0, 0, 0, 0, 0])     // w1 = (s16)w2
        #expect(e(.ldx(.h, dst: 2, src: 1, off: 6, signExtend: true)) == [0x89, 0x12, 6, 0, 0, 0, 0, 0]) // r2 = *(s16 *)(r1 + 6)
        var sdiv = BPFInstruction.alu(.div, true, dst: 1, src: 2); sdiv.offset = 1
        #expect(e(sdiv) == [0x3f, 0x21, 1, 0, 0, 0, 0, 0])                                          // r1 s/= r2
        var smod = BPFInstruction.alu(.mod, false, dst: 1, imm: 7); smod.offset = 1
        #expect(e(smod) == [0x94, 0x01, 1, 0, 7, 0, 0, 0])                                           // w1 s%= 7
        #expect(e(.gotol(imm: 700)) == [0x06, 0, 0, 0, 0xbc, 0x02, 0, 0])                            // gotol +700
        #expect(e(.jump(.jslt, true, dst: 1, src: 2, off: 5)) == [0xce, 0x21, 5, 0, 0, 0, 0, 0])     // if w1 s< w2 goto +5
        #expect(e(.jump(.jlt, false, dst: 1, imm: 5, off: 2)) == [0xa5, 0x01, 2, 0, 5, 0, 0, 0])     // if r1 < 5 goto +2
        #expect(e(.alu(.mov, false, dst: 1, imm: -1)) == [0xb4, 0x01, 0, 0, 0xff, 0xff, 0xff, 0xff]) // w1 = -1
    }

    @Test func atomicEncodings() {
        func e(_ i: BPFInstruction) -> [UInt8] { i.encoded(bigEndian: false) }
        // r0 = cmpxchg_64(r1 + 8, r0, r2)
        #expect(e(.atomic(.dw, dst: 1, src: 2, off: 8, op: BPFAtomicOp.cmpxchg.rawValue | BPFAtomicOp.fetch))
                == [0xdb, 0x21, 8, 0, 0xf1, 0, 0, 0])
        // w2 = xchg32_32(r1 + 4, w2)
        #expect(e(.atomic(.w, dst: 1, src: 2, off: 4, op: BPFAtomicOp.xchg.rawValue | BPFAtomicOp.fetch))
                == [0xc3, 0x21, 4, 0, 0xe1, 0, 0, 0])
        // lock *(u32 *)(r1 + 0) += w3
        #expect(e(.atomic(.w, dst: 1, src: 3, off: 0, op: BPFAtomicOp.add.rawValue)) == [0xc3, 0x31, 0, 0, 0, 0, 0, 0])
        // r1 = 0x123456789 ll
        #expect(BPFInstruction.ldImm64(dst: 1, value: 0x1_2345_6789).flatMap { e($0) }
                == [0x18, 0x01, 0, 0, 0x89, 0x67, 0x45, 0x23, 0, 0, 0, 0, 1, 0, 0, 0])
    }

    @Test func disassemblyText() {
        #expect(BPFInstruction.ldx(.w, dst: 2, src: 1, off: 4).description == "r2 = *(u32 *)(r1 + 4)")
        #expect(BPFInstruction.stx(.dw, dst: 10, src: 1, off: -8).description == "*(u64 *)(r10 - 8) = r1")
        #expect(BPFInstruction.jump(.jne, true, dst: 1, imm: 2, off: 3).description == "if w1 != 2 goto +3")
        #expect(BPFInstruction.alu(.add, true, dst: 3, src: 4).description == "r3 += r4")
        #expect(BPFInstruction.exit.description == "exit")
        #expect(BPFInstruction.call(imm: 1).description == "call 1")
    }
}
