import BPFFrontend

/// Places globals into data sections and encodes their initial bytes.
struct GlobalDataBuilder {
    let module: ModuleLowering
    var layout: TypeLayout { module.layout }

    init(module: ModuleLowering) { self.module = module }

    static let largestGlobal = 1 << 26

    func build() throws -> [DataSection] {
        var sections: [DataSection] = []
        var index: [String: Int] = [:]
        var errors: [Diagnostic] = []
        // Statics nothing references are left out; one that a later global's initializer
        // turns out to reference (`static int a; int *p = &a;`) is laid out in another round.
        var placed: Set<String> = [], skipped: [String] = [], firstRound = true
        while firstRound || skipped.contains(where: module.referencedGlobals.contains) {
            firstRound = false
            skipped = []
            for g in module.unit.globals where !placed.contains(g.name) {
                guard g.isDefinition || !g.isExtern else { continue }
                if g.isExtern { continue }
                if module.globalsByName[g.name].map({ $0.location != g.location }) ?? false { continue }
                if module.helperNumber(g.name) != nil { continue }
                if g.isStatic && !g.attributes.used && !module.referencedGlobals.contains(g.name) { skipped.append(g.name); continue }
                placed.insert(g.name)
                let size = initializedSize(g.type, g.initializer)
                // A global data section becomes one array map value, which the kernel caps at
                // a few MiB (KMALLOC_MAX_SIZE); an initialized one far larger is refused before
                // its bytes are made. One without an initializer (.bss: a size, no bytes) is
                // laid out as clang lays it out, up to 4 GiB (scx_layered's `layers` is
                // 158 MiB with its default limits; libbpf then refuses the map).
                let zeroFilled = g.initializer == nil && g.attributes.section == nil
                    && !g.type.isConstQualified && !isConstArray(g.type) && size <= Int(UInt32.max)   // (BTF sizes are 32-bit)
                guard size <= Self.largestGlobal || zeroFilled else {
                    errors.append(Diagnostic(.error, g.location, "variable '\(g.name)' of \(size) bytes is larger than a BPF global data section can hold (at most \(Self.largestGlobal) bytes)"))
                    continue
                }
                var bytes = [UInt8](repeating: 0, count: zeroFilled ? 0 : size)
                var relocs: [DataRelocation] = []
                if let i = g.initializer {
                    do { try write(i, type: g.type, into: &bytes, at: 0, relocations: &relocs, location: g.location) }
                    catch let e as LoweringError { errors.append(e.diagnostic); continue }
                }
                let allZero = zeroFilled || (relocs.isEmpty && bytes.allSatisfy { $0 == 0 })
                let name: String
                if let s = g.attributes.section { name = s }
                else if g.type.isConstQualified || isConstArray(g.type) { name = ".rodata" }
                else if allZero { name = ".bss" }
                else { name = ".data" }
                let kind: DataSectionKind = name == ".bss" || name.hasPrefix(".bss.") ? .bss
                    : (name == ".rodata" || name.hasPrefix(".rodata.") ? .readOnly : .data)
                if index[name] == nil {
                    index[name] = sections.count
                    sections.append(DataSection(name: name, kind: kind, alignment: 1, bytes: [], size: 0,
                                                symbols: [], relocations: []))
                }
                var sec = sections[index[name]!]
                let align = max(g.attributes.alignment ?? 1, layout.alignment(g.type))
                let offset = (sec.size + align - 1) / align * align
                sec.alignment = max(sec.alignment, align)
                if kind != .bss {
                    sec.bytes += [UInt8](repeating: 0, count: offset - sec.bytes.count)
                    sec.bytes += bytes
                }
                sec.size = offset + size
                sec.symbols.append(DataSymbol(name: g.name, offset: offset, size: size, type: g.type,
                                              isStatic: g.isStatic, isWeak: g.attributes.weak,
                                              isHidden: g.attributes.hidden, btfDeclTags: g.attributes.btfDeclTags))
                sec.relocations += relocs.map { DataRelocation(offset: $0.offset + offset, symbol: $0.symbol, bytes: $0.bytes) }
                sections[index[name]!] = sec
            }
        }
        if !errors.isEmpty { throw DiagnosticList(errors) }
        if !module.stringPool.isEmpty {
            sections.append(DataSection(name: ModuleLowering.stringSection, kind: .readOnly, alignment: 1,
                                        bytes: module.stringPool, size: module.stringPool.count,
                                        symbols: [], relocations: []))
        }
        return sections
    }

    /// The size of an object including the elements its initializer gives a trailing
    /// flexible array member (a GNU extension BTF maps use: `.values = { ... }`).
    func initializedSize(_ type: CType, _ initializer: Initializer?) -> Int {
        let base = layout.size(type)
        guard case .record(let id) = type.canonical, case .list(_, let items)? = initializer,
              let last = module.unit.records[id].fields.last,
              case .array(let elem, let count) = last.type.canonical, count == nil || count == 0,
              let (_, flex) = items.first(where: { $0.0 == module.unit.records[id].fields.count - 1 }),
              case .list(_, let elems) = flex, let maxIndex = elems.map(\.0).max() else { return base }
        // Not rounded up to the record's alignment, as clang sizes the symbol (the next
        // object is placed at its own alignment).
        let end = last.bitOffset / 8 + (maxIndex + 1) * layout.size(elem)
        return max(base, end)
    }

