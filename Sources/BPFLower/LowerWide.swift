import BPFIR
import BPFFrontend

/// A value of a 128-bit integer type (`__int128`, `unsigned __int128`) as its two 64-bit
/// halves. eBPF registers hold 64 bits: such values live in memory between expressions
/// (16-byte stack objects, as records do) and are computed half by half, as clang's BPF
/// target legalizes them.
struct WideValue {
    var lo: Operand
    var hi: Operand
}

/// 128-bit integer arithmetic: addition and subtraction with carry, multiplication,
/// bitwise operations, shifts by constants, comparisons, conversions to and from the
/// narrower types, and conditions. Division and remainder of values wider than 64 bits
/// and shifts by a variable amount are refused, as clang's BPF target refuses them (it
/// would call `__udivti3`, `__ashlti3`, ..., which BPF programs cannot); clang refuses
/// more multiplications than we do (all but those it narrows to 64 bits).
extension CType {
    /// A 16-byte integer type (`__int128`, `unsigned __int128`).
    var isWideInteger: Bool {
        if case .int(bytes: 16, _, _) = canonical { return true }
        return false
    }
}

extension FunctionLowering {
    func isWide(_ t: CType) -> Bool { t.isWideInteger }

    private static let u64 = CType.int(bytes: 8, signed: false, name: "unsigned long long")
    private static let s64 = CType.int(bytes: 8, signed: true, name: "long long")

    /// The value of `e` as 128 bits: a 128-bit expression, or a narrower integer (or
    /// pointer) extended as C converts it (sign-extended when its type is signed).
    func wide(_ e: Expr) throws -> WideValue {
        guard isWide(e.type) else { return try widen(try scalar(e), from: e.type, at: e.location) }
        switch e.kind {
        case .intLiteral(let v):
            return WideValue(lo: .imm(Int64(bitPattern: v)), hi: .imm(0))
        case .declRef, .member, .arraySubscript, .unary(.deref, _), .compoundLiteral:
            return try loadWide(try wideMemory(try lvalue(e), at: e.location))
        case .cast(let inner, _):
            return try wide(inner)
        case .unary(.plus, let inner), .unary(.extension, let inner):
            return try wide(inner)
        case .unary(.minus, let inner):
            return try wideArithmetic(.sub, WideValue(lo: .imm(0), hi: .imm(0)), try wide(inner), e)
        case .unary(.bitNot, let inner):
            let v = try wide(inner)
            return WideValue(lo: try binop(.xor, v.lo, .imm(-1), width: .w64), hi: try binop(.xor, v.hi, .imm(-1), width: .w64))
        case .unary(let op, let inner) where op.steps:
            let m = try wideMemory(try lvalue(inner), at: e.location)
            let old = try loadWide(m)
            // The old value is read before the store: copied out of the halves' loads.
            let new = try wideArithmetic(op == .preInc || op == .postInc ? .add : .sub, old, WideValue(lo: .imm(1), hi: .imm(0)), e)
            try storeWide(new, to: m)
            return op == .preInc || op == .preDec ? new : old
        case .binary(.comma, let l, let r):
            _ = try rvalue(l, discard: true)
            return try wide(r)
        case .binary(.assign, let l, let r):
            let v = try wide(r)
            try storeWide(v, to: try wideMemory(try lvalue(l), at: e.location))
            return v
        case .binary(let op, let l, let r) where Self.compoundOperator[op] != nil:
            let m = try wideMemory(try lvalue(l), at: e.location)
            let v = try wideArithmetic(Self.compoundOperator[op]!, try loadWide(m), r, e)
            try storeWide(v, to: m)
            return v
        case .binary(let op, let l, let r) where [.add, .sub, .bitAnd, .bitOr, .bitXor, .shl, .shr, .mul, .div, .rem].contains(op):
            return try wideArithmetic(op, try wide(l), r, e)
        case .call, .statementExpr:
            // An inlined function's result, a statement expression's last value: in memory.
            guard case .aggregate(let m) = try rvalue(e) else {
                throw LoweringError(e.location, "a 128-bit integer value ('\(wideName(e.type))') cannot be returned by a BPF function: it does not fit r0")
            }
            return try loadWide(m)
        case .conditional(let c, let a, let bb):
            let tmp = newStackObject(size: 16, type: e.type, name: "wide")
            let thenB = b.newBlock(), elseB = b.newBlock(), join = b.newBlock()
            try lowerCondition(c, then: thenB, else: elseB)
            b.switchTo(thenB); try storeWide(try wide(a), to: tmp); b.jump(to: join)
            b.switchTo(elseB); try storeWide(try wide(bb), to: tmp); b.jump(to: join)
            b.switchTo(join)
            return try loadWide(tmp)
        default:
            throw LoweringError(e.location, "this use of a 128-bit integer value ('\(wideName(e.type))') is not supported: "
                + "128-bit values are computed in arithmetic, bitwise operations, shifts, comparisons, conversions and variables")
        }
    }

