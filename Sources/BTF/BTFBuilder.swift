import BPFFrontend

/// Builds the .BTF type graph of a translation unit and the .BTF.ext records.
public struct BTFBuilder {
    let unit: TranslationUnit
    private var types: [BTFTypeRecord] = []          // id = index + 1
    private var ids: [CType: Int] = [:]
    private var strings = BTFStrings()
    private var arrayIndexType: Int?
    private var funcInfo: [String: [(Int, Int)]] = [:]
    private var lineInfo: [String: [(Int, UInt32, UInt32, UInt32)]] = [:]
    private var coreRelos: [String: [(Int, Int, UInt32, Int)]] = [:]
    private var sectionOrder: [String] = []

    public init(unit: TranslationUnit) { self.unit = unit }

    public mutating func addString(_ s: String) -> UInt32 { strings.add(s) }

    private mutating func append(_ r: BTFTypeRecord) -> Int {
        types.append(r)
        return types.count
    }

    /// The BTF id of a C type, adding it (and everything it refers to) on first use.
    public mutating func typeID(of type: CType) -> Int {
        if case .void = type { return 0 }
        if let id = ids[type] { return id }
        switch type {
        case .void: return 0
        case .bool:
            return intern(type, BTFTypeRecord(nameOffset: strings.add("_Bool"), kind: .int, vlen: 0, kindFlag: false,
                                              sizeOrType: 1, extra: [(4 << 24) | 8]))
        case .int(let bytes, let signed, let name):
            return intern(type, BTFTypeRecord(nameOffset: strings.add(name), kind: .int, vlen: 0, kindFlag: false,
                                              sizeOrType: UInt32(bytes),
                                              extra: [((signed ? 1 : 0) << 24) | UInt32(bytes * 8)]))
        case .float(let bytes):
            return intern(type, BTFTypeRecord(nameOffset: strings.add(bytes == 4 ? "float" : "double"), kind: .float,
                                              vlen: 0, kindFlag: false, sizeOrType: UInt32(bytes), extra: []))
        case .pointer(let p):
            let slot = reserve(type)
            let target = typeID(of: p)
            types[slot - 1] = BTFTypeRecord(nameOffset: 0, kind: .ptr, vlen: 0, kindFlag: false, sizeOrType: UInt32(target), extra: [])
            return slot
        case .array(let elem, let count):
            let e = typeID(of: elem)
            let idx = indexType()
            return intern(type, BTFTypeRecord(nameOffset: 0, kind: .array, vlen: 0, kindFlag: false, sizeOrType: 0,
                                              extra: [UInt32(e), UInt32(idx), UInt32(count ?? 0)]))
        case .typedef(let name, let under):
            let slot = reserve(type)
            let t = typeID(of: under)
            types[slot - 1] = BTFTypeRecord(nameOffset: strings.add(name), kind: .typedef, vlen: 0, kindFlag: false,
                                            sizeOrType: UInt32(t), extra: [])
            return slot
        case .const(let t): return modifier(type, .const, t, name: nil)
        case .volatile(let t): return modifier(type, .volatile, t, name: nil)
        case .restrict(let t): return modifier(type, .restrict, t, name: nil)
        case .typeTag(let tag, let t): return modifier(type, .typeTag, t, name: tag)
        case .function(let ft):
            return functionProto(type, ft, names: [])
        case .record(let rid):
            return record(type, rid)
        case .enumeration(let eid):
            return enumeration(type, eid)
        }
    }

    private mutating func intern(_ t: CType, _ r: BTFTypeRecord) -> Int {
        let id = append(r)
        ids[t] = id
        return id
    }

    private mutating func reserve(_ t: CType) -> Int {
        let id = append(BTFTypeRecord(nameOffset: 0, kind: .int, vlen: 0, kindFlag: false, sizeOrType: 0, extra: [0]))
        ids[t] = id
        return id
    }

    private mutating func modifier(_ t: CType, _ kind: BTFKind, _ inner: CType, name: String?) -> Int {
        let slot = reserve(t)
        let target = typeID(of: inner)
        types[slot - 1] = BTFTypeRecord(nameOffset: name.map { strings.add($0) } ?? 0, kind: kind, vlen: 0, kindFlag: false,
                                        sizeOrType: UInt32(target), extra: [])
        return slot
    }

    private mutating func indexType() -> Int {
        if let i = arrayIndexType { return i }
        let id = append(BTFTypeRecord(nameOffset: strings.add("__ARRAY_SIZE_TYPE__"), kind: .int, vlen: 0, kindFlag: false,
                                      sizeOrType: 4, extra: [32]))
        arrayIndexType = id
        return id
    }

