import BPFIR

// Codegen's output: encoded-ready eBPF instructions of one function, with the
// side tables the BTF and ELF stages need. Instruction indices count 8-byte
// slots (an ld_imm64 occupies two).

public struct BPFInstruction: Hashable, Sendable {
    public var opcode: UInt8
    public var dst: UInt8
    public var src: UInt8
    public var offset: Int16
    public var imm: Int32
    public init(opcode: UInt8, dst: UInt8 = 0, src: UInt8 = 0, offset: Int16 = 0, imm: Int32 = 0) {
        self.opcode = opcode; self.dst = dst; self.src = src; self.offset = offset; self.imm = imm
    }
    /// The 8 bytes of this slot in the target byte order.
    public func encoded(bigEndian: Bool) -> [UInt8] {
        var out: [UInt8] = [opcode, bigEndian ? (dst << 4) | (src & 0xf) : (src << 4) | (dst & 0xf)]
        let off = UInt16(bitPattern: offset), imm32 = UInt32(bitPattern: imm)
        if bigEndian {
            out += [UInt8(off >> 8), UInt8(off & 0xff)]
            out += [UInt8(imm32 >> 24), UInt8((imm32 >> 16) & 0xff), UInt8((imm32 >> 8) & 0xff), UInt8(imm32 & 0xff)]
        } else {
            out += [UInt8(off & 0xff), UInt8(off >> 8)]
            out += [UInt8(imm32 & 0xff), UInt8((imm32 >> 8) & 0xff), UInt8((imm32 >> 16) & 0xff), UInt8(imm32 >> 24)]
        }
        return out
    }
}

public enum CodeRelocationKind: Hashable, Sendable {
    case symbolAddress(String)   // ld_imm64 (first slot) → R_BPF_64_64 against the symbol
    case call(String)            // pseudo call → R_BPF_64_32 against the function symbol (imm = -1)
    case kfunc(String)           // call of an extern function (src_reg = 1, imm -1, as clang) → R_BPF_64_32 against its symbol
}

public struct CodeRelocation: Hashable, Sendable {
    public var instructionIndex: Int
    public var kind: CodeRelocationKind
    public init(instructionIndex: Int, kind: CodeRelocationKind) {
        self.instructionIndex = instructionIndex; self.kind = kind
    }
}

public struct LineEntry: Hashable, Sendable {
    public var instructionIndex: Int
    public var location: IRLocation
    public init(instructionIndex: Int, location: IRLocation) {
        self.instructionIndex = instructionIndex; self.location = location
    }
}

public struct CoreRelocEntry: Hashable, Sendable {
    public var instructionIndex: Int
    public var reloc: CoreReloc
    public init(instructionIndex: Int, reloc: CoreReloc) { self.instructionIndex = instructionIndex; self.reloc = reloc }
}

public struct CompiledFunction: Hashable, Sendable {
    public var name: String
    public var section: String
    public var linkage: Linkage
    public var instructions: [BPFInstruction]
    public var relocations: [CodeRelocation]
    public var lines: [LineEntry]
    public var coreRelocs: [CoreRelocEntry]
    public var stackSize: Int
    public init(name: String, section: String, linkage: Linkage, instructions: [BPFInstruction],
                relocations: [CodeRelocation], lines: [LineEntry], coreRelocs: [CoreRelocEntry], stackSize: Int) {
        self.name = name; self.section = section; self.linkage = linkage; self.instructions = instructions
        self.relocations = relocations; self.lines = lines; self.coreRelocs = coreRelocs; self.stackSize = stackSize
    }
}

public struct CodegenOptions: Hashable, Sendable {
    public var cpu: Int          // 1...4
    public var bigEndian: Bool
    public init(cpu: Int = 3, bigEndian: Bool = false) { self.cpu = cpu; self.bigEndian = bigEndian }
}

/// A codegen failure with the location of the offending code.
public struct CodegenError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    public var location: IRLocation?
    /// The function's frame does not fit in the stack.
    public var frameTooLarge = false
    public init(_ message: String, location: IRLocation?, frameTooLarge: Bool = false) {
        self.message = message; self.location = location; self.frameTooLarge = frameTooLarge
    }
    public var description: String {
        if let l = location { return "\(l.file):\(l.line):\(l.column): error: \(message)" }
        return "error: \(message)"
    }
}
