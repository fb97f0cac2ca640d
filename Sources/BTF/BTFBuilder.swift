import BPFFrontend

/// Builds the .BTF type graph of a translation unit and the .BTF.ext records.
///
/// Type ids are assigned in order of first use (id 0 is void). The same
/// `CType` always gets the same id; records, pointers, typedefs and
/// qualifiers reserve their id before visiting what they refer to, so
/// recursive types terminate.
///
/// Which records are written in full follows clang's BTF generator, so that an
/// object that touches `task_struct` does not carry the whole kernel type graph:
/// the types of functions, variables, map definitions (with their key and value
/// pointees) and CO-RE roots are complete, as are records embedded in them; a
/// named record reached through a pointer *inside a member* is written in full
/// only if something else needs it in full, otherwise as a FWD.
public struct BTFBuilder: Sendable {
    let unit: TranslationUnit
    var types: [BTFTypeRecord] = []          // id = index + 1
    var ids: [CType: Int] = [:]
    var strings = BTFStrings()
    var arrayIndexType: Int?
    var functionIDs: [String: Int] = [:]      // FUNC ids by name (first added wins)
    var ext = BTFExtInfo()
    /// Derived types (PTR, TYPEDEF, qualifiers) inside members whose target is a named
    /// record reached behind a pointer: resolved when encoding, to the record if it was
    /// written in full, else to a FWD.
    var pendingPointees: [RecordID: [Int]] = [:]

    public init(unit: TranslationUnit) { self.unit = unit }

    /// Adds a string to the .BTF string table and returns its offset.
    public mutating func addString(_ s: String) -> UInt32 { strings.add(s) }

    /// Number of types so far (the largest id).
    public var typeCount: Int { types.count }

    /// The FUNC id added for `name`, if any.
    public func functionID(named name: String) -> Int? { functionIDs[name] }

    mutating func append(_ r: BTFTypeRecord) -> Int {
        types.append(r)
        return types.count
    }

    mutating func intern(_ t: CType, _ r: BTFTypeRecord) -> Int {
        let id = append(r)
        ids[t] = id
        return id
    }

    mutating func reserve(_ t: CType) -> Int {
        let id = append(.placeholder)
        ids[t] = id
        return id
    }

    /// The BTF id of a C type, adding it (and everything it refers to) on first use.
    public mutating func typeID(of type: CType) -> Int {
        visit(type, inMember: false, behindPointer: false)
    }

    /// A type reached from a root. `inMember`: the path from the root passed through a
    /// struct/union member; `behindPointer`: and through a pointer after that member.
    mutating func visit(_ type: CType, inMember: Bool, behindPointer: Bool) -> Int {
        if case .void = type { return 0 }
        if let id = ids[type] {
            if !inMember || !behindPointer { completeChain(below: type, inMember: inMember) }
            return id
        }
        switch type {
        case .void:
            return 0
        case .bool:
            return intern(type, BTFTypeRecord(name: strings.add("_Bool"), kind: .int, sizeOrType: 1,
                                              extra: [BTFIntEncoding.bool.rawValue << 24 | 8]))
        case .int(let bytes, let signed, let name):
            let enc: BTFIntEncoding = signed ? .signed : .none
            return intern(type, BTFTypeRecord(name: strings.add(name), kind: .int, sizeOrType: UInt32(max(0, bytes)),
                                              extra: [enc.rawValue << 24 | UInt32(max(0, bytes) * 8 & 0xff)]))
        case .float(let bytes):
            let name = bytes == 4 ? "float" : bytes == 8 ? "double" : "long double"
            return intern(type, BTFTypeRecord(name: strings.add(name), kind: .float, sizeOrType: UInt32(max(0, bytes))))
        case .pointer(let p):
            return reference(type, .ptr, p, name: nil, inMember: inMember, behindPointer: behindPointer)
        case .array(let elem, let count):
            let slot = reserve(type)
            let e = typeID(of: elem)
            let idx = indexType()
            types[slot - 1] = BTFTypeRecord(kind: .array, extra: [UInt32(e), UInt32(idx), UInt32(clamping: max(0, count ?? 0))])
            return slot
        case .typedef(let name, let under):
            return reference(type, .typedef, under, name: name, inMember: inMember, behindPointer: behindPointer)
        case .const(let t): return reference(type, .const, t, name: nil, inMember: inMember, behindPointer: behindPointer)
        case .volatile(let t): return reference(type, .volatile, t, name: nil, inMember: inMember, behindPointer: behindPointer)
        case .restrict(let t): return reference(type, .restrict, t, name: nil, inMember: inMember, behindPointer: behindPointer)
        case .typeTag(let tag, let t):
            return reference(type, .typeTag, t, name: tag, inMember: inMember, behindPointer: behindPointer)
        case .function(let ft):
            let slot = reserve(type)
            types[slot - 1] = functionProto(ft, names: nil)
            return slot
        case .record(let rid):
            return record(type, rid)
        case .enumeration(let eid):
            return enumeration(type, eid)
        }
    }

