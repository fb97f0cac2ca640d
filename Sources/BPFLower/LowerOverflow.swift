import BPFIR
import BPFFrontend

/// GCC's checked arithmetic: `__builtin_{add,sub,mul}_overflow(a, b, &r)` and the typed
/// forms (`__builtin_sadd_overflow`, `__builtin_usubl_overflow`, `__builtin_smulll_overflow`,
/// ...; clang gives their arguments the forms' types). `*r` gets the exact result wrapped
/// to r's type; the value is 1 when the exact result does not fit r's type.
/// - Operands of at most 32 bits: the exact result is computed in 64 bits (a product of two
///   unsigned operands as an unsigned number, every other result as a signed one) and
///   tested against r's range with one unsigned comparison.
/// - 64-bit operands: r is 64 bits wide with their signedness (a narrower operand is
///   widened when its values all fit); carries and borrows are read from the wrapped
///   result's signs, a product's overflow from dividing it back (by the magnitudes when
///   signed).
extension FunctionLowering {
    static func overflowOperation(_ name: String) -> BinOp? {
        guard name.hasPrefix("__builtin_"), name.hasSuffix("_overflow") else { return nil }
        var core = name.dropFirst("__builtin_".count).dropLast("_overflow".count)
        if ["add", "sub", "mul"].contains(core) { return core == "add" ? .add : core == "sub" ? .sub : .mul }
        guard core.first == "s" || core.first == "u" else { return nil }
        core = core.dropFirst()
        for suffix in ["ll", "l", ""] where core.hasSuffix(suffix) {
            switch core.dropLast(suffix.count) {
            case "add": return .add
            case "sub": return .sub
            case "mul": return .mul
            default: continue
            }
        }
        return nil
    }

    func lowerOverflow(_ op: BinOp, _ name: String, _ args: [Expr], _ e: Expr) throws -> RValue {
        guard args.count == 3, let resultType = args[2].type.pointee else {
            throw LoweringError(e.location, "'\(name)' takes two integers and a pointer to an integer")
        }
        for t in [args[0].type, args[1].type, resultType] where !t.isInteger || isWide(t) || t.canonical == .bool {
            throw LoweringError(e.location, "'\(name)' needs integer operands of at most 64 bits and a pointer to one")
        }
        let sizes = [args[0].type, args[1].type].map { layout.size($0) }
        let signed = [args[0].type, args[1].type].map { layout.isSigned($0) }
        let resultSize = layout.size(resultType), resultSigned = layout.isSigned(resultType)
        let s64 = CType.int(bytes: 8, signed: true, name: "long long"), u64 = CType.int(bytes: 8, signed: false, name: "unsigned long long")
        var a = try scalar(args[0]), c = try scalar(args[1])
        let target = try pointerTarget(args[2])
        let result: Operand, overflow: VReg
        if sizes.allSatisfy({ $0 <= 4 }) {
            a = try convert(a, from: args[0].type, to: signed[0] ? s64 : u64, at: args[0].location)
            c = try convert(c, from: args[1].type, to: signed[1] ? s64 : u64, at: args[1].location)
            let exact = try binop(op, a, c, width: .w64)
            // The range of r's type, as the exact result is read (unsigned only for a
            // product of two unsigned operands, which may pass 2^63).
            let bits = UInt64(resultSize * 8)
            let low: Int64 = resultSigned ? (bits == 64 ? Int64.min : -(Int64(1) << (bits - 1))) : 0
            let high: UInt64 = resultSigned ? (UInt64(1) << (bits - 1)) - 1 : (bits == 64 ? UInt64.max : (UInt64(1) << bits) - 1)
            let unsignedExact = op == .mul && !signed[0] && !signed[1]
            let x = materialize(exact, width: .w64)
            switch (unsignedExact, resultSize == 8, resultSigned) {
            case (true, true, false), (false, true, true):
                overflow = materialize(.imm(0), width: .w32)        // every exact result fits
            case (false, true, false):
                overflow = flag(.slt, x, .imm(0))
            case (true, _, _):
                overflow = flag(.ugt, x, .reg(materialize(.imm(Int64(bitPattern: high)), width: .w64)))
            case (false, false, _):
                // low <= x <= high, as one unsigned comparison of x - low.
                let offset = materialize(try binop(.sub, .reg(x), .imm(low), width: .w64), width: .w64)
                overflow = flag(.ugt, offset, .reg(materialize(.imm(Int64(bitPattern: high &- UInt64(bitPattern: low))), width: .w64)))
            }
            result = exact
        } else {
            // 64 bits: every operand becomes r's type, which must be 64 bits wide, when its
            // values all fit it.
            // (A constant operand fits when its value does: `len + 4` with an unsigned len.)
            func fits(_ i: Int, _ value: Operand) -> Bool {
                if case .imm(let k) = value {
                    return resultSigned ? signed[i] || sizes[i] < 8 || k >= 0 : !signed[i] || k >= 0
                }
                return sizes[i] < 8 ? resultSigned || !signed[i] : signed[i] == resultSigned
            }
            guard resultSize == 8, fits(0, a), fits(1, c) else {
                throw LoweringError(e.location, "'\(name)' with these operand types is not supported: 64-bit operands need a 64-bit result of their signedness")
            }
            let t = resultSigned ? s64 : u64
            let x = materialize(try convert(a, from: args[0].type, to: t, at: args[0].location), width: .w64)
            let y = materialize(try convert(c, from: args[1].type, to: t, at: args[1].location), width: .w64)
            let r = materialize(try binop(op, .reg(x), .reg(y), width: .w64), width: .w64)
            switch (op, resultSigned) {
            case (.add, false): overflow = flag(.ult, r, .reg(x))
            case (.sub, false): overflow = flag(.ult, x, .reg(y))
            case (.add, true), (.sub, true):
                // Signed: the operands' signs agree (add) or differ (sub) and the result's
                // sign is not the first operand's.
                let first = try binop(.xor, .reg(x), .reg(op == .add ? r : y), width: .w64)
                let second = try binop(.xor, .reg(op == .add ? y : x), .reg(r), width: .w64)
                let both = try binop(.and, first, second, width: .w64)
                overflow = flag(.slt, materialize(both, width: .w64), .imm(0))
            default:
                overflow = try productOverflows(x, y, signed: resultSigned)
            }
            result = .reg(r)
        }
        b.emit(.store(base: target.base, offset: target.offset, value: .reg(materialize(result, width: .w64)),
                      width: Width(bytes: resultSize) ?? .w64))
        return .scalar(.reg(overflow))
    }

