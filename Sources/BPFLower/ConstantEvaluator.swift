import BPFFrontend
import BPFIR

/// A value known at compile time: an integer, or a symbol's address plus offset.
enum ConstantValue: Hashable {
    case integer(Int64)
    case address(symbol: String, offset: Int64)
    case string([UInt8])     // a string literal (array value)

    /// An address moved by `delta` bytes (nil for a string).
    func offset(by delta: Int64) -> ConstantValue? {
        switch self {
        case .integer(let x): return .integer(x &+ delta)
        case .address(let s, let o): return .address(symbol: s, offset: o + delta)
        case .string: return nil
        }
    }
}

/// Folds the constant expressions global initializers and helper pointers use.
enum ConstantEvaluator {
    static func isWide(_ t: CType) -> Bool { t.isWideInteger }

    /// Whether an integer type is signed (false for anything else).
    private static func isSigned(_ t: CType) -> Bool {
        if case .int(_, let s, _) = t.canonical { return s }
        return false
    }

    /// Whether an integer type is signed, by the layout when there is one (enumerations).
    private static func isSigned(_ t: CType, _ layout: TypeLayout?) -> Bool {
        layout.map { $0.isSigned(t) } ?? isSigned(t)
    }

    /// `v` as a value of type `t`: its width's bits, extended by its signedness (other
    /// types, and enumerations without a layout, as they are).
    private static func fit(_ v: Int64, _ t: CType, _ layout: TypeLayout?) -> Int64 {
        let w: Width
        if let layout = layout, t.isInteger {
            w = layout.width(t)
        } else if case .int(let n, _, _) = t.canonical, let width = Width(bytes: n) {
            w = width
        } else {
            return v
        }
        let norm = TypeLayout.normalize(v, w)
        return isSigned(t, layout) ? TypeLayout.signExtend(norm, w) : norm
    }

    /// The 0/1 value of a comparison, logical operation or `?:` condition whose operands
    /// are 128-bit constants (their low halves alone would decide it wrongly); nil for
    /// any other expression.
    static func wideTruth(_ e: Expr) -> Bool? {
        switch e.kind {
        case .unary(.logicalNot, let inner) where isWide(inner.type):
            return wideInteger(inner).map { $0 == 0 }
        case .binary(let op, let l, let r) where isWide(l.type) || isWide(r.type):
            guard let a = wideInteger(l), let b = wideInteger(r) else { return nil }
            let s = isSigned(isWide(l.type) ? l.type : r.type)
            let (x, y) = (Int128(truncatingIfNeeded: a), Int128(truncatingIfNeeded: b))
            switch op {
            case .eq: return a == b
            case .ne: return a != b
            case .lt: return s ? x < y : a < b
            case .gt: return s ? x > y : a > b
            case .le: return s ? x <= y : a <= b
            case .ge: return s ? x >= y : a >= b
            case .logicalAnd: return a != 0 && b != 0
            case .logicalOr: return a != 0 || b != 0
            default: return nil
            }
        default: return nil
        }
    }

    /// The value of a constant integer expression as 128 bits (a 128-bit global's
    /// initializer): narrower operands extended as C converts them, then the 128-bit
    /// operations.
    static func wideInteger(_ e: Expr) -> UInt128? {
        guard isWide(e.type) else {
            guard case .integer(let x)? = evaluate(e, layout: nil) else { return nil }
            // The value at its type's width, then extended by the type's signedness.
            let bytes: Int
            switch e.type.canonical {
            case .int(let n, _, _): bytes = n
            case .bool: bytes = 1
            default: bytes = 8
            }
            let w = Width(bytes: bytes) ?? .w64
            let v = TypeLayout.normalize(x, w)
            return isSigned(e.type) ? UInt128(truncatingIfNeeded: Int128(TypeLayout.signExtend(v, w))) : UInt128(UInt64(bitPattern: v))
        }
        switch e.kind {
        case .intLiteral(let v): return UInt128(v)
        case .cast(let inner, _): return wideInteger(inner)
        case .unary(.plus, let inner), .unary(.extension, let inner): return wideInteger(inner)
        case .unary(.minus, let inner): return wideInteger(inner).map { 0 &- $0 }
        case .unary(.bitNot, let inner): return wideInteger(inner).map { ~$0 }
        case .binary(.shl, let l, let r), .binary(.shr, let l, let r):
            guard let a = wideInteger(l), let n = integer(r), n >= 0, n < 128 else { return nil }
            if case .binary(.shl, _, _) = e.kind { return a << n }
            return isSigned(e.type) ? UInt128(truncatingIfNeeded: Int128(truncatingIfNeeded: a) >> n) : a >> n
        case .binary(let op, let l, let r):
            guard let a = wideInteger(l), let b = wideInteger(r) else { return nil }
            switch op {
            case .add: return a &+ b
            case .sub: return a &- b
            case .mul: return a &* b
            case .bitAnd: return a & b
            case .bitOr: return a | b
            case .bitXor: return a ^ b
            case .comma: return b
            default: return nil
            }
        case .conditional(let c, let a, let b):
            let taken: Bool? = isWide(c.type) ? wideInteger(c).map { $0 != 0 } : integer(c).map { $0 != 0 }
            guard let t = taken else { return nil }
            return wideInteger(t ? a : b)
        default: return nil
        }
    }