    private func isConstArray(_ t: CType) -> Bool {
        if case .array(let e, _) = t.canonical { return e.isConstQualified || isConstArray(e) }
        return false
    }

    /// Encodes `initializer` for an object of `type` at `offset`.
    func write(_ initializer: Initializer, type: CType, into bytes: inout [UInt8], at offset: Int,
               relocations: inout [DataRelocation], location: SourceLocation) throws {
        switch initializer {
        case .expr(let e):
            if case .array = type.canonical {
                guard case .string(let s)? = ConstantEvaluator.evaluate(e, layout: layout) else {
                    throw LoweringError(e.location, "array initializer is not a constant string")
                }
                let n = min(s.count, layout.size(type))
                for k in 0..<n where offset + k < bytes.count { bytes[offset + k] = s[k] }
                return
            }
            if layout.record(type) != nil {
                throw LoweringError(e.location, "initializer element is not a compile-time constant")
            }
            if ConstantEvaluator.isWide(type) {
                guard let v = ConstantEvaluator.wideInteger(e) else {
                    throw LoweringError(e.location, "initializer element is not a compile-time constant")
                }
                let (lo, hi) = module.options.bigEndian ? (8, 0) : (0, 8)
                store(UInt64(truncatingIfNeeded: v), size: 8, into: &bytes, at: offset + lo)
                store(UInt64(truncatingIfNeeded: v >> 64), size: 8, into: &bytes, at: offset + hi)
                return
            }
            guard let v = ConstantEvaluator.evaluate(e, layout: layout) else {
                throw LoweringError(e.location, "initializer element is not a compile-time constant")
            }
            let size = layout.size(type)
            switch v {
            case .integer(let x):
                store(UInt64(bitPattern: x), size: size, into: &bytes, at: offset)
            case .address(let sym, let off):
                store(UInt64(bitPattern: off), size: size, into: &bytes, at: offset)
                relocations.append(DataRelocation(offset: offset, symbol: sym, bytes: size))
                if let f = module.functionsByName[sym] {
                    guard f.body != nil else {
                        throw LoweringError(e.location, "function '\(sym)' is declared but not defined in this file; an initializer cannot take its address")
                    }
                    module.request(sym)
                } else if let g = module.globalsByName[sym] {
                    if g.isExtern {
                        throw LoweringError(e.location, "'\(sym)' is an extern variable; an initializer cannot take its address (the loader does not resolve it)")
                    }
                } else {
                    throw LoweringError(e.location, "'\(sym)' is declared but not defined in this file; an initializer cannot take its address")
                }
                module.referencedGlobals.insert(sym)
            case .string(let s):
                let o = module.internString(s)
                store(UInt64(o), size: size, into: &bytes, at: offset)
                relocations.append(DataRelocation(offset: offset, symbol: ModuleLowering.stringSection, bytes: size))
            }
        case .list(_, let items):
            switch type.canonical {
            case .array(let elem, _):
                let es = layout.size(elem)
                for (i, v) in items {
                    try write(v, type: elem, into: &bytes, at: offset + i * es, relocations: &relocations, location: location)
                }
            case .record(let id):
                let rec = module.unit.records[id]
                for (i, v) in items where i < rec.fields.count {
                    let f = rec.fields[i]
                    if let w = f.bitWidth {
                        guard case .expr(let e) = v, let x = ConstantEvaluator.integer(e) else {
                            throw LoweringError(location, "bitfield initializer is not a constant")
                        }
                        insertBits(UInt64(bitPattern: x), bitOffset: f.bitOffset, width: w, into: &bytes, base: offset)
                    } else {
                        try write(v, type: f.type, into: &bytes, at: offset + f.bitOffset / 8,
                                  relocations: &relocations, location: location)
                    }
                }
            default:
                if let (_, v) = items.first {
                    try write(v, type: type, into: &bytes, at: offset, relocations: &relocations, location: location)
                }
            }
        }
    }

    private func store(_ value: UInt64, size: Int, into bytes: inout [UInt8], at offset: Int) {
        for k in 0..<size where offset + k < bytes.count {
            let shift = module.options.bigEndian ? (size - 1 - k) * 8 : k * 8
            bytes[offset + k] = UInt8(truncatingIfNeeded: value >> UInt64(shift))
        }
    }

    private func insertBits(_ value: UInt64, bitOffset: Int, width: Int, into bytes: inout [UInt8], base: Int) {
        for b in 0..<width {
            let bit = (value >> UInt64(b)) & 1
            let pos = bitOffset + b
            let byte = base + pos / 8
            guard byte < bytes.count else { continue }
            if bit == 1 { bytes[byte] |= UInt8(1 << (pos % 8)) } else { bytes[byte] &= ~UInt8(1 << (pos % 8)) }
        }
    }
}
