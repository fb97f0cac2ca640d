import BPFFrontend

/// BTF type kinds (include/uapi/linux/btf.h).
enum BTFKind: UInt32 {
    case int = 1, ptr, array, structure, union, enumeration, fwd, typedef, volatile, const, restrict
    case function, functionProto, variable, dataSection, float, declTag, typeTag, enum64
}

public enum BTFLinkage: UInt32, Sendable { case `static` = 0, global = 1, extern = 2 }
public enum BTFVarLinkage: UInt32, Sendable { case `static` = 0, global = 1, extern = 2 }

/// A variable placed in a DATASEC.
public struct BTFVariable: Hashable, Sendable {
    public var name: String
    public var type: CType
    public var offset: Int
    public var size: Int
    public var linkage: BTFVarLinkage
    public init(name: String, type: CType, offset: Int, size: Int, linkage: BTFVarLinkage) {
        self.name = name; self.type = type; self.offset = offset; self.size = size; self.linkage = linkage
    }
}

/// One encoded BTF type: the common header plus its kind-specific trailing words.
struct BTFTypeRecord {
    var nameOffset: UInt32
    var kind: BTFKind
    var vlen: UInt32
    var kindFlag: Bool
    var sizeOrType: UInt32
    var extra: [UInt32]

    var info: UInt32 { (kindFlag ? 1 << 31 : 0) | (kind.rawValue << 24) | (vlen & 0xffff) }
}
