import BPFIR
import BPFFrontend

/// C type questions lowering asks, answered from the translation unit.
struct TypeLayout {
    let unit: TranslationUnit

    func size(_ t: CType) -> Int { unit.size(of: t) }
    func alignment(_ t: CType) -> Int { unit.alignment(of: t) }
    func isSigned(_ t: CType) -> Bool { unit.isSigned(t) }

    func isAggregate(_ t: CType) -> Bool { t.isAggregate }

    func isScalar(_ t: CType) -> Bool {
        switch t.canonical {
        case .int, .bool, .enumeration, .pointer: return true
        default: return false
        }
    }

    /// Register width of a scalar type.
    func width(_ t: CType) -> Width {
        switch t.canonical {
        case .pointer, .function, .array: return .w64
        case .bool: return .w8
        default: return Width(bytes: size(t)) ?? .w64
        }
    }

    /// Width used for arithmetic on an (already promoted) type: w32 or w64.
    func opWidth(_ t: CType) -> Width { width(t) == .w64 ? .w64 : .w32 }

    func record(_ t: CType) -> RecordDecl? {
        if case .record(let id) = t.canonical, id >= 0, id < unit.records.count { return unit.records[id] }
        return nil
    }

    /// Mask of the low `width` bits.
    static func mask(_ w: Width) -> UInt64 { w.mask }

    /// Normalises a constant to the register representation of a value of width `w`:
    /// the low bits zero-extended.
    static func normalize(_ v: Int64, _ w: Width) -> Int64 {
        Int64(bitPattern: UInt64(bitPattern: v) & mask(w))
    }

    /// Sign-interprets the low bits of a constant.
    static func signExtend(_ v: Int64, _ w: Width) -> Int64 {
        if w == .w64 { return v }
        let shift = 64 - w.bits
        return (v << Int64(shift)) >> Int64(shift)
    }
}
