import BPFIR
import BPFFrontend

/// Integer builtins beyond the classic bit counts (`LowerBuiltins`): the type-generic
/// counts `__builtin_clzg/ctzg/popcountg`, `__builtin_clrsb*`, clang's
/// `__builtin_align_up/align_down/is_aligned`, and the integer scalar forms of
/// `__builtin_elementwise_*` (min/max, abs, popcount, bitreverse, saturating add and
/// subtract, funnel shifts, clzg/ctzg). Each works at its operand type's own width (8 to
/// 64 bits) and returns the type clang gives the call.
extension FunctionLowering {
    /// The value of the builtin `name`, or nil when `name` is none of these.
    func lowerIntegerBuiltin(_ name: String, _ args: [Expr], _ e: Expr) throws -> RValue? {
        func arg(_ i: Int) throws -> Expr { try builtinArgument(args, i, of: name, e) }
        switch name {
        case "__builtin_clrsb", "__builtin_clrsbl", "__builtin_clrsbll":
            // The copies of the sign bit below it: leading zeros of x ^ (x >> (bits - 1)), less one.
            let (x, w, _) = try bitPattern(try arg(0))
            let folded = try binop(.xor, x, try binop(.ashr, x, .imm(Int64(w.bits - 1)), width: w), width: w)
            return .scalar(try binop(.sub, try leadingZeros(folded, width: w), .imm(1), width: .w32))
        case "__builtin_clzg", "__builtin_ctzg", "__builtin_popcountg",
             "__builtin_elementwise_clzg", "__builtin_elementwise_ctzg", "__builtin_elementwise_popcount":
            let (x, w, bits) = try bitPattern(try arg(0))
            var count: Operand
            if name.hasSuffix("popcountg") || name.hasSuffix("popcount") {
                count = try popcount(x, width: w)
            } else if name.hasSuffix("clzg") {
                // Counted in 32 (64) bits, less the bits a narrower type does not have.
                count = try leadingZeros(x, width: w)
                if bits < w.bits { count = try binop(.sub, count, .imm(Int64(w.bits - bits)), width: .w32) }
            } else {
                count = try trailingZeros(x, width: w)
            }
            count = try convert(count, from: Self.integer(.w32, signed: true), to: e.type, at: e.location)
            // The optional second operand: the result for zero (C leaves it open otherwise).
            if args.count > 1 && !name.hasSuffix("popcountg") {
                let fallback = try convert(try scalar(args[1]), from: args[1].type, to: e.type, at: args[1].location)
                count = try choose(.eq, x, .imm(0), width: w, fallback, count, resultWidth: layout.opWidth(e.type))
            }
            return .scalar(count)
        case "__builtin_elementwise_bitreverse":
            let (x, w, bits) = try bitPattern(try arg(0))
            return .scalar(try bitReverse(x, bits: bits, width: w))
        case "__builtin_elementwise_abs":
            // |x| at the type's width (its most negative value stays itself).
            let a = try arg(0)
            let (x, w) = try extended(a, signed: true)
            let m = magnitude(materialize(x, width: w), width: w)
            return .scalar(try convert(.reg(m), from: Self.integer(w, signed: true), to: a.type, at: a.location))
        case "__builtin_elementwise_max", "__builtin_elementwise_min":
            let a = try arg(0), c = try arg(1)
            let signed = layout.isSigned(a.type)
            let (x, w) = try extended(a, signed: signed), (y, _) = try extended(c, signed: signed)
            let cc: CondCode = name.hasSuffix("max") ? (signed ? .sgt : .ugt) : (signed ? .slt : .ult)
            let r = try choose(cc, x, y, width: w, x, y, resultWidth: w)
            return .scalar(try convert(r, from: Self.integer(w, signed: signed), to: a.type, at: e.location))
        case "__builtin_elementwise_add_sat", "__builtin_elementwise_sub_sat":
            return .scalar(try saturating(name.hasSuffix("add_sat") ? .add : .sub, try arg(0), try arg(1)))
        case "__builtin_elementwise_fshl", "__builtin_elementwise_fshr":
            return .scalar(try funnelShift(left: name.hasSuffix("fshl"), try arg(0), try arg(1), try arg(2)))
        case "__builtin_align_up", "__builtin_align_down", "__builtin_is_aligned":
            // x's type (an integer or a pointer) and a power-of-two alignment, as clang
            // requires: the bits below it are the mask.
            let a = try arg(0)
            let w = layout.opWidth(a.type)
            let x = try scalar(a)
            let alignment = try convert(try scalar(try arg(1)), from: args[1].type, to: Self.integer(w, signed: false), at: args[1].location)
            let mask = try binop(.sub, alignment, .imm(1), width: w)
            if name == "__builtin_is_aligned" {
                let low = try binop(.and, x, mask, width: w)
                return .scalar(.reg(flag(.eq, materialize(low, width: w), .imm(0), width: w)))
            }
            let base = name == "__builtin_align_up" ? try binop(.add, x, mask, width: w) : x
            let r = try binop(.and, base, try binop(.xor, mask, .imm(-1), width: w), width: w)
            return .scalar(a.type.isPointer ? r : try convert(r, from: Self.integer(w, signed: false), to: a.type, at: e.location))
        default:
            return nil
        }
    }

