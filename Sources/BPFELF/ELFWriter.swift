/// Writes an ELF64 relocatable EM_BPF object.
///
/// Layout: ELF header, section contents (each at an offset aligned to its
/// alignment), the section header table. Section order: null, the object's
/// sections as given, one `.rel<name>` per section with relocations,
/// `.symtab`, `.strtab`, `.shstrtab`.
public enum ELFWriter {
    public static func write(_ object: ObjectFile) throws -> [UInt8] {
        let be = object.bigEndian
        let userCount = object.sections.count

        var sectionIndex: [String: Int] = [:]
        for (i, s) in object.sections.enumerated() {
            if sectionIndex[s.name] != nil { throw ELFWriterError.duplicateSection(s.name) }
            sectionIndex[s.name] = i + 1
        }
        let relocated = object.sections.enumerated().filter { !$0.element.relocations.isEmpty }
        let total = 1 + userCount + relocated.count + 3
        if total >= ELF.shnLoReserve { throw ELFWriterError.tooManySections(total) }

        // Section symbols only for sections that relocations name (as clang does).
        let symbolNames = Set(object.symbols.map(\.name))
        var referenced = Set<String>()
        for s in object.sections {
            for r in s.relocations where !symbolNames.contains(r.symbol) && sectionIndex[r.symbol] != nil {
                referenced.insert(r.symbol)
            }
        }
        var strtab = StringTable()
        let symbols = try SymbolTableBuilder(object: object, sectionIndex: sectionIndex,
                                             referencedSections: object.sections.map(\.name).filter(referenced.contains),
                                             strings: &strtab)

        // Relocation sections.
        var relBytes: [[UInt8]] = []
        for (_, s) in relocated {
            var w = ByteWriter(bigEndian: be)
            for r in s.relocations {
                guard let sym = symbols.index(of: r.symbol) else {
                    throw ELFWriterError.unknownRelocationSymbol(section: s.name, symbol: r.symbol)
                }
                if r.offset > s.size || r.type.patchWidth > s.size - r.offset {
                    throw ELFWriterError.relocationOutOfRange(section: s.name, offset: r.offset, size: s.size)
                }
                w.u64(r.offset)
                w.u64((UInt64(sym) << 32) | UInt64(r.type.rawValue))
            }
            relBytes.append(w.bytes)
        }

        var shstrtab = StringTable()
        let symtabIndex = 1 + userCount + relocated.count
        let strtabIndex = symtabIndex + 1
        let shstrtabIndex = symtabIndex + 2

        var out = ByteWriter(bigEndian: be)
        out.append([UInt8](repeating: 0, count: ELF.headerSize))
        var headers = [SectionHeader()]
        for s in object.sections {
            let align = max(1, s.alignment)
            out.align(Int(align))
            var h = SectionHeader(name: shstrtab.add(s.name), type: s.kind.sectionType, flags: s.kind.sectionFlags,
                                  offset: UInt64(out.bytes.count), size: s.size, alignment: align)
            if s.kind == .bss {
                h.offset = UInt64(out.bytes.count)
            } else {
                out.append(s.bytes)
                // A size larger than the bytes given is padded with zeros.
                if s.size > UInt64(s.bytes.count) {
                    out.append([UInt8](repeating: 0, count: Int(s.size) - s.bytes.count))
                } else {
                    h.size = UInt64(s.bytes.count)
                }
            }
            headers.append(h)
        }
        for (k, (i, s)) in relocated.enumerated() {
            out.align(8)
            headers.append(SectionHeader(name: shstrtab.add(".rel" + s.name), type: ELF.shtRel, flags: ELF.shfInfoLink,
                                         offset: UInt64(out.bytes.count), size: UInt64(relBytes[k].count),
                                         link: UInt32(symtabIndex), info: UInt32(i + 1), alignment: 8,
                                         entrySize: UInt64(ELF.relSize)))
            out.append(relBytes[k])
        }
        out.align(8)
        let symtabBytes = symbols.encoded(bigEndian: be)
        headers.append(SectionHeader(name: shstrtab.add(".symtab"), type: ELF.shtSymtab, offset: UInt64(out.bytes.count),
                                     size: UInt64(symtabBytes.count), link: UInt32(strtabIndex),
                                     info: UInt32(symbols.firstNonLocal), alignment: 8, entrySize: UInt64(ELF.symbolSize)))
        out.append(symtabBytes)
        headers.append(SectionHeader(name: shstrtab.add(".strtab"), type: ELF.shtStrtab, offset: UInt64(out.bytes.count),
                                     size: UInt64(strtab.bytes.count), alignment: 1))
        out.append(strtab.bytes)
        let shstrtabName = shstrtab.add(".shstrtab")
        headers.append(SectionHeader(name: shstrtabName, type: ELF.shtStrtab, offset: UInt64(out.bytes.count),
                                     size: 0, alignment: 1))
        headers[shstrtabIndex].size = UInt64(shstrtab.bytes.count)
        out.append(shstrtab.bytes)

        out.align(8)
        let shoff = UInt64(out.bytes.count)
        for h in headers { h.write(to: &out) }

        var eh = ByteWriter(bigEndian: be)
        eh.append([0x7f, 0x45, 0x4c, 0x46, ELF.classELF64, be ? ELF.dataMSB : ELF.dataLSB, ELF.versionCurrent,
                   ELF.osABINone, 0, 0, 0, 0, 0, 0, 0, 0])
        eh.u16(ELF.typeRelocatable)
        eh.u16(ELF.machineBPF)
        eh.u32(1)                                   // e_version
        eh.u64(0); eh.u64(0); eh.u64(shoff)         // e_entry, e_phoff, e_shoff
        eh.u32(0)                                   // e_flags
        eh.u16(UInt16(ELF.headerSize)); eh.u16(0); eh.u16(0)
        eh.u16(UInt16(ELF.sectionHeaderSize)); eh.u16(UInt16(headers.count)); eh.u16(UInt16(shstrtabIndex))
        var bytes = out.bytes
        bytes.replaceSubrange(0..<ELF.headerSize, with: eh.bytes)
        return bytes
    }
}