    /// Whether the 64-bit product of `x` and `y` wraps: the magnitudes' product
    /// divided back by one magnitude is not the other, or (signed) it passes 2^63 - 1
    /// (2^63 for a negative product).
    private func productOverflows(_ x: VReg, _ y: VReg, signed: Bool) throws -> VReg {
        let mx = signed ? magnitude(x, width: .w64) : x, my = signed ? magnitude(y, width: .w64) : y
        let product = materialize(try binop(.mul, .reg(mx), .reg(my), width: .w64), width: .w64)
        let out = b.newVReg()
        let divide = b.newBlock(), range = b.newBlock(), wrapped = b.newBlock(), fits = b.newBlock(), join = b.newBlock()
        b.terminate(.branch(.eq, lhs: mx, rhs: .imm(0), width: .w64, then: fits, else: divide))
        b.switchTo(divide)
        let back = materialize(try binop(.udiv, .reg(product), .reg(mx), width: .w64), width: .w64)
        b.terminate(.branch(.ne, lhs: back, rhs: .reg(my), width: .w64, then: wrapped, else: signed ? range : fits))
        if signed {
            b.switchTo(range)
            // The limit: 2^63 - 1, one more when the signs differ.
            let signs = materialize(try binop(.xor, .reg(x), .reg(y), width: .w64), width: .w64)
            let extra = materialize(try binop(.lshr, .reg(signs), .imm(63), width: .w64), width: .w64)
            let limit = materialize(try binop(.add, .reg(extra), .reg(materialize(.imm(Int64.max), width: .w64)), width: .w64), width: .w64)
            b.terminate(.branch(.ugt, lhs: product, rhs: .reg(limit), width: .w64, then: wrapped, else: fits))
        }
        b.switchTo(wrapped); b.emit(.mov(dst: out, src: .imm(1), width: .w32)); b.jump(to: join)
        b.switchTo(fits); b.emit(.mov(dst: out, src: .imm(0), width: .w32)); b.jump(to: join)
        b.switchTo(join)
        return out
    }

    /// `v < 0 ? -v : v` at `width` in a fresh register (the most negative value stays
    /// itself: read unsigned, it is its magnitude).
    func magnitude(_ v: VReg, width: Width) -> VReg {
        let m = b.newVReg()
        let negative = b.newBlock(), done = b.newBlock()
        b.emit(.mov(dst: m, src: .reg(v), width: width))
        b.terminate(.branch(.sge, lhs: v, rhs: .imm(0), width: width, then: done, else: negative))
        b.switchTo(negative); b.emit(.neg(dst: m, src: v, width: width)); b.jump(to: done)
        b.switchTo(done)
        return m
    }
}
