// eBPF instruction-set constants (Documentation/bpf/standardization/instruction-set.rst).

enum BPFClass: UInt8 {
    case ld = 0x00, ldx = 0x01, st = 0x02, stx = 0x03, alu = 0x04, jmp = 0x05, jmp32 = 0x06, alu64 = 0x07
}

enum BPFSize: UInt8 {
    case w = 0x00, h = 0x08, b = 0x10, dw = 0x18
    init(bytes: Int) {
        switch bytes { case 1: self = .b; case 2: self = .h; case 4: self = .w; default: self = .dw }
    }
    /// The bytes a load or store of this size moves.
    var bytes: Int { switch self { case .b: return 1; case .h: return 2; case .w: return 4; case .dw: return 8 } }
}

enum BPFMode: UInt8 { case imm = 0x00, mem = 0x60, memsx = 0x80, atomic = 0xc0 }

enum BPFSource: UInt8 { case k = 0x00, x = 0x08 }

/// Byte-order conversions: to_le/to_be (ALU class) and the unconditional v4 bswap (ALU64 class).
enum BPFEndian { case toLE, toBE, bswap }

enum BPFALUOp: UInt8 {
    case add = 0x00, sub = 0x10, mul = 0x20, div = 0x30, or = 0x40, and = 0x50, lsh = 0x60, rsh = 0x70
    case neg = 0x80, mod = 0x90, xor = 0xa0, mov = 0xb0, arsh = 0xc0, end = 0xd0
}

enum BPFJumpOp: UInt8 {
    case ja = 0x00, jeq = 0x10, jgt = 0x20, jge = 0x30, jset = 0x40, jne = 0x50, jsgt = 0x60, jsge = 0x70
    case call = 0x80, exit = 0x90, jlt = 0xa0, jle = 0xb0, jslt = 0xc0, jsle = 0xd0
    /// BPF_JCOND: with source 0, `may_goto` (kernel 6.9): jumps once the verifier's
    /// loop budget for the program is spent, else falls through.
    case jcond = 0xe0
}

enum BPFAtomicOp: Int32 {
    case add = 0x00, or = 0x40, and = 0x50, xor = 0xa0, xchg = 0xe0, cmpxchg = 0xf0
    case loadAcquire = 0x100, storeRelease = 0x110
    static let fetch: Int32 = 0x01
}

/// Pseudo source registers of special instructions.
enum BPFPseudo {
    static let call: UInt8 = 1          // BPF_PSEUDO_CALL
    static let kfuncCall: UInt8 = 2     // BPF_PSEUDO_KFUNC_CALL
    static let function: UInt8 = 4      // BPF_PSEUDO_FUNC (ld_imm64 of a callback)
}

/// Physical registers.
enum Reg {
    static let r0: UInt8 = 0, r1: UInt8 = 1, r6: UInt8 = 6, r9: UInt8 = 9, fp: UInt8 = 10
    static let scratch: UInt8 = 0       // r0: shuffles and atomics (the allocator keeps values out of it there)
    static let arguments: [UInt8] = [1, 2, 3, 4, 5]
    static let calleeSaved: [UInt8] = [6, 7, 8, 9]
}