    /// A scalar of type `t` converted to 128 bits: sign-extended when `t` is signed.
    private func widen(_ v: Operand, from t: CType, at loc: SourceLocation) throws -> WideValue {
        let signed = layout.isSigned(t) && !t.isPointer
        let lo = try convert(v, from: t, to: signed ? Self.s64 : Self.u64, at: loc)
        return WideValue(lo: lo, hi: signed ? try binop(.ashr, lo, .imm(63), width: .w64) : .imm(0))
    }

    /// `l op= r` for a narrower `l` and a 128-bit `r`: computed in 128 bits, stored
    /// converted to `l`'s type; the stored value.
    func narrowCompoundAssign(_ op: BinaryOp, _ l: Expr, _ r: Expr, _ e: Expr) throws -> Operand {
        let lv = try lvalue(l)
        guard case .scalar(let old) = try load(lv, at: e.location) else {
            throw LoweringError(e.location, "invalid compound assignment")
        }
        let v = try wideArithmetic(op, try widen(old, from: l.type, at: e.location), r, e)
        let result = try narrowWide(v, to: l.type, at: e.location)
        try assign(lv, value: result)
        return result
    }

    /// `e`'s 128-bit value in a new 16-byte stack object (an rvalue for the code that
    /// copies values of memory-held types: initializers, arguments of inlined functions).
    func wideInMemory(_ e: Expr) throws -> MemoryRef {
        switch e.kind {
        case .declRef, .member, .arraySubscript, .unary(.deref, _):
            return try wideMemory(try lvalue(e), at: e.location)
        default:
            let tmp = newStackObject(size: 16, type: e.type, name: "wide")
            try storeWide(try wide(e), to: tmp)
            return tmp
        }
    }

    /// A 128-bit value narrowed to the scalar type `to`: its low half converted, or for
    /// `_Bool`, whether any bit is set.
    func narrowWide(_ v: WideValue, to: CType, at loc: SourceLocation) throws -> Operand {
        if to.canonical == .bool { return try toBool(try binop(.or, v.lo, v.hi, width: .w64), width: .w64) }
        return try convert(v.lo, from: Self.u64, to: to, at: loc)
    }

    /// Branches on whether `e` (of a 128-bit type) is non-zero.
    func lowerWideTest(_ e: Expr, then t: BlockID, else f: BlockID) throws {
        let v = try wide(e)
        try branch(.ne, try binop(.or, v.lo, v.hi, width: .w64), .imm(0), width: .w64, signed: false, then: t, else: f)
    }

    /// Branches on a comparison whose operands (after the usual conversions) are 128-bit:
    /// equality on both halves at once, an order on the high halves, and on the low ones
    /// (unsigned) when the high halves are equal.
    func lowerWideComparison(_ op: BinaryOp, _ l: Expr, _ r: Expr, then t: BlockID, else f: BlockID) throws {
        let a = try wide(l), c = try wide(r)
        if op == .eq || op == .ne {
            let x = try binop(.or, try binop(.xor, a.lo, c.lo, width: .w64), try binop(.xor, a.hi, c.hi, width: .w64), width: .w64)
            try branch(op == .eq ? .eq : .ne, x, .imm(0), width: .w64, signed: false, then: t, else: f)
            return
        }
        let signed = layout.isSigned(isWide(l.type) ? l.type : r.type)
        let strict: CondCode, low: CondCode
        switch op {
        case .lt: strict = signed ? .slt : .ult; low = .ult
        case .le: strict = signed ? .slt : .ult; low = .ule
        case .gt: strict = signed ? .sgt : .ugt; low = .ugt
        default: strict = signed ? .sgt : .ugt; low = .uge
        }
        let highsDiffer = b.newBlock(), highsEqual = b.newBlock()
        try branch(.ne, a.hi, c.hi, width: .w64, signed: false, then: highsDiffer, else: highsEqual)
        b.switchTo(highsDiffer)
        try branch(strict, a.hi, c.hi, width: .w64, signed: signed, then: t, else: f)
        b.switchTo(highsEqual)
        try branch(low, a.lo, c.lo, width: .w64, signed: false, then: t, else: f)
    }

