// The description of a relocatable EM_BPF object that the ELF writer turns
// into bytes. The driver fills it from codegen, data layout and BTF output;
// the writer adds .symtab, .strtab/.shstrtab and the .rel<section> sections.

public enum ELFSectionKind: Hashable, Sendable {
    case program      // SHT_PROGBITS, SHF_ALLOC|SHF_EXECINSTR (program sections and .text)
    case data         // SHT_PROGBITS, SHF_ALLOC|SHF_WRITE (.data, .data.*, .maps, license? see below)
    case readOnlyData // SHT_PROGBITS, SHF_ALLOC (.rodata, .rodata.*)
    case bss          // SHT_NOBITS, SHF_ALLOC|SHF_WRITE
    case metadata     // SHT_PROGBITS, no flags (.BTF, .BTF.ext)
}

public enum ELFRelocationType: UInt32, Hashable, Sendable {
    case none = 0
    case r64 = 1          // R_BPF_64_64: ld_imm64 of a symbol's address
    case abs64 = 2        // R_BPF_64_ABS64: 8-byte data word
    case abs32 = 3        // R_BPF_64_ABS32: 4-byte data word
    case nodyld32 = 4     // R_BPF_64_NODYLD32: 4-byte word in .BTF/.BTF.ext
    case call32 = 10      // R_BPF_64_32: call imm
}

public struct ELFRelocation: Hashable, Sendable {
    public var offset: UInt64          // byte offset in the section
    public var symbol: String          // name of a symbol in ObjectFile.symbols (a section symbol: the section name)
    public var type: ELFRelocationType
    public init(offset: UInt64, symbol: String, type: ELFRelocationType) {
        self.offset = offset; self.symbol = symbol; self.type = type
    }
}

public struct ELFSection: Hashable, Sendable {
    public var name: String
    public var kind: ELFSectionKind
    public var alignment: UInt64
    public var bytes: [UInt8]          // empty for .bss
    public var size: UInt64            // == bytes.count except for bss
    public var relocations: [ELFRelocation]
    public init(name: String, kind: ELFSectionKind, alignment: UInt64, bytes: [UInt8], size: UInt64? = nil,
                relocations: [ELFRelocation] = []) {
        self.name = name; self.kind = kind; self.alignment = alignment; self.bytes = bytes
        self.size = size ?? UInt64(bytes.count); self.relocations = relocations
    }
}

public enum ELFSymbolBinding: UInt8, Hashable, Sendable { case local = 0, global = 1, weak = 2 }
public enum ELFSymbolType: UInt8, Hashable, Sendable { case notype = 0, object = 1, function = 2, section = 3, file = 4 }

public struct ELFSymbol: Hashable, Sendable {
    public var name: String
    public var section: String?        // nil: undefined (extern) symbol
    public var value: UInt64
    public var size: UInt64
    public var binding: ELFSymbolBinding
    public var type: ELFSymbolType
    public var hidden: Bool            // STV_HIDDEN (clang uses it for __hidden / static-linked)
    public init(name: String, section: String?, value: UInt64, size: UInt64, binding: ELFSymbolBinding,
                type: ELFSymbolType, hidden: Bool = false) {
        self.name = name; self.section = section; self.value = value; self.size = size
        self.binding = binding; self.type = type; self.hidden = hidden
    }
}

public struct ObjectFile: Hashable, Sendable {
    public var bigEndian: Bool
    public var sections: [ELFSection]   // in output order
    public var symbols: [ELFSymbol]     // section symbols are added by the writer for every section
    public init(bigEndian: Bool, sections: [ELFSection], symbols: [ELFSymbol]) {
        self.bigEndian = bigEndian; self.sections = sections; self.symbols = symbols
    }
}