    private mutating func functionProto(_ t: CType?, _ ft: FunctionType, names: [String]) -> Int {
        let ret = typeID(of: ft.returnType)
        var params: [UInt32] = []
        for (i, p) in ft.parameters.enumerated() {
            let name = i < names.count ? strings.add(names[i]) : 0
            params += [name, UInt32(typeID(of: p))]
        }
        if ft.isVariadic { params += [0, 0] }
        let r = BTFTypeRecord(nameOffset: 0, kind: .functionProto, vlen: UInt32(params.count / 2), kindFlag: false,
                              sizeOrType: UInt32(ret), extra: params)
        if let t = t, names.isEmpty { return intern(t, r) }
        return append(r)
    }

    private mutating func record(_ t: CType, _ rid: RecordID) -> Int {
        let rec = unit.records[rid]
        let name = rec.name.map { strings.add($0) } ?? 0
        if !rec.isComplete {
            return intern(t, BTFTypeRecord(nameOffset: name, kind: .fwd, vlen: 0, kindFlag: rec.isUnion, sizeOrType: 0, extra: []))
        }
        let slot = reserve(t)
        let hasBitfields = rec.fields.contains { $0.bitWidth != nil }
        var members: [UInt32] = []
        for f in rec.fields {
            let fname = f.name.map { strings.add($0) } ?? 0
            let ftype = typeID(of: f.type)
            let off = hasBitfields ? (UInt32(f.bitWidth ?? 0) << 24) | UInt32(f.bitOffset) : UInt32(f.bitOffset)
            members += [fname, UInt32(ftype), off]
        }
        types[slot - 1] = BTFTypeRecord(nameOffset: name, kind: rec.isUnion ? .union : .structure,
                                        vlen: UInt32(rec.fields.count), kindFlag: hasBitfields,
                                        sizeOrType: UInt32(rec.size), extra: members)
        return slot
    }

    private mutating func enumeration(_ t: CType, _ eid: EnumID) -> Int {
        let e = unit.enums[eid]
        let name = e.name.map { strings.add($0) } ?? 0
        let wide = e.values.contains { $0.value > Int64(UInt32.max) || $0.value < Int64(Int32.min) } || e.size > 4
        var extra: [UInt32] = []
        for v in e.values {
            let u = UInt64(bitPattern: v.value)
            extra.append(strings.add(v.name))
            extra.append(UInt32(truncatingIfNeeded: u))
            if wide { extra.append(UInt32(truncatingIfNeeded: u >> 32)) }
        }
        return intern(t, BTFTypeRecord(nameOffset: name, kind: wide ? .enum64 : .enumeration, vlen: UInt32(e.values.count),
                                       kindFlag: e.isSigned, sizeOrType: UInt32(e.size), extra: extra))
    }

    // MARK: functions, variables, sections

    public mutating func addFunction(name: String, type: FunctionType, parameterNames: [String], linkage: BTFLinkage) -> Int {
        let proto = functionProto(nil, type, names: parameterNames)
        return append(BTFTypeRecord(nameOffset: strings.add(name), kind: .function, vlen: linkage.rawValue, kindFlag: false,
                                    sizeOrType: UInt32(proto), extra: []))
    }

    public mutating func addDeclTag(_ tag: String, to typeID: Int, component: Int) {
        _ = append(BTFTypeRecord(nameOffset: strings.add(tag), kind: .declTag, vlen: 0, kindFlag: false,
                                 sizeOrType: UInt32(typeID), extra: [UInt32(bitPattern: Int32(component))]))
    }

    public mutating func addDataSection(name: String, size: Int, variables: [BTFVariable]) {
        var entries: [(UInt32, UInt32, UInt32)] = []
        for v in variables.sorted(by: { $0.offset < $1.offset }) {
            let t = typeID(of: v.type)
            // Hoisted static locals are named `function.name` in ELF, `name` in BTF (as clang does).
            let shortName = v.linkage == .static ? String(v.name.split(separator: ".", maxSplits: 1).last ?? Substring(v.name)) : v.name
            let varID = append(BTFTypeRecord(nameOffset: strings.add(shortName), kind: .variable, vlen: 0, kindFlag: false,
                                             sizeOrType: UInt32(t), extra: [v.linkage.rawValue]))
            entries.append((UInt32(varID), UInt32(v.offset), UInt32(v.size)))
        }
        _ = append(BTFTypeRecord(nameOffset: strings.add(name), kind: .dataSection, vlen: UInt32(entries.count), kindFlag: false,
                                 sizeOrType: UInt32(size), extra: entries.flatMap { [$0.0, $0.1, $0.2] }))
    }

    private mutating func noteSection(_ s: String) { if !sectionOrder.contains(s) { sectionOrder.append(s) } }

    public mutating func addFuncInfo(section: String, instructionByteOffset: Int, typeID: Int) {
        noteSection(section)
        funcInfo[section, default: []].append((instructionByteOffset, typeID))
    }