    static func integer(_ e: Expr) -> Int64? {
        if case .integer(let v)? = evaluate(e, layout: nil) { return v }
        return nil
    }

    /// `locals`: the values of locals known to hold one (an inlined function's parameter
    /// given a constant it never changes).
    static func evaluate(_ e: Expr, layout: TypeLayout?, locals: ((Int) -> Int64?)? = nil) -> ConstantValue? {
        // A 128-bit value: computed in 128 bits, its low half kept (what a conversion to a
        // narrower type keeps).
        if isWide(e.type) { return wideInteger(e).map { .integer(Int64(truncatingIfNeeded: $0)) } }
        if let truth = wideTruth(e) { return .integer(truth ? 1 : 0) }
        switch e.kind {
        case .intLiteral(let v):
            return .integer(Int64(bitPattern: v))
        case .declRef(.local(let id)):
            return locals?(id).map { .integer($0) }
        case .stringLiteral(let b):
            return .string(b)
        case .cast(let inner, _):
            guard let v = evaluate(inner, layout: layout, locals: locals) else { return nil }
            if case .bool = e.type.canonical {
                // A conversion to _Bool tests against zero (`(_Bool)0x100` is 1); an
                // object's address is never null.
                switch v {
                case .integer(let x): return .integer(x != 0 ? 1 : 0)
                case .address, .string: return .integer(1)
                }
            }
            if case .integer(let x) = v, e.type.isInteger { return .integer(fit(x, e.type, layout)) }
            if case .string(let b) = v, e.type.isPointer {
                return .string(b)   // decayed literal: the caller pools it
            }
            return v
        case .unary(let op, let inner):
            if op == .addressOf { return address(of: inner, layout: layout) }
            guard case .integer(let x)? = evaluate(inner, layout: layout, locals: locals) else {
                if op == .plus || op == .extension { return evaluate(inner, layout: layout, locals: locals) }
                return nil
            }
            switch op {
            case .minus: return .integer(fit(0 &- x, e.type, layout))
            case .bitNot: return .integer(fit(~x, e.type, layout))
            case .logicalNot: return .integer(x == 0 ? 1 : 0)
            case .plus, .extension: return .integer(x)
            default: return nil
            }
        case .binary(let op, let l, let r):
            guard let lv = evaluate(l, layout: layout, locals: locals), let rv = evaluate(r, layout: layout, locals: locals) else { return nil }
            if case .address(let s, let o) = lv, case .integer(let x) = rv, let layout = layout {
                let scale = Int64(e.type.pointee.map { max(1, layout.size($0)) } ?? 1)
                if op == .add { return .address(symbol: s, offset: o + x * scale) }
                if op == .sub { return .address(symbol: s, offset: o - x * scale) }
                return nil
            }
            guard case .integer(let a) = lv, case .integer(let b) = rv else { return nil }
            // The operands at their (converted) type, the result at the expression's: C's
            // arithmetic in that width, comparisons by the operands' signedness
            // (`128 < __builtin_bswap64(...)` compares unsigned).
            let unsigned = !isSigned(l.type, layout)
            let (x, y) = (fit(a, l.type, layout), op == .shl || op == .shr ? b : fit(b, r.type, layout))
            let (ux, uy) = (UInt64(bitPattern: x), UInt64(bitPattern: y))
            func integer(_ v: Int64) -> ConstantValue { .integer(fit(v, e.type, layout)) }
            func truth(_ t: Bool) -> ConstantValue { .integer(t ? 1 : 0) }
            switch op {
            case .add: return integer(x &+ y)
            case .sub: return integer(x &- y)
            case .mul: return integer(x &* y)
            case .div: return y == 0 ? nil : integer(unsigned ? Int64(bitPattern: ux / uy) : x.dividedReportingOverflow(by: y).partialValue)
            case .rem: return y == 0 ? nil : integer(unsigned ? Int64(bitPattern: ux % uy) : x.remainderReportingOverflow(dividingBy: y).partialValue)
            case .shl: return integer(x << (y & 63))
            case .shr: return integer(unsigned ? Int64(bitPattern: ux >> UInt64(y & 63)) : x >> (y & 63))
            case .bitAnd: return integer(x & y)
            case .bitOr: return integer(x | y)
            case .bitXor: return integer(x ^ y)
            case .lt: return truth(unsigned ? ux < uy : x < y)
            case .gt: return truth(unsigned ? ux > uy : x > y)
            case .le: return truth(unsigned ? ux <= uy : x <= y)
            case .ge: return truth(unsigned ? ux >= uy : x >= y)
            case .eq: return .integer(x == y ? 1 : 0)
            case .ne: return .integer(x != y ? 1 : 0)
            case .logicalAnd: return .integer(a != 0 && b != 0 ? 1 : 0)
            case .logicalOr: return .integer(a != 0 || b != 0 ? 1 : 0)
            case .comma: return .integer(b)
            default: return nil
            }
        case .conditional(let c, let a, let b):
            if isWide(c.type) {
                guard let x = wideInteger(c) else { return nil }
                return evaluate(x != 0 ? a : b, layout: layout, locals: locals)
            }
            guard case .integer(let x)? = evaluate(c, layout: layout, locals: locals) else { return nil }
            return evaluate(x != 0 ? a : b, layout: layout, locals: locals)
        case .call(let callee, let args):
            // The builtins clang folds in a constant initializer (`bpf_htonl(0x0a00000a)`
            // in a global's initializer is `__builtin_constant_p(x) ? __builtin_bswap32(x) : ...`).
            guard case .declRef(.function(let name)) = callee.withoutCasts.kind, let first = args.first else { return nil }
            switch name {
            case "__builtin_constant_p":
                return .integer(evaluate(first, layout: layout, locals: locals) == nil ? 0 : 1)
            case "__builtin_expect", "__builtin_expect_with_probability":
                return evaluate(first, layout: layout, locals: locals)
            case "__builtin_bswap16", "__builtin_bswap32", "__builtin_bswap64":
                guard case .integer(let x)? = evaluate(first, layout: layout, locals: locals) else { return nil }
                return .integer(byteSwap(x, name.hasSuffix("16") ? .w16 : name.hasSuffix("32") ? .w32 : .w64))
            case "__builtin_strcmp":
                guard args.count == 2, let a = FunctionLowering.literalBytes(first), let b = FunctionLowering.literalBytes(args[1]) else { return nil }
                return .integer(stringCompare(a, b))
            default:
                return nil
            }
        case .declRef(.function(let name)):
            return .address(symbol: name, offset: 0)
        case .declRef(.global(let name)):
            // An array global decays to its address.
            if case .array = e.type.canonical { return .address(symbol: name, offset: 0) }
            // A `const` (not volatile) integer global's constant initializer, which clang
            // folds in another global's initializer (scx_p2dq: `const u64 interval = ...;`
            // then `struct timer timers[] = {{ interval, ... }}`).
            guard let layout = layout, e.type.isInteger, e.type.isConstQualified, !e.type.isVolatileQualified,
                  let g = layout.unit.globals.first(where: { $0.name == name && $0.initializer != nil }),
                  case .expr(let initial)? = g.initializer,
                  case .integer(let v)? = evaluate(initial, layout: layout, locals: locals) else { return nil }
            return .integer(fit(v, e.type, layout))
        case .member, .arraySubscript:
            // So does an array member or element of a global (`&g.rows[1].b`, `g.names[2]`).
            if case .array = e.type.canonical { return address(of: e, layout: layout) }
            return nil
        default:
            return nil
        }
    }