    /// The C integer type of `w`'s width (w32: int, w64: long long).
    static func integer(_ w: Width, signed: Bool) -> CType {
        w == .w64 ? .int(bytes: 8, signed: signed, name: signed ? "long long" : "unsigned long long")
                  : .int(bytes: 4, signed: signed, name: signed ? "int" : "unsigned int")
    }

    /// An integer operand's bits, zero-extended (the register invariant), the width
    /// operations on it use (32 or 64) and its type's own width in bits.
    private func bitPattern(_ a: Expr) throws -> (Operand, Width, Int) {
        let bits = layout.size(a.type) * 8
        var x = try scalar(a)
        if case .imm(let k) = x { x = .imm(TypeLayout.normalize(k, layout.width(a.type))) }
        return (x, layout.opWidth(a.type), bits)
    }

    /// An integer operand sign- or zero-extended (`signed`) to the width operations on it use.
    private func extended(_ a: Expr, signed: Bool) throws -> (Operand, Width) {
        let w = layout.opWidth(a.type)
        return (try convert(try scalar(a), from: a.type, to: Self.integer(w, signed: signed), at: a.location), w)
    }

    /// A fresh register holding `yes` where `lhs cc rhs` (compared at `width`) and `no`
    /// elsewhere, moved at `resultWidth`.
    func choose(_ cc: CondCode, _ lhs: Operand, _ rhs: Operand, width: Width, _ yes: Operand, _ no: Operand,
                resultWidth: Width) throws -> Operand {
        let result = b.newVReg()
        let t = b.newBlock(), f = b.newBlock(), join = b.newBlock()
        try branch(cc, lhs, rhs, width: width, signed: [.sgt, .sge, .slt, .sle].contains(cc), then: t, else: f)
        b.switchTo(t); b.emit(.mov(dst: result, src: yes, width: resultWidth)); b.jump(to: join)
        b.switchTo(f); b.emit(.mov(dst: result, src: no, width: resultWidth)); b.jump(to: join)
        b.switchTo(join)
        return .reg(result)
    }