    /// PTR, TYPEDEF, CONST, VOLATILE, RESTRICT, TYPE_TAG: one referenced type.
    private mutating func reference(_ t: CType, _ kind: BTFKind, _ inner: CType, name: String?,
                                    inMember: Bool, behindPointer: Bool) -> Int {
        let behind = behindPointer || (inMember && kind == .ptr)
        let slot = reserve(t)
        let nameOffset = name.map { strings.add($0) } ?? 0
        if inMember && behind, let rid = deferrableRecord(inner) {
            types[slot - 1] = BTFTypeRecord(name: nameOffset, kind: kind, sizeOrType: 0)
            pendingPointees[rid, default: []].append(slot)
            return slot
        }
        let target = visit(inner, inMember: inMember, behindPointer: behind)
        types[slot - 1] = BTFTypeRecord(name: nameOffset, kind: kind, sizeOrType: UInt32(target))
        return slot
    }

    /// A named, defined struct/union that may be written as a FWD behind a pointer.
    func deferrableRecord(_ t: CType) -> RecordID? {
        guard case .record(let rid) = t, unit.records.indices.contains(rid),
              unit.records[rid].isComplete, unit.records[rid].name != nil else { return nil }
        return rid
    }

    /// A derived type met again from a root that needs it whole: the first type below it
    /// not written yet is written now (a record deferred behind a pointer among them).
    private mutating func completeChain(below type: CType, inMember: Bool) {
        var cur = type
        var behind = false
        while let (inner, isPointer) = Self.referencedType(cur) {
            if ids[inner] != nil { cur = inner; continue }
            if inMember && isPointer {
                behind = true
                if deferrableRecord(inner) != nil { return }
            }
            _ = visit(inner, inMember: inMember, behindPointer: behind)
            return
        }
    }

    static func referencedType(_ t: CType) -> (CType, Bool)? {
        switch t {
        case .pointer(let p): return (p, true)
        case .typedef(_, let u), .const(let u), .volatile(let u), .restrict(let u), .typeTag(_, let u): return (u, false)
        default: return nil
        }
    }

    /// Points every deferred reference at its record, or at a FWD when no member, root or
    /// map definition needed the record whole.
    mutating func resolvePendingPointees() {
        for (rid, slots) in pendingPointees.sorted(by: { $0.key < $1.key }) {
            let rec = unit.records[rid]
            let target = ids[.record(rid)]
                ?? append(BTFTypeRecord(name: rec.name.map { strings.add($0) } ?? 0, kind: .fwd, kindFlag: rec.isUnion))
            for s in slots { types[s - 1].sizeOrType = UInt32(target) }
        }
        pendingPointees = [:]
    }

    /// The INT that array types use as their index type (as clang emits it).
    mutating func indexType() -> Int {
        if let i = arrayIndexType { return i }
        let id = append(BTFTypeRecord(name: strings.add("__ARRAY_SIZE_TYPE__"), kind: .int, sizeOrType: 4, extra: [32]))
        arrayIndexType = id
        return id
    }
}
