/// Errors in an object description (never in user input: the driver builds it).
public struct ELFWriterError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// Writes an ELF64 relocatable EM_BPF object.
public enum ELFWriter {
    static let machineBPF: UInt16 = 247

    public static func write(_ object: ObjectFile) throws -> [UInt8] {
        let be = object.bigEndian
        var strtab = StringTable()
        // Section indices: 0 null, 1... user sections, then .rel*, .symtab, .strtab.
        var sectionIndex: [String: Int] = [:]
        for (i, s) in object.sections.enumerated() { sectionIndex[s.name] = i + 1 }

        // Symbols: null, section symbols, locals, then globals/weak.
        struct Sym { var name: UInt32; var info: UInt8; var other: UInt8; var shndx: UInt16; var value: UInt64; var size: UInt64 }
        var syms: [Sym] = [Sym(name: 0, info: 0, other: 0, shndx: 0, value: 0, size: 0)]
        var symIndex: [String: Int] = [:]
        var sectionSymbol: [String: Int] = [:]
        for s in object.sections {
            sectionSymbol[s.name] = syms.count
            syms.append(Sym(name: 0, info: ELFSymbolType.section.rawValue, other: 0,
                            shndx: UInt16(sectionIndex[s.name]!), value: 0, size: 0))
        }
        let ordered = object.symbols.filter { $0.binding == .local } + object.symbols.filter { $0.binding != .local }
        let firstGlobal = syms.count + object.symbols.filter { $0.binding == .local }.count
        for s in ordered {
            var shndx: UInt16 = 0
            if let sec = s.section {
                guard let i = sectionIndex[sec] else {
                    throw ELFWriterError(message: "symbol '\(s.name)' names unknown section '\(sec)'")
                }
                shndx = UInt16(i)
            }
            if symIndex[s.name] == nil { symIndex[s.name] = syms.count }
            syms.append(Sym(name: strtab.add(s.name), info: (s.binding.rawValue << 4) | s.type.rawValue,
                            other: s.hidden ? 2 : 0, shndx: shndx, value: s.value, size: s.size))
        }

        // Relocation sections.
        struct RelSection { var name: String; var target: Int; var bytes: [UInt8] }
        var rels: [RelSection] = []
        for (i, s) in object.sections.enumerated() where !s.relocations.isEmpty {
            var w = ByteWriter(bigEndian: be)
            for r in s.relocations {
                guard let sym = symIndex[r.symbol] ?? sectionSymbol[r.symbol] else {
                    throw ELFWriterError(message: "relocation in '\(s.name)' against unknown symbol '\(r.symbol)'")
                }
                w.u64(r.offset)
                w.u64((UInt64(sym) << 32) | UInt64(r.type.rawValue))
            }
            rels.append(RelSection(name: ".rel" + s.name, target: i + 1, bytes: w.bytes))
        }

        var symtab = ByteWriter(bigEndian: be)
        for s in syms {
            symtab.u32(s.name); symtab.u8(s.info); symtab.u8(s.other); symtab.u16(s.shndx)
            symtab.u64(s.value); symtab.u64(s.size)
        }

        // Section names.
        var names: [UInt32] = []
        for s in object.sections { names.append(strtab.add(s.name)) }
        let relNames = rels.map { strtab.add($0.name) }
        let symtabName = strtab.add(".symtab")
        let strtabName = strtab.add(".strtab")
        let symtabIndex = object.sections.count + rels.count + 1
        let strtabIndex = symtabIndex + 1

        // Layout: header, section contents, section header table.
        var out = ByteWriter(bigEndian: be)
        out.append([UInt8](repeating: 0, count: 64))
        struct Header { var name: UInt32; var type: UInt32; var flags: UInt64; var offset: UInt64; var size: UInt64
                        var link: UInt32; var info: UInt32; var align: UInt64; var entsize: UInt64 }
        var headers: [Header] = [Header(name: 0, type: 0, flags: 0, offset: 0, size: 0, link: 0, info: 0, align: 0, entsize: 0)]
        for (i, s) in object.sections.enumerated() {
            let align = max(1, Int(s.alignment))
            out.align(align)
            let off = UInt64(out.bytes.count)
            var type: UInt32 = 1, flags: UInt64 = 0
            switch s.kind {
            case .program: flags = 0x2 | 0x4
            case .data: flags = 0x2 | 0x1
            case .readOnlyData: flags = 0x2
            case .bss: type = 8; flags = 0x2 | 0x1
            case .metadata: flags = 0
            }
            if s.kind != .bss { out.append(s.bytes) }
            headers.append(Header(name: names[i], type: type, flags: flags, offset: off, size: s.size, link: 0, info: 0,
                                  align: UInt64(align), entsize: 0))
        }
        for (k, r) in rels.enumerated() {
            out.align(8)
            headers.append(Header(name: relNames[k], type: 9, flags: 0x40, offset: UInt64(out.bytes.count),
                                  size: UInt64(r.bytes.count), link: UInt32(symtabIndex), info: UInt32(r.target),
                                  align: 8, entsize: 16))
            out.append(r.bytes)
        }
        out.align(8)
        headers.append(Header(name: symtabName, type: 2, flags: 0, offset: UInt64(out.bytes.count), size: UInt64(symtab.bytes.count),
                              link: UInt32(strtabIndex), info: UInt32(firstGlobal), align: 8, entsize: 24))
        out.append(symtab.bytes)
        headers.append(Header(name: strtabName, type: 3, flags: 0, offset: UInt64(out.bytes.count),
                              size: UInt64(strtab.bytes.count), link: 0, info: 0, align: 1, entsize: 0))
        out.append(strtab.bytes)
        out.align(8)
        let shoff = UInt64(out.bytes.count)
        for h in headers {
            out.u32(h.name); out.u32(h.type); out.u64(h.flags); out.u64(0); out.u64(h.offset); out.u64(h.size)
            out.u32(h.link); out.u32(h.info); out.u64(h.align); out.u64(h.entsize)
        }

        // ELF header.
        var eh = ByteWriter(bigEndian: be)
        eh.append([0x7f, 0x45, 0x4c, 0x46, 2, be ? 2 : 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0])
        eh.u16(1)                       // ET_REL
        eh.u16(machineBPF)
        eh.u32(1)                       // EV_CURRENT
        eh.u64(0); eh.u64(0); eh.u64(shoff)
        eh.u32(0)                       // e_flags
        eh.u16(64); eh.u16(0); eh.u16(0); eh.u16(64)
        eh.u16(UInt16(headers.count)); eh.u16(UInt16(strtabIndex))
        var bytes = out.bytes
        bytes.replaceSubrange(0..<64, with: eh.bytes)
        return bytes
    }
}
