import BPFFrontend

/// BTF type kinds (include/uapi/linux/btf.h).
enum BTFKind: UInt32 {
    case int = 1, ptr, array, structure, union, enumeration, fwd, typedef, volatile, const, restrict
    case function, functionProto, variable, dataSection, float, declTag, typeTag, enum64
}

/// BTF_INT_* encoding bits (the high byte of an INT's extra word).
enum BTFIntEncoding: UInt32 {
    case none = 0, signed = 1, char = 2, bool = 4
}

/// Linkage of a FUNC (btf_func_linkage): static 0, global 1, extern 2.
public enum BTFLinkage: UInt32, Hashable, Sendable { case `static` = 0, global = 1, extern = 2 }

/// Linkage of a VAR (btf_var_linkage): static 0, global allocated 1, extern 2.
public enum BTFVarLinkage: UInt32, Hashable, Sendable { case `static` = 0, global = 1, extern = 2 }

/// A variable placed in a DATASEC. An extern function (a kfunc in `.ksyms`)
/// is given with a `.function` type and `.extern` linkage: its entry then
/// points at the FUNC, as clang does.
public struct BTFVariable: Hashable, Sendable {
    public var name: String
    public var type: CType
    public var offset: Int
    public var size: Int
    public var linkage: BTFVarLinkage
    public var declTags: [String]
    public init(name: String, type: CType, offset: Int, size: Int, linkage: BTFVarLinkage, declTags: [String] = []) {
        self.name = name; self.type = type; self.offset = offset; self.size = size; self.linkage = linkage
        self.declTags = declTags
    }
}

/// One encoded BTF type: the common header plus its kind-specific trailing words.
struct BTFTypeRecord: Hashable {
    var nameOffset: UInt32
    var kind: BTFKind
    var vlen: UInt32
    var kindFlag: Bool
    var sizeOrType: UInt32
    var extra: [UInt32]

    init(name: UInt32 = 0, kind: BTFKind, vlen: UInt32 = 0, kindFlag: Bool = false, sizeOrType: UInt32 = 0,
         extra: [UInt32] = []) {
        self.nameOffset = name; self.kind = kind; self.vlen = vlen; self.kindFlag = kindFlag
        self.sizeOrType = sizeOrType; self.extra = extra
    }

    var info: UInt32 { (kindFlag ? 1 << 31 : 0) | (kind.rawValue << 24) | (vlen & 0xffff) }

    /// A placeholder for an id reserved before its referents exist (recursive types).
    static let placeholder = BTFTypeRecord(kind: .int, sizeOrType: 0, extra: [0])
}
