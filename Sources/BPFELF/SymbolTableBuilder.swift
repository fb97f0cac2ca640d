/// Orders the object's symbols as ELF requires (locals before globals) and
/// resolves the names relocations use to symbol indices.
struct SymbolTableBuilder {
    struct Entry {
        var name: UInt32
        var info: UInt8
        var other: UInt8
        var shndx: UInt16
        var value: UInt64
        var size: UInt64
    }

    private(set) var entries: [Entry] = [Entry(name: 0, info: 0, other: 0, shndx: ELF.shnUndef, value: 0, size: 0)]
    private(set) var firstNonLocal = 1
    private var byName: [String: Int] = [:]
    private var sectionSymbols: [String: Int] = [:]

    /// - Parameters:
    ///   - sectionIndex: ELF index of each user section.
    ///   - referencedSections: sections that need an STT_SECTION symbol, in section order.
    init(object: ObjectFile, sectionIndex: [String: Int], referencedSections: [String],
         strings: inout StringTable) throws {
        for name in referencedSections {
            guard let i = sectionIndex[name] else { continue }
            sectionSymbols[name] = entries.count
            entries.append(Entry(name: 0, info: ELFSymbolType.section.rawValue, other: 0, shndx: UInt16(i),
                                 value: 0, size: 0))
        }
        let locals = object.symbols.filter { $0.binding == .local }
        let others = object.symbols.filter { $0.binding != .local }
        for (k, s) in (locals + others).enumerated() {
            if k == locals.count { firstNonLocal = entries.count }
            var shndx = ELF.shnUndef
            if let sec = s.section {
                guard let i = sectionIndex[sec] else { throw ELFWriterError.unknownSection(symbol: s.name, section: sec) }
                shndx = UInt16(i)
            }
            if byName[s.name] == nil { byName[s.name] = entries.count }
            entries.append(Entry(name: strings.add(s.name), info: (s.binding.rawValue << 4) | s.type.rawValue,
                                 other: s.hidden ? ELF.stvHidden : 0, shndx: shndx, value: s.value, size: s.size))
        }
        if others.isEmpty { firstNonLocal = entries.count }
    }

    /// The symbol index a relocation against `name` uses: a named symbol, else the section's symbol.
    func index(of name: String) -> Int? { byName[name] ?? sectionSymbols[name] }

    func encoded(bigEndian: Bool) -> [UInt8] {
        var w = ByteWriter(bigEndian: bigEndian)
        for e in entries {
            w.u32(e.name); w.u8(e.info); w.u8(e.other); w.u16(e.shndx); w.u64(e.value); w.u64(e.size)
        }
        return w.bytes
    }
}