    private static let compoundOperator: [BinaryOp: BinaryOp] = [
        .addAssign: .add, .subAssign: .sub, .andAssign: .bitAnd, .orAssign: .bitOr, .xorAssign: .bitXor,
        .shlAssign: .shl, .shrAssign: .shr, .mulAssign: .mul, .divAssign: .div, .remAssign: .rem,
    ]

    private func wideArithmetic(_ op: BinaryOp, _ a: WideValue, _ r: Expr, _ e: Expr) throws -> WideValue {
        if op == .shl || op == .shr {
            // The amount keeps its own type; a 128-bit amount's high half cannot matter.
            let n = isWide(r.type) ? try wide(r).lo : try convert(try scalar(r), from: r.type, to: Self.u64, at: r.location)
            return try wideShift(op, a, by: n, signed: layout.isSigned(e.type), at: e.location)
        }
        return try wideArithmetic(op, a, try wide(r), e)
    }

    private func wideArithmetic(_ op: BinaryOp, _ a: WideValue, _ c: WideValue, _ e: Expr) throws -> WideValue {
        switch op {
        case .bitAnd, .bitOr, .bitXor:
            let o: BinOp = op == .bitAnd ? .and : op == .bitOr ? .or : .xor
            return WideValue(lo: try binop(o, a.lo, c.lo, width: .w64), hi: try binop(o, a.hi, c.hi, width: .w64))
        case .add:
            // The carry out of the low halves: the sum is below an operand.
            let lo = try binop(.add, a.lo, c.lo, width: .w64)
            let hi = try binop(.add, try binop(.add, a.hi, c.hi, width: .w64), try below(lo, a.lo), width: .w64)
            return WideValue(lo: lo, hi: hi)
        case .sub:
            // The borrow: the subtrahend's low half is above the minuend's.
            let lo = try binop(.sub, a.lo, c.lo, width: .w64)
            let hi = try binop(.sub, try binop(.sub, a.hi, c.hi, width: .w64), try below(a.lo, c.lo), width: .w64)
            return WideValue(lo: lo, hi: hi)
        case .mul:
            // The low 128 bits of the product: the full product of the low halves, plus
            // the cross products (mod 2^64) in the high half.
            let (lo, carried) = try fullProduct(a.lo, c.lo)
            let cross = try binop(.add, try binop(.mul, a.lo, c.hi, width: .w64), try binop(.mul, a.hi, c.lo, width: .w64), width: .w64)
            return WideValue(lo: lo, hi: try binop(.add, carried, cross, width: .w64))
        default:
            // Of two values that fit 64 bits (high halves zero: unsigned narrower values
            // widened), as clang narrows them; others would need the runtime library's
            // __udivti3 (clang's BPF target refuses them too).
            if case .imm(0) = a.hi, case .imm(0) = c.hi {
                return WideValue(lo: try binop(op == .div ? .udiv : .urem, a.lo, c.lo, width: .w64), hi: .imm(0))
            }
            throw LoweringError(e.location, "128-bit \(op == .div ? "division" : "remainder") is not supported unless both "
                + "operands are unsigned values of 64 bits or fewer: BPF has no instruction for it and cannot call the "
                + "runtime library's (clang's BPF target refuses it too)")
        }
    }

    /// 1 when `x < y` (unsigned), else 0.
    private func below(_ x: Operand, _ y: Operand) throws -> Operand {
        if case .imm(let k) = x, case .imm(let m) = y { return .imm(UInt64(bitPattern: k) < UInt64(bitPattern: m) ? 1 : 0) }
        return .reg(try zeroOrOne(width: .w64) { try branch(.ult, x, y, width: .w64, signed: false, then: $0, else: $1) })
    }

