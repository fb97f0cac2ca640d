import BPFIR
import BPFFrontend

/// `__builtin_object_size` and `__builtin_dynamic_object_size` of pointers into a named
/// object, as clang's optimizer answers them: the bytes from the pointer to the end of
/// the whole variable (types 0 and 2) or of the closest member or array holding it
/// (types 1 and 3). A pointer reached otherwise (a parameter, a loaded pointer) has an
/// unknown object: -1 for types 0 and 1, 0 for types 2 and 3.
extension FunctionLowering {
    /// Where a pointer points: into an object of `whole` bytes at `offset`, inside the
    /// subobject of `part` bytes at `partOffset`.
    struct ObjectPlace {
        var whole: Int64, offset: Int64
        var part: Int64, partOffset: Int64

        func moved(by bytes: Int64) -> ObjectPlace {
            ObjectPlace(whole: whole, offset: offset + bytes, part: part, partOffset: partOffset + bytes)
        }
    }

    /// The value of `__builtin_object_size(pointer, type)` (also the dynamic form).
    func objectSize(of pointer: Expr, type: Int64) -> Int64 {
        guard let place = pointee(of: pointer) else { return type & 2 != 0 ? 0 : -1 }
        let (size, at) = type & 1 != 0 ? (place.part, place.partOffset) : (place.whole, place.offset)
        return at < 0 || at > size ? 0 : size - at
    }

    /// Where `e`, a pointer, points, when it is the address of (a part of) a variable.
    private func pointee(of e: Expr) -> ObjectPlace? {
        switch e.kind {
        case .unary(.addressOf, let lvalue):
            return place(of: lvalue)
        case .cast(let inner, _) where isArray(inner.type):
            return place(of: inner)      // an array decaying to a pointer to its first element
        case .cast(let inner, _) where inner.type.isPointer:
            return pointee(of: inner)
        case .binary(let op, let p, let k) where (op == .add || op == .sub) && p.type.isPointer:
            guard let n = ConstantEvaluator.integer(k), let place = pointee(of: p) else { return nil }
            let step = Int64(max(1, layout.size(p.type.pointee ?? .void)))
            return place.moved(by: (op == .add ? n : -n) * step)
        default:
            return nil
        }
    }

    /// Where the object `e` (an lvalue) lies: a variable, a member, a constant element.
    private func place(of e: Expr) -> ObjectPlace? {
        let size = Int64(layout.size(e.type))
        switch e.kind {
        case .declRef(.local), .declRef(.global):
            return ObjectPlace(whole: size, offset: 0, part: size, partOffset: 0)
        case .member(let base, let index, let isArrow):
            guard let recordType = isArrow ? base.type.pointee : base.type, let record = layout.record(recordType),
                  index < record.fields.count, record.fields[index].bitWidth == nil,
                  let outer = isArrow ? pointee(of: base) : place(of: base) else { return nil }
            let at = outer.offset + Int64(record.fields[index].bitOffset / 8)
            return ObjectPlace(whole: outer.whole, offset: at, part: size, partOffset: 0)
        case .arraySubscript(let base, let index):
            // An element is part of its array: the array stays the closest subobject.
            guard let n = ConstantEvaluator.integer(index), let array = isArray(base.type) ? place(of: base) : pointee(of: base)
            else { return nil }
            return array.moved(by: n * size)
        case .unary(.deref, let p):
            return pointee(of: p)
        default:
            return nil
        }
    }
}
