// A disassembly-like text of one instruction slot, close to llvm-objdump's
// syntax, for test failures and debugging output.

extension BPFInstruction: CustomStringConvertible {
    public var description: String {
        let cls = opcode & 0x07
        let isReg = (opcode & 0x08) != 0
        switch cls {
        case 0x04, 0x07: return aluText(w64: cls == 0x07, isReg: isReg)
        case 0x05, 0x06: return jumpText(w32: cls == 0x06, isReg: isReg)
        case 0x01:
            let sx = (opcode & 0xe0) == 0x80
            return "r\(dst) = *(\(sx ? "s" : "u")\(sizeBits) *)(r\(src) \(signedOff))"
        case 0x02: return "*(u\(sizeBits) *)(r\(dst) \(signedOff)) = \(imm)"
        case 0x03:
            if (opcode & 0xe0) == 0xc0 { return atomicText }
            return "*(u\(sizeBits) *)(r\(dst) \(signedOff)) = r\(src)"
        case 0x00:
            if opcode == 0x18 { return "r\(dst) = \(imm) ll" + (src != 0 ? " (src \(src))" : "") }
            if opcode == 0 && dst == 0 && src == 0 && offset == 0 { return "(ld_imm64 high) \(imm)" }
            return "ld? opcode=0x\(String(opcode, radix: 16))"
        default: return "? opcode=0x\(String(opcode, radix: 16))"
        }
    }

    private var sizeBits: Int { [0x00: 32, 0x08: 16, 0x10: 8, 0x18: 64][Int(opcode & 0x18)] ?? 0 }
    private var signedOff: String { offset < 0 ? "- \(-Int(offset))" : "+ \(offset)" }

    private func aluText(w64: Bool, isReg: Bool) -> String {
        let p = w64 ? "r" : "w"
        let d = "\(p)\(dst)", s = isReg ? "\(p)\(src)" : "\(imm)"
        let op = opcode & 0xf0
        switch op {
        case 0x80: return "\(d) = -\(d)"
        case 0xd0:
            if w64 { return "\(d) = bswap\(imm) \(d)" }
            return "r\(dst) = \(isReg ? "be" : "le")\(imm) r\(dst)"
        case 0xb0:
            if isReg && offset != 0 { return "\(d) = (s\(offset))\(p)\(src)" }
            return "\(d) = \(s)"
        default:
            let names: [UInt8: String] = [0x00: "+=", 0x10: "-=", 0x20: "*=", 0x30: "/=", 0x40: "|=", 0x50: "&=",
                                          0x60: "<<=", 0x70: ">>=", 0x90: "%=", 0xa0: "^=", 0xc0: "s>>="]
            var n = names[op] ?? "?="
            if offset == 1 && (op == 0x30 || op == 0x90) { n = "s" + n }
            return "\(d) \(n) \(s)"
        }
    }

    private func jumpText(w32: Bool, isReg: Bool) -> String {
        let op = opcode & 0xf0
        switch op {
        case 0x00: return w32 ? "gotol \(imm >= 0 ? "+" : "")\(imm)" : "goto \(offset >= 0 ? "+" : "")\(offset)"
        case 0x80:
            switch src {
            case 1: return "call pc\(imm >= 0 ? "+" : "")\(imm)"
            case BPFPseudo.kfuncCall: return "call kfunc \(imm)"
            default: return "call \(imm)"
            }
        case 0x90: return "exit"
        case 0xe0 where !w32 && src == 0: return "may_goto \(offset >= 0 ? "+" : "")\(offset)"
        default:
            let names: [UInt8: String] = [0x10: "==", 0x20: ">", 0x30: ">=", 0x40: "&", 0x50: "!=", 0x60: "s>",
                                          0x70: "s>=", 0xa0: "<", 0xb0: "<=", 0xc0: "s<", 0xd0: "s<="]
            let p = w32 ? "w" : "r"
            return "if \(p)\(dst) \(names[op] ?? "?") \(isReg ? "\(p)\(src)" : "\(imm)") goto \(offset >= 0 ? "+" : "")\(offset)"
        }
    }

    private var atomicText: String {
        let m = "*(u\(sizeBits) *)(r\(dst) \(signedOff))"
        let p = sizeBits == 64 ? "r" : "w"
        let fetch = (imm & 1) != 0
        switch imm & ~1 {
        case 0xe0: return "\(p)\(src) = xchg\(sizeBits == 64 ? "_64" : "32_32")(r\(dst) \(signedOff), \(p)\(src))"
        case 0x100: return "\(p)\(dst) = load_acquire((u\(sizeBits) *)(r\(src) \(signedOff)))"
        case 0x110: return "store_release((u\(sizeBits) *)(r\(dst) \(signedOff)), \(p)\(src))"
        case 0xf0: return "\(p)0 = cmpxchg\(sizeBits == 64 ? "_64" : "32_32")(r\(dst) \(signedOff), \(p)0, \(p)\(src))"
        default:
            let name = [0x00: "add", 0x40: "or", 0x50: "and", 0xa0: "xor"][Int(imm & ~1)] ?? "?"
            if fetch { return "\(p)\(src) = atomic_fetch_\(name)((u\(sizeBits) *)(r\(dst) \(signedOff)), \(p)\(src))" }
            let op = [0x00: "+", 0x40: "|", 0x50: "&", 0xa0: "^"][Int(imm & ~1)] ?? "?"
            return "lock \(m) \(op)= \(p)\(src)"
        }
    }
}

extension CompiledFunction {
    /// The listing of the function, one slot a line with its index.
    public var disassembly: String {
        instructions.enumerated().map { "\($0.offset): \($0.element)" }.joined(separator: "\n")
    }
}