    /// The 128-bit product of two 64-bit values, from the four products of their 32-bit
    /// halves (eBPF multiplies keep the low 64 bits only).
    private func fullProduct(_ a: Operand, _ c: Operand) throws -> (lo: Operand, hi: Operand) {
        let low32: Int64 = 0xffff_ffff
        let a0 = try binop(.and, a, .imm(low32), width: .w64), a1 = try binop(.lshr, a, .imm(32), width: .w64)
        let c0 = try binop(.and, c, .imm(low32), width: .w64), c1 = try binop(.lshr, c, .imm(32), width: .w64)
        let p00 = try binop(.mul, a0, c0, width: .w64), p01 = try binop(.mul, a0, c1, width: .w64)
        let p10 = try binop(.mul, a1, c0, width: .w64), p11 = try binop(.mul, a1, c1, width: .w64)
        // Bits 32..97 of the sum of the middle terms (at most 34 bits, no overflow).
        let mid = try binop(.add, try binop(.add, try binop(.lshr, p00, .imm(32), width: .w64),
                                            try binop(.and, p01, .imm(low32), width: .w64), width: .w64),
                            try binop(.and, p10, .imm(low32), width: .w64), width: .w64)
        let lo = try binop(.or, try binop(.and, p00, .imm(low32), width: .w64), try binop(.shl, mid, .imm(32), width: .w64), width: .w64)
        let hi = try binop(.add, try binop(.add, p11, try binop(.lshr, p01, .imm(32), width: .w64), width: .w64),
                           try binop(.add, try binop(.lshr, p10, .imm(32), width: .w64), try binop(.lshr, mid, .imm(32), width: .w64), width: .w64),
                           width: .w64)
        return (lo, hi)
    }

    /// `a << n` or `a >> n` (arithmetic when `signed`) for a constant amount below 128.
    private func wideShift(_ op: BinaryOp, _ a: WideValue, by n: Operand, signed: Bool, at: SourceLocation) throws -> WideValue {
        let right: BinOp = signed ? .ashr : .lshr
        if case .imm(let k) = n {
            let s = k & 127
            if s == 0 { return a }
            if op == .shl {
                if s >= 64 { return WideValue(lo: .imm(0), hi: try binop(.shl, a.lo, .imm(s - 64), width: .w64)) }
                let hi = try binop(.or, try binop(.shl, a.hi, .imm(s), width: .w64), try binop(.lshr, a.lo, .imm(64 - s), width: .w64), width: .w64)
                return WideValue(lo: try binop(.shl, a.lo, .imm(s), width: .w64), hi: hi)
            }
            if s >= 64 {
                return WideValue(lo: try binop(right, a.hi, .imm(s - 64), width: .w64),
                                 hi: signed ? try binop(.ashr, a.hi, .imm(63), width: .w64) : .imm(0))
            }
            let lo = try binop(.or, try binop(.lshr, a.lo, .imm(s), width: .w64), try binop(.shl, a.hi, .imm(64 - s), width: .w64), width: .w64)
            return WideValue(lo: lo, hi: try binop(right, a.hi, .imm(s), width: .w64))
        }
        throw LoweringError(at, "128-bit shift by a variable amount is not supported: BPF cannot call the runtime "
            + "library's shift (clang's BPF target refuses it too)")
    }

    // MARK: memory

    /// The memory of a 128-bit lvalue (locals of such types are always in memory).
    private func wideMemory(_ lv: LValue, at loc: SourceLocation) throws -> MemoryRef {
        guard let m = lv.storage.memoryRef, lv.bitfield == nil else {
            throw LoweringError(loc, "this 128-bit integer object is not in memory")
        }
        return m
    }

    /// The byte offsets of the low and high halves (the target's byte order).
    private var halfOffsets: (lo: Int, hi: Int) { module.options.bigEndian ? (8, 0) : (0, 8) }

    private func loadWide(_ m: MemoryRef) throws -> WideValue {
        let (lo, hi) = halfOffsets
        return WideValue(lo: try loadHalf(m.adding(lo)), hi: try loadHalf(m.adding(hi)))
    }

    private func storeWide(_ v: WideValue, to m: MemoryRef) throws {
        let (lo, hi) = halfOffsets
        try assign(LValue(storage: .memory(m.adding(lo)), type: Self.u64), value: v.lo)
        try assign(LValue(storage: .memory(m.adding(hi)), type: Self.u64), value: v.hi)
    }

    private func loadHalf(_ m: MemoryRef) throws -> Operand {
        guard case .scalar(let op) = try load(LValue(storage: .memory(m), type: Self.u64), at: .unknown) else { return .imm(0) }
        return op
    }

    /// The C spelling of a 128-bit integer type, for diagnostics.
    func wideName(_ t: CType) -> String {
        if case .int(_, _, let name) = t.canonical { return name }
        return "__int128"
    }
}