    /// `x + y` or `x - y` clamped to the range of their type (both operands have it).
    private func saturating(_ op: BinOp, _ a: Expr, _ c: Expr) throws -> Operand {
        let t = a.type, bits = layout.size(t) * 8
        let signed = layout.isSigned(t)
        if !signed {
            let (x, w) = try extended(a, signed: false), (y, _) = try extended(c, signed: false)
            if op == .sub { return try choose(.ult, x, y, width: w, .imm(0), try binop(.sub, x, y, width: w), resultWidth: w) }
            if bits < 64 {
                // The sum of two values below 2^bits, computed in 64 bits, against the largest.
                let largest = Int64(bitPattern: TypeLayout.mask(layout.width(t)))
                let sum = try binop(.add, x, y, width: .w64)
                let r = try choose(.ugt, sum, .imm(largest), width: .w64, .imm(largest), sum, resultWidth: .w64)
                return try convert(r, from: Self.integer(.w64, signed: false), to: t, at: a.location)
            }
            let sum = try binop(.add, x, y, width: .w64)
            return try choose(.ult, sum, x, width: .w64, .imm(-1), sum, resultWidth: .w64)
        }
        let long = Self.integer(.w64, signed: true)
        if bits < 64 {
            // Exact in 64 bits, then clamped to [min, max] of the type.
            let x = try convert(try scalar(a), from: t, to: long, at: a.location)
            let y = try convert(try scalar(c), from: t, to: long, at: c.location)
            let largest = Int64(1) << Int64(bits - 1) - 1, smallest = -(Int64(1) << Int64(bits - 1))
            let exact = try binop(op, x, y, width: .w64)
            let high = try choose(.sgt, exact, .imm(largest), width: .w64, .imm(largest), exact, resultWidth: .w64)
            let r = try choose(.slt, high, .imm(smallest), width: .w64, .imm(smallest), high, resultWidth: .w64)
            return try convert(r, from: long, to: t, at: a.location)
        }
        // 64 bits: wrapped when the operands' signs make the result's sign impossible;
        // then the limit on the side of x's sign ((x >> 63) ^ INT64_MAX).
        let x = try scalar(a), y = try scalar(c)
        let wrapped = try binop(op, x, y, width: .w64)
        let signs = op == .add
            ? try binop(.and, try binop(.xor, x, wrapped, width: .w64), try binop(.xor, y, wrapped, width: .w64), width: .w64)
            : try binop(.and, try binop(.xor, x, y, width: .w64), try binop(.xor, x, wrapped, width: .w64), width: .w64)
        let limit = try binop(.xor, try binop(.ashr, x, .imm(63), width: .w64), constant(Int64.max, width: .w64), width: .w64)
        return try choose(.slt, signs, .imm(0), width: .w64, limit, wrapped, resultWidth: .w64)
    }

    /// LLVM's funnel shifts of `a:c` (a the high half) by `n` modulo the type's width:
    /// left keeps the high half, right the low.
    private func funnelShift(left: Bool, _ a: Expr, _ c: Expr, _ n: Expr) throws -> Operand {
        let (x, _, bits) = try bitPattern(a), (y, _, _) = try bitPattern(c), (k, w, _) = try bitPattern(n)
        let amount = try binop(.and, k, .imm(Int64(bits - 1)), width: w)
        if bits < 64 {
            // Both halves side by side in one 64-bit register.
            let joined = try binop(.or, try binop(.shl, x, .imm(Int64(bits)), width: .w64), y, width: .w64)
            let moved = left ? try binop(.lshr, try binop(.shl, joined, amount, width: .w64), .imm(Int64(bits)), width: .w64)
                             : try binop(.lshr, joined, amount, width: .w64)
            return try binop(.and, moved, .imm(Int64(bitPattern: TypeLayout.mask(layout.width(a.type)))), width: .w64)
        }
        // The other half moved one bit first, so a shift by zero leaves nothing of it.
        let rest = try binop(.xor, amount, .imm(63), width: .w64)
        if left {
            let low = try binop(.lshr, try binop(.lshr, y, .imm(1), width: .w64), rest, width: .w64)
            return try binop(.or, try binop(.shl, x, amount, width: .w64), low, width: .w64)
        }
        let high = try binop(.shl, try binop(.shl, x, .imm(1), width: .w64), rest, width: .w64)
        return try binop(.or, try binop(.lshr, y, amount, width: .w64), high, width: .w64)
    }
}