    /// `strcmp` of two string literals' bytes as clang folds it: -1, 0 or 1 (the first
    /// differing bytes compared as unsigned char, up to the first NUL).
    static func stringCompare(_ a: [UInt8], _ b: [UInt8]) -> Int64 {
        var i = 0
        while true {
            let x = i < a.count ? a[i] : 0, y = i < b.count ? b[i] : 0
            if x != y { return x < y ? -1 : 1 }
            if x == 0 { return 0 }
            i += 1
        }
    }

    /// The low `w` bytes of `k` in the opposite order.
    static func byteSwap(_ k: Int64, _ w: Width) -> Int64 {
        var u = UInt64(bitPattern: k) & TypeLayout.mask(w)
        var out: UInt64 = 0
        for _ in 0..<w.bytes { out = (out << 8) | (u & 0xff); u >>= 8 }
        return Int64(bitPattern: out)
    }

    private static func address(of e: Expr, layout: TypeLayout?) -> ConstantValue? {
        switch e.kind {
        case .declRef(.global(let name)), .declRef(.function(let name)):
            return .address(symbol: name, offset: 0)
        case .member(let base, let idx, let isArrow):
            // Also `&((T *)0)->field`, the classic offsetof: an absolute address.
            guard let layout = layout, let recordType = isArrow ? base.type.pointee : base.type,
                  let rec = layout.record(recordType), idx < rec.fields.count,
                  let b = isArrow ? evaluate(base, layout: layout) : address(of: base, layout: layout) else { return nil }
            return b.offset(by: Int64(rec.fields[idx].bitOffset / 8))
        case .arraySubscript(let base, let index):
            guard let layout = layout, case .integer(let i)? = evaluate(index, layout: layout),
                  let b = evaluate(base, layout: layout) else { return nil }
            return b.offset(by: i * Int64(layout.size(e.type)))
        case .unary(.deref, let p):
            return evaluate(p, layout: layout)
        default:
            return nil
        }
    }
}