    public mutating func addLineInfo(section: String, instructionByteOffset: Int, file: String, line: Int, column: Int,
                                     lineText: String) {
        noteSection(section)
        let f = strings.add(file), l = strings.add(lineText)
        lineInfo[section, default: []].append((instructionByteOffset, f, l, UInt32(line << 10 | min(column, 1023))))
    }

    public mutating func addCoreRelo(section: String, instructionByteOffset: Int, typeID: Int, accessString: String, kind: Int) {
        noteSection(section)
        coreRelos[section, default: []].append((instructionByteOffset, typeID, strings.add(accessString), kind))
    }

    // MARK: encoding

    public mutating func encode(bigEndian: Bool) -> (btf: [UInt8], ext: [UInt8]) {
        // Section names used by .BTF.ext must be in the string table before it is written.
        for s in sectionOrder { _ = strings.add(s) }
        var typeBytes = BTFByteWriter(bigEndian: bigEndian)
        for t in types {
            typeBytes.u32(t.nameOffset); typeBytes.u32(t.info); typeBytes.u32(t.sizeOrType)
            for x in t.extra { typeBytes.u32(x) }
        }
        var btf = BTFByteWriter(bigEndian: bigEndian)
        btf.u16(0xeB9F); btf.u8(1); btf.u8(0)
        btf.u32(24); btf.u32(0); btf.u32(UInt32(typeBytes.bytes.count))
        btf.u32(UInt32(typeBytes.bytes.count)); btf.u32(UInt32(strings.bytes.count))
        btf.bytes += typeBytes.bytes + strings.bytes

        var fi = BTFByteWriter(bigEndian: bigEndian)
        fi.u32(8)
        for s in sectionOrder {
            guard let list = funcInfo[s], !list.isEmpty else { continue }
            fi.u32(strings.add(s)); fi.u32(UInt32(list.count))
            for (off, id) in list { fi.u32(UInt32(off)); fi.u32(UInt32(id)) }
        }
        var li = BTFByteWriter(bigEndian: bigEndian)
        li.u32(16)
        for s in sectionOrder {
            guard let list = lineInfo[s], !list.isEmpty else { continue }
            li.u32(strings.add(s)); li.u32(UInt32(list.count))
            for (off, f, l, lc) in list { li.u32(UInt32(off)); li.u32(f); li.u32(l); li.u32(lc) }
        }
        var cr = BTFByteWriter(bigEndian: bigEndian)
        cr.u32(16)
        for s in sectionOrder {
            guard let list = coreRelos[s], !list.isEmpty else { continue }
            cr.u32(strings.add(s)); cr.u32(UInt32(list.count))
            for (off, id, acc, kind) in list { cr.u32(UInt32(off)); cr.u32(UInt32(id)); cr.u32(acc); cr.u32(UInt32(kind)) }
        }
        let hasCore = cr.bytes.count > 4
        var ext = BTFByteWriter(bigEndian: bigEndian)
        ext.u16(0xeB9F); ext.u8(1); ext.u8(0)
        ext.u32(32)
        ext.u32(0); ext.u32(UInt32(fi.bytes.count))
        ext.u32(UInt32(fi.bytes.count)); ext.u32(UInt32(li.bytes.count))
        ext.u32(UInt32(fi.bytes.count + li.bytes.count)); ext.u32(hasCore ? UInt32(cr.bytes.count) : 0)
        ext.bytes += fi.bytes + li.bytes + (hasCore ? cr.bytes : [])
        // Re-encode .BTF if the ext strings grew the table (they were added above; keep both in sync).
        return (btf.bytes, funcInfo.isEmpty && lineInfo.isEmpty && !hasCore ? [] : ext.bytes)
    }
}

struct BTFStrings {
    private(set) var bytes: [UInt8] = [0]
    private var offsets: [String: UInt32] = ["": 0]
    mutating func add(_ s: String) -> UInt32 {
        if let o = offsets[s] { return o }
        let o = UInt32(bytes.count)
        bytes += Array(s.utf8) + [0]
        offsets[s] = o
        return o
    }
}

struct BTFByteWriter {
    var bytes: [UInt8] = []
    let bigEndian: Bool
    init(bigEndian: Bool) { self.bigEndian = bigEndian }
    mutating func u8(_ v: UInt8) { bytes.append(v) }
    mutating func u16(_ v: UInt16) { put(UInt64(v), 2) }
    mutating func u32(_ v: UInt32) { put(UInt64(v), 4) }
    private mutating func put(_ v: UInt64, _ n: Int) {
        for i in 0..<n { bytes.append(UInt8(truncatingIfNeeded: v >> UInt64(bigEndian ? (n - 1 - i) * 8 : i * 8))) }
    }
}