extension BPFInstruction {
    static func alu(_ op: BPFALUOp, _ w64: Bool, dst: UInt8, src: UInt8) -> BPFInstruction {
        BPFInstruction(opcode: (w64 ? BPFClass.alu64 : BPFClass.alu).rawValue | op.rawValue | BPFSource.x.rawValue,
                       dst: dst, src: src)
    }
    static func alu(_ op: BPFALUOp, _ w64: Bool, dst: UInt8, imm: Int32) -> BPFInstruction {
        BPFInstruction(opcode: (w64 ? BPFClass.alu64 : BPFClass.alu).rawValue | op.rawValue | BPFSource.k.rawValue,
                       dst: dst, imm: imm)
    }
    static func ldx(_ size: BPFSize, dst: UInt8, src: UInt8, off: Int16, signExtend: Bool = false) -> BPFInstruction {
        BPFInstruction(opcode: BPFClass.ldx.rawValue | (signExtend ? BPFMode.memsx : BPFMode.mem).rawValue | size.rawValue,
                       dst: dst, src: src, offset: off)
    }
    static func stx(_ size: BPFSize, dst: UInt8, src: UInt8, off: Int16) -> BPFInstruction {
        BPFInstruction(opcode: BPFClass.stx.rawValue | BPFMode.mem.rawValue | size.rawValue, dst: dst, src: src, offset: off)
    }
    static func st(_ size: BPFSize, dst: UInt8, off: Int16, imm: Int32) -> BPFInstruction {
        BPFInstruction(opcode: BPFClass.st.rawValue | BPFMode.mem.rawValue | size.rawValue, dst: dst, offset: off, imm: imm)
    }
    static func atomic(_ size: BPFSize, dst: UInt8, src: UInt8, off: Int16, op: Int32) -> BPFInstruction {
        BPFInstruction(opcode: BPFClass.stx.rawValue | BPFMode.atomic.rawValue | size.rawValue, dst: dst, src: src,
                       offset: off, imm: op)
    }
    /// The two slots of ld_imm64.
    static func ldImm64(dst: UInt8, value: Int64, src: UInt8 = 0) -> [BPFInstruction] {
        let u = UInt64(bitPattern: value)
        return [BPFInstruction(opcode: 0x18, dst: dst, src: src, imm: Int32(truncatingIfNeeded: u)),
                BPFInstruction(opcode: 0, imm: Int32(truncatingIfNeeded: u >> 32))]
    }
    static func jump(_ op: BPFJumpOp, _ w32: Bool, dst: UInt8, src: UInt8, off: Int16) -> BPFInstruction {
        BPFInstruction(opcode: (w32 ? BPFClass.jmp32 : BPFClass.jmp).rawValue | op.rawValue | BPFSource.x.rawValue,
                       dst: dst, src: src, offset: off)
    }
    static func jump(_ op: BPFJumpOp, _ w32: Bool, dst: UInt8, imm: Int32, off: Int16) -> BPFInstruction {
        BPFInstruction(opcode: (w32 ? BPFClass.jmp32 : BPFClass.jmp).rawValue | op.rawValue | BPFSource.k.rawValue,
                       dst: dst, offset: off, imm: imm)
    }
    static func mayGoto(off: Int16) -> BPFInstruction { BPFInstruction(opcode: BPFClass.jmp.rawValue | BPFJumpOp.jcond.rawValue, offset: off) }
    static func ja(off: Int16) -> BPFInstruction { BPFInstruction(opcode: BPFClass.jmp.rawValue | BPFJumpOp.ja.rawValue, offset: off) }
    /// gotol (v4): JMP32 | JA with the 32-bit offset in imm.
    static func gotol(imm: Int32) -> BPFInstruction {
        BPFInstruction(opcode: BPFClass.jmp32.rawValue | BPFJumpOp.ja.rawValue, imm: imm)
    }
    /// movsx (v4): dst = sign extension of the low `bits` of src (offset 8/16/32).
    static func movsx(_ w64: Bool, dst: UInt8, src: UInt8, bits: Int) -> BPFInstruction {
        var i = BPFInstruction.alu(.mov, w64, dst: dst, src: src)
        i.offset = Int16(bits)
        return i
    }
    /// Byte swap: v4 bswap (ALU64 | END | TO_LE) or the ALU form with an explicit byte order.
    static func endian(_ kind: BPFEndian, dst: UInt8, bits: Int) -> BPFInstruction {
        let cls: BPFClass = kind == .bswap ? .alu64 : .alu
        let src: UInt8 = kind == .toBE ? 0x08 : 0x00
        return BPFInstruction(opcode: cls.rawValue | BPFALUOp.end.rawValue | src, dst: dst, imm: Int32(bits))
    }
    static let exit = BPFInstruction(opcode: BPFClass.jmp.rawValue | BPFJumpOp.exit.rawValue)
    static func call(imm: Int32, src: UInt8 = 0) -> BPFInstruction {
        BPFInstruction(opcode: BPFClass.jmp.rawValue | BPFJumpOp.call.rawValue, src: src, imm: imm)
    }

    /// A helper, kfunc or BPF-to-BPF call.
    var isCall: Bool { opcode & 0x07 == BPFClass.jmp.rawValue && opcode & 0xf0 == BPFJumpOp.call.rawValue }

    /// The registers this instruction may change (a call: r0-r5; a fetching atomic: its
    /// source register; cmpxchg: r0; a legacy packet load: r0-r5).
    var writtenRegisters: [UInt8] {
        switch opcode & 0x07 {
        case BPFClass.alu.rawValue, BPFClass.alu64.rawValue, BPFClass.ldx.rawValue: return [dst]
        case BPFClass.ld.rawValue:
            if opcode == 0x18 { return [dst] }
            return opcode == 0 ? [] : Array(0...5)
        case BPFClass.stx.rawValue where opcode & 0xe0 == BPFMode.atomic.rawValue:
            if imm == BPFAtomicOp.cmpxchg.rawValue | 1 { return [0] }
            return imm & 1 != 0 ? [src] : []
        case BPFClass.jmp.rawValue where isCall: return Array(0...5)
        default: return []
        }
    }
}
