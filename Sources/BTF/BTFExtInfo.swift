/// The records of .BTF.ext, collected per ELF section (in order of first use).
/// String fields are offsets into the .BTF string table.
struct BTFExtInfo: Sendable {
    struct FuncInfo: Sendable { var insnOffset: Int; var typeID: Int }
    struct LineInfo: Sendable { var insnOffset: Int; var file: UInt32; var line: UInt32; var lineCol: UInt32 }
    struct CoreRelo: Sendable { var insnOffset: Int; var typeID: Int; var access: UInt32; var kind: Int }

    var sectionOrder: [String] = []
    var sectionNames: [String: UInt32] = [:]
    var funcInfo: [String: [FuncInfo]] = [:]
    var lineInfo: [String: [LineInfo]] = [:]
    var coreRelos: [String: [CoreRelo]] = [:]

    var isEmpty: Bool { funcInfo.isEmpty && lineInfo.isEmpty && coreRelos.isEmpty }

    mutating func note(_ section: String, strings: inout BTFStrings) {
        if sectionNames[section] == nil {
            sectionNames[section] = strings.add(section)
            sectionOrder.append(section)
        }
    }

    /// Record sizes (bpf_func_info, bpf_line_info, bpf_core_relo).
    static let funcInfoSize = 8, lineInfoSize = 16, coreReloSize = 16

    /// func_info and line_info sorted by instruction offset (the kernel wants them
    /// strictly increasing per program); a second line record at the same offset is dropped.
    func sortedFuncInfo(_ s: String) -> [FuncInfo] {
        stableSorted(funcInfo[s] ?? [], by: \.insnOffset)
    }
    func sortedLineInfo(_ s: String) -> [LineInfo] {
        var out: [LineInfo] = []
        for l in stableSorted(lineInfo[s] ?? [], by: \.insnOffset) where out.last?.insnOffset != l.insnOffset {
            out.append(l)
        }
        return out
    }
    func sortedCoreRelos(_ s: String) -> [CoreRelo] {
        stableSorted(coreRelos[s] ?? [], by: \.insnOffset)
    }

    private func stableSorted<T>(_ a: [T], by key: (T) -> Int) -> [T] {
        a.enumerated().sorted { (key($0.element), $0.offset) < (key($1.element), $1.offset) }.map(\.element)
    }
}

extension BTFBuilder {
    /// A bpf_func_info record: the FUNC starting at this byte offset of `section`.
    public mutating func addFuncInfo(section: String, instructionByteOffset: Int, typeID: Int) {
        ext.note(section, strings: &strings)
        ext.funcInfo[section, default: []].append(.init(insnOffset: instructionByteOffset, typeID: typeID))
    }

    /// A bpf_line_info record. Line and column are packed as `line << 10 | column`
    /// (column saturates at 1023; line at 2^22-1).
    public mutating func addLineInfo(section: String, instructionByteOffset: Int, file: String, line: Int, column: Int,
                                     lineText: String) {
        ext.note(section, strings: &strings)
        let f = strings.add(file), l = strings.add(lineText)
        let packed = UInt32(min(max(0, line), (1 << 22) - 1)) << 10 | UInt32(min(max(0, column), 1023))
        ext.lineInfo[section, default: []].append(.init(insnOffset: instructionByteOffset, file: f, line: l, lineCol: packed))
    }

    /// A bpf_core_relo record: `kind` is enum bpf_core_relo_kind (0 FIELD_BYTE_OFFSET ... ),
    /// `accessString` the "0:1:2" spec relative to `typeID`.
    public mutating func addCoreRelo(section: String, instructionByteOffset: Int, typeID: Int, accessString: String,
                                     kind: Int) {
        ext.note(section, strings: &strings)
        ext.coreRelos[section, default: []].append(.init(insnOffset: instructionByteOffset, typeID: typeID,
                                                         access: strings.add(accessString), kind: kind))
    }
}
