import BPFFrontend

/// Builds the .BTF type graph of a translation unit and the .BTF.ext records.
///
/// Type ids are assigned in order of first use (id 0 is void). The same
/// `CType` always gets the same id; records, pointers, typedefs and
/// qualifiers reserve their id before visiting what they refer to, so
/// recursive types terminate.
public struct BTFBuilder: Sendable {
    let unit: TranslationUnit
    var types: [BTFTypeRecord] = []          // id = index + 1
    var ids: [CType: Int] = [:]
    var strings = BTFStrings()
    var arrayIndexType: Int?
    var functionIDs: [String: Int] = [:]      // FUNC ids by name (first added wins)
    var ext = BTFExtInfo()

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
        if case .void = type { return 0 }
        if let id = ids[type] { return id }
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
            return reference(type, .ptr, p, name: nil)
        case .array(let elem, let count):
            let slot = reserve(type)
            let e = typeID(of: elem)
            let idx = indexType()
            types[slot - 1] = BTFTypeRecord(kind: .array, extra: [UInt32(e), UInt32(idx), UInt32(clamping: max(0, count ?? 0))])
            return slot
        case .typedef(let name, let under):
            return reference(type, .typedef, under, name: name)
        case .const(let t): return reference(type, .const, t, name: nil)
        case .volatile(let t): return reference(type, .volatile, t, name: nil)
        case .restrict(let t): return reference(type, .restrict, t, name: nil)
        case .typeTag(let tag, let t): return reference(type, .typeTag, t, name: tag)
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
    private mutating func reference(_ t: CType, _ kind: BTFKind, _ inner: CType, name: String?) -> Int {
        let slot = reserve(t)
        let target = typeID(of: inner)
        types[slot - 1] = BTFTypeRecord(name: name.map { strings.add($0) } ?? 0, kind: kind, sizeOrType: UInt32(target))
        return slot
    }

    /// The INT that array types use as their index type (as clang emits it).
    mutating func indexType() -> Int {
        if let i = arrayIndexType { return i }
        let id = append(BTFTypeRecord(name: strings.add("__ARRAY_SIZE_TYPE__"), kind: .int, sizeOrType: 4, extra: [32]))
        arrayIndexType = id
        return id
    }
}
