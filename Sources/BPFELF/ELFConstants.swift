/// Numeric constants of the ELF64 format used by the writer (from the ELF gABI).
enum ELF {
    static let headerSize = 64
    static let sectionHeaderSize = 64
    static let symbolSize = 24
    static let relSize = 16

    static let classELF64: UInt8 = 2
    static let dataLSB: UInt8 = 1
    static let dataMSB: UInt8 = 2
    static let versionCurrent: UInt8 = 1
    static let osABINone: UInt8 = 0
    static let typeRelocatable: UInt16 = 1
    static let machineBPF: UInt16 = 247

    // Section types.
    static let shtNull: UInt32 = 0
    static let shtProgbits: UInt32 = 1
    static let shtSymtab: UInt32 = 2
    static let shtStrtab: UInt32 = 3
    static let shtNobits: UInt32 = 8
    static let shtRel: UInt32 = 9

    // Section flags.
    static let shfWrite: UInt64 = 0x1
    static let shfAlloc: UInt64 = 0x2
    static let shfExecInstr: UInt64 = 0x4
    static let shfInfoLink: UInt64 = 0x40

    static let shnUndef: UInt16 = 0
    static let shnLoReserve = 0xff00
    static let stvHidden: UInt8 = 2
}

extension ELFSectionKind {
    var sectionType: UInt32 { self == .bss ? ELF.shtNobits : ELF.shtProgbits }
    var sectionFlags: UInt64 {
        switch self {
        case .program: return ELF.shfAlloc | ELF.shfExecInstr
        case .data, .bss: return ELF.shfAlloc | ELF.shfWrite
        case .readOnlyData: return ELF.shfAlloc
        case .metadata: return 0
        }
    }
}

extension ELFRelocationType {
    /// Bytes a relocation of this type patches, counted from its offset.
    var patchWidth: UInt64 {
        switch self {
        case .none: return 0
        case .r64: return 16        // the ld_imm64 instruction pair
        case .abs64: return 8
        case .abs32, .nodyld32: return 4
        case .call32: return 8      // the call instruction
        }
    }
}
