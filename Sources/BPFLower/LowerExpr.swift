import BPFIR
import BPFFrontend

extension FunctionLowering {
    /// Evaluates an expression. With `discard`, the value is not needed.
    func rvalue(_ e: Expr, discard: Bool = false) throws -> RValue {
        // A 128-bit integer value is held in memory (LowerWide): computed there, or read
        // in place from its variable; the calls and statement expressions that make one
        // are lowered below. One narrowed to a scalar type is its low half, converted.
        if isWide(e.type) {
            switch e.kind {
            case .call, .statementExpr: break
            default: return .aggregate(try wideInMemory(e))
            }
        } else if case .cast(let inner, _) = e.kind, isWide(inner.type), !e.type.isVoid {
            return .scalar(try narrowWide(try wide(inner), to: e.type, at: e.location))
        }
        switch e.kind {
        case .intLiteral(let v):
            if e.type.isVoid { return .none }
            return .scalar(.imm(TypeLayout.normalize(Int64(bitPattern: v), layout.width(e.type))))
        case .stringLiteral, .compoundLiteral, .initList:
            return try load(try lvalue(e), at: e.location)
        case .declRef(.function(let name)):
            return .scalar(.reg(try functionAddress(name, at: e.location)))
        case .declRef:
            return try load(try lvalue(e), at: e.location)
        case .member, .arraySubscript:
            return try load(try lvalue(e), at: e.location)
        case .sizeofType(let t):
            return .scalar(.imm(Int64(layout.size(t))))
        case .builtinTypesCompatible(let a, let c):
            return .scalar(.imm(a.canonical == c.canonical ? 1 : 0))
        case .typeOperand, .enumValueOperand:
            throw LoweringError(e.location, "type operand used as a value")
        case .unary(let op, let inner):
            return try lowerUnary(op, inner, e)
        case .binary(let op, let l, let r):
            return try lowerBinary(op, l, r, e, discard: discard)
        case .conditional(let c, let a, let bb):
            return try lowerConditional(c, a, bb, e)
        case .cast(let inner, _):
            if e.type.isVoid { _ = try rvalue(inner, discard: true); return .none }
            if isArray(inner.type) && (e.type.isPointer || e.type.isInteger) {
                // Array-to-pointer decay: the array's address.
                let lv = try lvalue(inner)
                guard case .memory(let m) = lv.storage else { throw LoweringError(e.location, "array not in memory") }
                return .scalar(.reg(materializeAddress(m)))
            }
            if case .function = inner.type.canonical {
                return try rvalue(inner)
            }
            if layout.isAggregate(e.type) { return try rvalue(inner) }
            let v = try rvalue(inner)
            guard case .scalar(let op) = v else {
                if case .aggregate = v, layout.isAggregate(inner.type) {
                    throw LoweringError(e.location, "cannot convert an aggregate to a scalar")
                }
                return v
            }
            // A signed value known to be non-negative widens like an unsigned one (no sign extension).
            let from = isNonNegative(inner) ? unsignedVariant(inner.type) : inner.type
            return .scalar(try convert(op, from: from, to: e.type, at: e.location))
        case .call(let callee, let args):
            return try lowerCall(callee, args, e, discard: discard)
        case .statementExpr(let stmts):
            guard var last = stmts.last else { return .none }
            for s in stmts.dropLast() { try lowerStmt(s) }
            // The value is the last statement's, through the labels in front of it
            // (`({ ...; done: v; })`).
            while case .label(let name, let body) = last.kind {
                let blk = labelBlock(name)
                b.jump(to: blk); b.switchTo(blk)
                last = body
            }
            if case .expression(let le) = last.kind {
                at(last.location)
                let v = try rvalue(le, discard: discard)
                if case .aggregate(let m) = v {
                    // Copy out: the statement expression's locals end here.
                    let dst = newStackObject(size: layout.size(le.type), type: le.type, name: "stmtexpr")
                    copy(to: dst, from: m, size: try inlineSize(layout.size(le.type), at: le.location, "a copy"))
                    return .aggregate(dst)
                }
                return v
            }
            try lowerStmt(last)
            return .none
        }
    }

    /// Forces a scalar value into a register-or-immediate operand.
    func scalar(_ e: Expr) throws -> Operand {
        if isWide(e.type) {
            throw LoweringError(e.location, "a 128-bit integer value ('\(wideName(e.type))') cannot be used here: it does not fit a 64-bit BPF register")
        }
        let v = try rvalue(e)
        guard case .scalar(let op) = v else { throw LoweringError(e.location, "expected a scalar value") }
        return op
    }

    // MARK: conversions

    /// Converts a scalar between C types, keeping the zero-extended register invariant.
    func convert(_ op: Operand, from: CType, to: CType, at loc: SourceLocation) throws -> Operand {
        let fromC = from.canonical, toC = to.canonical
        if toC == .void { return op }
        if case .float = toC { throw LoweringError(loc, "floating point is not supported by BPF") }
        if case .float = fromC { throw LoweringError(loc, "floating point is not supported by BPF") }
        if case .bool = toC, fromC != .bool {
            return try toBool(op, width: layout.width(from))
        }
        let fw = layout.width(from), tw = layout.width(to)
        let fSigned = layout.isSigned(from) && !from.isPointer
        if case .imm(let k) = op {
            let v = fSigned ? TypeLayout.signExtend(k, fw) : TypeLayout.normalize(k, fw)
            return .imm(TypeLayout.normalize(v, tw))
        }
        guard case .reg(let r) = op else { return op }
        if tw.bytes > fw.bytes {
            if !fSigned || nonNegativeRegisters.contains(r) { return op }
            let x = b.newVReg()
            b.emit(.ext(dst: x, src: r, from: fw, to: tw == .w64 ? .w64 : .w32, signed: true))
            if tw == .w16 || tw == .w8 {
                // Sign-extended into 32 bits; keep only the target width.
                let y = b.newVReg()
                b.emit(.ext(dst: y, src: x, from: tw, to: .w32, signed: false))
                return .reg(y)
            }
            return .reg(x)
        }
        if tw.bytes < fw.bytes {
            let x = b.newVReg()
            b.emit(.ext(dst: x, src: r, from: tw, to: tw == .w64 ? .w64 : .w32, signed: false))
            return .reg(x)
        }
        return op
    }

    /// (v != 0) as 0/1, without branches: (v | -v) >> 63 on the 64-bit value.
    func toBool(_ op: Operand, width: Width) throws -> Operand {
        if case .imm(let k) = op { return .imm(TypeLayout.normalize(k, width) != 0 ? 1 : 0) }
        guard case .reg(let r) = op else { return op }
        let n = b.newVReg(), o = b.newVReg(), s = b.newVReg()
        b.emit(.neg(dst: n, src: r, width: .w64))
        b.emit(.binary(.or, dst: o, lhs: n, rhs: .reg(r), width: .w64))
        b.emit(.binary(.lshr, dst: s, lhs: o, rhs: .imm(63), width: .w64))
        return .reg(s)
    }

    // MARK: unary

    private func lowerUnary(_ op: UnaryOp, _ inner: Expr, _ e: Expr) throws -> RValue {
        switch op {
        case .plus, .extension, .real:
            return try rvalue(inner)
        case .imag:
            return .scalar(.imm(0))
        case .minus:
            let v = try scalar(inner)
            let w = layout.opWidth(e.type)
            if case .imm(let k) = v { return .scalar(.imm(TypeLayout.normalize(0 &- k, w))) }
            let r = b.newVReg()
            b.emit(.neg(dst: r, src: materialize(v, width: w), width: w))
            return .scalar(.reg(r))
        case .bitNot:
            let v = try scalar(inner)
            let w = layout.opWidth(e.type)
            if case .imm(let k) = v { return .scalar(.imm(TypeLayout.normalize(~k, w))) }
            let r = b.newVReg()
            b.emit(.binary(.xor, dst: r, lhs: materialize(v, width: w), rhs: .imm(-1), width: w))
            return .scalar(.reg(r))
        case .logicalNot:
            return try conditionValue(e)
        case .deref:
            if case .function = e.type.canonical { return try rvalue(inner) }
            return try load(try lvalue(e), at: e.location)
        case .addressOf:
            if case .function = inner.type.canonical { return try rvalue(inner) }
            let lv = try lvalue(inner)
            guard let m = addressableMemory(lv) else {
                throw LoweringError(e.location, "cannot take the address of this expression")
            }
            return .scalar(.reg(materializeAddress(m)))
        case .preInc, .preDec, .postInc, .postDec:
            let lv = try lvalue(inner)
            guard case .scalar(let old) = try load(lv, at: e.location) else {
                throw LoweringError(e.location, "cannot increment this value")
            }
            let t = inner.type
            let w = layout.width(t)
            let step: Int64 = t.isPointer ? Int64(max(1, layout.size(t.pointee ?? .void))) : 1
            let isInc = op == .preInc || op == .postInc
            // Keep the old value when it lives in the register being updated.
            var oldKept = old
            if op == .postInc || op == .postDec, case .register = lv.storage, case .reg(let r) = old {
                let c = b.newVReg()
                b.emit(.mov(dst: c, src: .reg(r), width: w == .w64 ? .w64 : .w32))
                oldKept = .reg(c)
            }
            let opw: Width = w == .w64 ? .w64 : .w32
            let sum = b.newVReg()
            // `int` arithmetic cannot overflow in C.
            let noWrap = !t.isPointer && opw == .w32 && w == .w32 && layout.isSigned(t)
            b.emit(.binary(isInc ? .add : .sub, dst: sum, lhs: materialize(old, width: opw), rhs: .imm(step), width: opw),
                   noSignedWrap: noWrap)
            var newV: Operand = .reg(sum)
            if w == .w8 || w == .w16 || t.canonical == .bool {
                newV = try convert(.reg(sum), from: .int(bytes: 4, signed: false, name: "unsigned int"), to: t, at: e.location)
            }
            try assign(lv, value: newV)
            return .scalar(op == .preInc || op == .preDec ? newV : oldKept)
        }
    }

    // MARK: binary

    private func lowerBinary(_ op: BinaryOp, _ l: Expr, _ r: Expr, _ e: Expr, discard: Bool) throws -> RValue {
        switch op {
        case .comma:
            _ = try rvalue(l, discard: true)
            return try rvalue(r, discard: discard)
        case .assign:
            let v = try rvalue(r)
            let lv = try lvalue(l)
            try assign(lv, rvalue: v, type: r.type, at: e.location)
            if discard { return .none }
            return try load(lv, at: e.location)
        case .lt, .gt, .le, .ge, .eq, .ne, .logicalAnd, .logicalOr:
            return try conditionValue(e)
        case .mulAssign, .divAssign, .remAssign, .addAssign, .subAssign, .shlAssign, .shrAssign,
             .andAssign, .xorAssign, .orAssign:
            return try lowerCompoundAssign(op, l, r, e, discard: discard)
        default:
            let lv = try scalar(l), rv = try scalar(r)
            // Pointer offsets known to be non-negative need no sign extension.
            let lt = r.type.isPointer && isNonNegative(l) ? unsignedVariant(l.type) : l.type
            let rt = l.type.isPointer && isNonNegative(r) ? unsignedVariant(r.type) : r.type
            return .scalar(try arithmetic(op, lv, lt, rv, rt, resultType: e.type, at: e.location))
        }
    }

    private func lowerCompoundAssign(_ op: BinaryOp, _ l: Expr, _ r: Expr, _ e: Expr, discard: Bool) throws -> RValue {
        let base: BinaryOp
        switch op {
        case .mulAssign: base = .mul
        case .divAssign: base = .div
        case .remAssign: base = .rem
        case .addAssign: base = .add
        case .subAssign: base = .sub
        case .shlAssign: base = .shl
        case .shrAssign: base = .shr
        case .andAssign: base = .bitAnd
        case .xorAssign: base = .bitXor
        default: base = .bitOr
        }
        if isWide(r.type) && !isWide(l.type) && !l.type.isPointer {
            // Computed in 128 bits (the usual conversions), stored narrowed.
            let result = try narrowCompoundAssign(base, l, r, e)
            return discard ? .none : .scalar(result)
        }
        let rv = try scalar(r)
        let lv = try lvalue(l)
        guard case .scalar(let old) = try load(lv, at: e.location) else {
            throw LoweringError(e.location, "invalid compound assignment")
        }
        let result: Operand
        if l.type.isPointer {
            result = try arithmetic(base, old, l.type, rv, r.type, resultType: l.type, at: e.location)
        } else {
            // Computation type: RHS's type for arithmetic (clang converted it), the promoted LHS for shifts.
            let compType: CType = (base == .shl || base == .shr) ? promoted(l.type) : commonType(l.type, r.type)
            let lc = try convert(old, from: l.type, to: compType, at: e.location)
            let rc = (base == .shl || base == .shr) ? rv : try convert(rv, from: r.type, to: compType, at: e.location)
            let value = try arithmetic(base, lc, compType, rc, (base == .shl || base == .shr) ? r.type : compType,
                                       resultType: compType, at: e.location)
            result = try convert(value, from: compType, to: l.type, at: e.location)
        }
        try assign(lv, value: result)
        return discard ? .none : .scalar(result)
    }

    /// The unsigned type of the same size (for signed values known to be non-negative).
    func unsignedVariant(_ t: CType) -> CType {
        guard t.isInteger, layout.isSigned(t) else { return t }
        return .int(bytes: layout.size(t), signed: false, name: "unsigned")
    }

    /// Whether an integer expression can never be negative (assuming, as C does, that
    /// signed arithmetic does not overflow): unsigned sources widened, masks, and
    /// arithmetic on non-negative operands.
    func isNonNegative(_ e: Expr) -> Bool {
        guard e.type.isInteger else { return false }
        if !layout.isSigned(e.type) { return true }
        switch e.kind {
        case .intLiteral(let v):
            return TypeLayout.signExtend(Int64(bitPattern: v), layout.width(e.type)) >= 0
        case .cast(let inner, _):
            guard inner.type.isInteger else { return false }
            // An unsigned value stays non-negative only when widened; (s8)u8 may not be.
            if !layout.isSigned(inner.type) { return layout.size(inner.type) < layout.size(e.type) }
            return layout.size(inner.type) <= layout.size(e.type) && isNonNegative(inner)
        case .declRef(.local(let id)):
            // Constants are kept as their low bits, zero-extended: the sign is the type's.
            if case .constant(let v, _)? = vars[VarKey(frame: frame, id: id)] {
                return TypeLayout.signExtend(v, layout.width(e.type)) >= 0
            }
            return false
        case .binary(let op, let a, let b):
            switch op {
            case .bitAnd: return isNonNegative(a) || isNonNegative(b)
            case .add, .mul, .shl, .shr, .div, .rem, .bitOr, .bitXor: return isNonNegative(a) && isNonNegative(b)
            case .comma: return isNonNegative(b)
            case .lt, .gt, .le, .ge, .eq, .ne, .logicalAnd, .logicalOr: return true
            default: return false
            }
        case .unary(.logicalNot, _): return true
        case .conditional(_, let a, let b): return isNonNegative(a) && isNonNegative(b)
        default: return false
        }
    }

    /// C's integer promotion.
    func promoted(_ t: CType) -> CType {
        if layout.size(t) < 4 || t.canonical == .bool { return .int(bytes: 4, signed: true, name: "int") }
        if case .enumeration = t.canonical {
            return .int(bytes: layout.size(t), signed: layout.isSigned(t), name: layout.isSigned(t) ? "int" : "unsigned int")
        }
        return t
    }

    /// The usual arithmetic conversions.
    func commonType(_ a: CType, _ c: CType) -> CType {
        let pa = promoted(a), pc = promoted(c)
        let sa = layout.size(pa), sc = layout.size(pc)
        if sa != sc { return sa > sc ? pa : pc }
        if !layout.isSigned(pa) { return pa }
        return pc
    }

    /// An arithmetic or bitwise operation on converted operands, including pointer arithmetic.
    func arithmetic(_ op: BinaryOp, _ a: Operand, _ at: CType, _ c: Operand, _ ct: CType, resultType: CType,
                    at loc: SourceLocation) throws -> Operand {
        // Pointer arithmetic.
        if at.isPointer && ct.isInteger && (op == .add || op == .sub) {
            return try pointerOffset(a, by: c, indexType: ct, pointer: at, subtract: op == .sub)
        }
        if ct.isPointer && at.isInteger && op == .add {
            return try pointerOffset(c, by: a, indexType: at, pointer: ct, subtract: false)
        }
        if at.isPointer && ct.isPointer && op == .sub {
            let diff = try binop(.sub, a, c, width: .w64)
            let size = max(1, layout.size(at.pointee ?? .void))
            if size == 1 { return diff }
            if size & (size - 1) == 0 {
                return try binop(.ashr, diff, .imm(Int64(size.trailingZeroBitCount)), width: .w64)
            }
            return try binop(.udiv, diff, .imm(Int64(size)), width: .w64)
        }
        let w = layout.opWidth(resultType)
        let signed = layout.isSigned(resultType)
        switch op {
        case .add: return try binop(.add, a, c, width: w, noSignedWrap: signed && w == .w32)
        case .sub: return try binop(.sub, a, c, width: w, noSignedWrap: signed && w == .w32)
        case .mul: return try binop(.mul, a, c, width: w)
        case .bitAnd: return try binop(.and, a, c, width: w)
        case .bitOr: return try binop(.or, a, c, width: w)
        case .bitXor: return try binop(.xor, a, c, width: w)
        case .shl: return try binop(.shl, a, try shiftAmount(c, ct), width: w)
        case .shr: return try binop(signed ? .ashr : .lshr, a, try shiftAmount(c, ct), width: w)
        case .div, .rem:
            if signed { return try signedDivision(op == .div, a, c, width: w, at: loc) }
            if op == .rem, case .imm(let k) = c, ConstantFolding.powerOfTwo(k, width: w) != nil {
                // A mask (bounded for the verifier, unlike a remainder); a division by a
                // power of two becomes a shift in ConstantFolding, where it is known
                // whether the quotient is a loop's variable.
                return try binop(.and, a, .imm(k - 1), width: w)
            }
            let result = try binop(op == .div ? .udiv : .urem, a, c, width: w)
            if op == .rem, case .imm(let k) = c, k > 0, case .reg(let r) = result {
                // `x % C < C` always, but the verifier does not track remainders: a branch
                // that can never be taken gives it the bound (array indices such as arr[i % 3]).
                // The never-taken side is laid out of line, so that the verifier walks the
                // bounded value first: the clamp's exact `C - 1` arriving later is pruned
                // against it, where walked first it kept every later state from pruning
                // (a remainder in a function called sixteen times: two states per call).
                let keep = b.newBlock(), clamp = b.newBlock()
                b.markUnlikely(clamp)
                b.terminate(.branch(.ule, lhs: r, rhs: .imm(k - 1), width: w, then: keep, else: clamp))
                b.switchTo(clamp)
                b.emit(.mov(dst: r, src: .imm(k - 1), width: w))
                b.jump(to: keep)
                b.switchTo(keep)
                if w == .w32 {
                    // The verifier forgets the upper half after a 32-bit remainder: re-zero it.
                    let z = b.newVReg()
                    b.emit(.ext(dst: z, src: r, from: .w32, to: .w32, signed: false))
                    return .reg(z)
                }
            }
            return result
        default:
            throw LoweringError(loc, "unsupported operator")
        }
    }

    private func shiftAmount(_ c: Operand, _ ct: CType) throws -> Operand {
        if case .imm(let k) = c { return .imm(k & 63) }
        return c
    }

    /// dst = a op c at `width`, folding constants.
    func binop(_ op: BinOp, _ a: Operand, _ c: Operand, width: Width, noSignedWrap: Bool = false) throws -> Operand {
        if case .imm(let x) = a, case .imm(let y) = c, let v = fold(op, x, y, width) {
            return .imm(v)
        }
        var lhs = a, rhs = c
        if case .imm = lhs, case .reg = rhs, op.isCommutative { swap(&lhs, &rhs) }
        let l = materialize(lhs, width: width)
        if case .imm(let k) = rhs, width == .w64, k > Int64(Int32.max) || k < Int64(Int32.min) {
            rhs = .reg(materialize(rhs, width: .w64))
        }
        let r = b.newVReg()
        b.emit(.binary(op, dst: r, lhs: l, rhs: rhs, width: width), noSignedWrap: noSignedWrap)
        return .reg(r)
    }

    private func fold(_ op: BinOp, _ x: Int64, _ y: Int64, _ w: Width) -> Int64? {
        let ux = UInt64(bitPattern: x) & TypeLayout.mask(w), uy = UInt64(bitPattern: y) & TypeLayout.mask(w)
        let sx = TypeLayout.signExtend(Int64(bitPattern: ux), w), sy = TypeLayout.signExtend(Int64(bitPattern: uy), w)
        let r: UInt64
        switch op {
        case .add: r = ux &+ uy
        case .sub: r = ux &- uy
        case .mul: r = ux &* uy
        case .and: r = ux & uy
        case .or: r = ux | uy
        case .xor: r = ux ^ uy
        case .shl: r = ux << (uy & UInt64(w.bits - 1))
        case .lshr: r = ux >> (uy & UInt64(w.bits - 1))
        case .ashr: r = UInt64(bitPattern: sx >> Int64(uy & UInt64(w.bits - 1)))
        case .udiv: if uy == 0 { return nil }; r = ux / uy
        case .urem: if uy == 0 { return nil }; r = ux % uy
        case .sdiv: if sy == 0 || (sy == -1 && sx == Int64.min) { return nil }; r = UInt64(bitPattern: sx / sy)
        case .srem: if sy == 0 || (sy == -1 && sx == Int64.min) { return nil }; r = UInt64(bitPattern: sx % sy)
        }
        return Int64(bitPattern: r & TypeLayout.mask(w))
    }

    /// Signed division: by a power of two with shifts (works on every -mcpu, as clang
    /// does), otherwise sdiv/smod, which codegen accepts from v4 only.
    private func signedDivision(_ isDiv: Bool, _ a: Operand, _ c: Operand, width w: Width, at loc: SourceLocation) throws -> Operand {
        if case .imm(let k) = c {
            let d = TypeLayout.signExtend(k, w)
            if d > 0 && d & (d - 1) == 0 {
                if d == 1 { return isDiv ? a : .imm(0) }
                let s = Int64(d.trailingZeroBitCount)
                let sign = try binop(.ashr, a, .imm(Int64(w.bits - 1)), width: w)
                let bias = try binop(.lshr, sign, .imm(Int64(w.bits) - s), width: w)
                let adj = try binop(.add, a, bias, width: w)
                if isDiv { return try binop(.ashr, adj, .imm(s), width: w) }
                // The remainder: a minus the biased value rounded down to a multiple of d.
                let back = try binop(.and, adj, .imm(TypeLayout.normalize(-d, w)), width: w)
                return try binop(.sub, a, back, width: w)
            }
        }
        if case .imm(let k) = c, TypeLayout.signExtend(k, w) != 0, TypeLayout.signExtend(k, w) != Int64.min,
           module.options.cpu < 4 {
            // By any other constant: divide magnitudes unsigned and restore the sign
            // (what clang achieves with its own sequences; no sdiv needed before v4).
            let d = TypeLayout.signExtend(k, w)
            let sign = try binop(.ashr, a, .imm(Int64(w.bits - 1)), width: w)
            let flipped = try binop(.xor, a, sign, width: w)
            let magnitude = try binop(.sub, flipped, sign, width: w)
            let q = try binop(.udiv, magnitude, .imm(TypeLayout.normalize(abs(d), w)), width: w)
            let qf = try binop(.xor, q, sign, width: w)
            var quotient = try binop(.sub, qf, sign, width: w)
            if d < 0 { quotient = try binop(.sub, .imm(0), quotient, width: w) }
            if isDiv { return quotient }
            let prod = try binop(.mul, quotient, .imm(TypeLayout.normalize(d, w)), width: w)
            return try binop(.sub, a, prod, width: w)
        }
        return try binop(isDiv ? .sdiv : .srem, a, c, width: w)
    }

    private func pointerOffset(_ p: Operand, by i: Operand, indexType: CType, pointer: CType, subtract: Bool) throws -> Operand {
        let size = max(1, layout.size(pointer.pointee ?? .void))
        if case .imm(let k) = i {
            let kk = layout.isSigned(indexType) ? TypeLayout.signExtend(k, layout.width(indexType)) : k
            // Wrapping, as the target's address arithmetic does (an offset this large is
            // undefined in C; the verifier refuses the access).
            let delta = kk &* Int64(size) &* (subtract ? -1 : 1)
            if delta == 0 { return p }
            return try binop(.add, p, .imm(delta), width: .w64)
        }
        let scaled = try scaleIndex(i, type: indexType, by: size)
        return try binop(subtract ? .sub : .add, p, .reg(scaled), width: .w64)
    }

    /// A scalar that is an immediate whenever `e` is an integer constant expression
    /// (`offsetof`, `sizeof`, enumerators, address arithmetic on a null pointer) or lowers
    /// to a constant, such as a parameter of an inlined function bound to a constant
    /// argument (what clang sees after inlining).
    func scalarPreferringConstant(_ e: Expr) throws -> Operand {
        if let v = ConstantEvaluator.evaluate(e, layout: layout), case .integer(let k) = v { return .imm(k) }
        return try scalar(e)
    }

    // MARK: conditionals

    /// The truth of a condition known while compiling: constants, locals holding one, and
    /// `__builtin_constant_p(...)` (so `bpf_htons(CONST)` selects its constant arm, and a
    /// recursive `__always_inline` function given a constant ends: xxhash's `finalize`).
    func staticCondition(_ e: Expr) -> Bool? {
        switch e.kind {
        // A cast that keeps every bit of its operand (or makes a bool) keeps its truth; a
        // narrowing one may not: `(__s32)0x8000000000000000ull` is 0.
        case .cast(let inner, _) where e.type.canonical == .bool || !(e.type.isInteger && inner.type.isInteger)
                                         || layout.size(e.type) >= layout.size(inner.type):
            return staticCondition(inner)
        case .unary(.extension, let inner): return staticCondition(inner)
        case .unary(.logicalNot, let inner): return staticCondition(inner).map { !$0 }
        case .call(let callee, let args):
            guard case .declRef(.function("__builtin_constant_p")) = callee.withoutCasts.kind, let x = args.first else { return nil }
            if ConstantEvaluator.evaluate(x, layout: layout) != nil { return true }
            if let id = LoopUnroller.localID(x), case .constant? = vars[VarKey(frame: frame, id: id)] { return true }
            return false
        default:
            // A 128-bit constant is true when either half is non-zero.
            if isWide(e.type) { return ConstantEvaluator.wideInteger(e).map { $0 != 0 } }
            if case .integer(let v)? = ConstantEvaluator.evaluate(e, layout: layout, locals: constantLocal) { return v != 0 }
            return nil
        }
    }

    /// The value of a local that holds one all through (`Storage.constant`: an inlined
    /// function's parameter given a constant it never changes, an unrolled loop's counter).
    func constantLocal(_ id: Int) -> Int64? {
        if case .constant(let v, _)? = vars[VarKey(frame: frame, id: id)] { return v }
        return nil
    }

    /// Whether two expressions compute the same value without side effects: the same
    /// operators on the same variables and constants at the same types, source locations
    /// aside, no volatile access (`x ? x : y` evaluates x once, as GNU `x ?: y` does).
    static func isSamePureComputation(_ x: Expr, _ y: Expr) -> Bool {
        guard x.type == y.type, !x.type.isVolatileQualified else { return false }
        switch (x.kind, y.kind) {
        case (.intLiteral(let a), .intLiteral(let b)): return a == b
        case (.declRef(let a), .declRef(let b)): return a == b
        case (.unary(let p, let a), .unary(let q, let b)):
            return p == q && !p.steps && isSamePureComputation(a, b)
        case (.binary(let p, let a1, let a2), .binary(let q, let b1, let b2)):
            return p == q && !p.writesLHS && isSamePureComputation(a1, b1) && isSamePureComputation(a2, b2)
        case (.cast(let a, let i), .cast(let b, let j)): return i == j && isSamePureComputation(a, b)
        case (.member(let a, let i, let p), .member(let b, let j, let q)): return i == j && p == q && isSamePureComputation(a, b)
        case (.arraySubscript(let a1, let a2), .arraySubscript(let b1, let b2)):
            return isSamePureComputation(a1, b1) && isSamePureComputation(a2, b2)
        default: return false
        }
    }

    private func lowerConditional(_ c: Expr, _ a: Expr, _ bb: Expr, _ e: Expr) throws -> RValue {
        if let taken = staticCondition(c) {
            let arm = taken ? a : bb
            let v = try rvalue(arm)
            if case .scalar(let op) = v, !e.type.isVoid { return .scalar(try convert(op, from: arm.type, to: e.type, at: arm.location)) }
            return e.type.isVoid ? .none : v
        }
        if layout.isScalar(e.type), layout.isScalar(c.type), c.type.canonical == a.type.canonical,
           c == a || Self.isSamePureComputation(c, a) {
            // `x ?: y` (and `x ? x : y`): evaluate x once and branch on that register,
            // so the verifier knows the result is non-zero on that path.
            let v = try scalar(c)
            let reg = materialize(v, width: layout.width(c.type) == .w64 ? .w64 : .w32)
            let result = b.newVReg()
            let w: Width = layout.width(e.type) == .w64 ? .w64 : .w32
            let thenB = b.newBlock(), elseB = b.newBlock(), join = b.newBlock()
            try branch(.ne, .reg(reg), .imm(0), width: layout.opWidth(c.type.isPointer ? .pointer(.void) : c.type),
                       signed: false, then: thenB, else: elseB)
            b.switchTo(thenB)
            b.emit(.mov(dst: result, src: try convert(.reg(reg), from: c.type, to: e.type, at: a.location), width: w))
            b.jump(to: join)
            b.switchTo(elseB)
            b.emit(.mov(dst: result, src: try convert(try scalar(bb), from: bb.type, to: e.type, at: bb.location), width: w))
            b.jump(to: join)
            b.switchTo(join)
            return .scalar(.reg(result))
        }
        let thenB = b.newBlock(), elseB = b.newBlock(), join = b.newBlock()
        try lowerCondition(c, then: thenB, else: elseB)
        if e.type.isVoid {
            b.switchTo(thenB); _ = try rvalue(a, discard: true); b.jump(to: join)
            b.switchTo(elseB); _ = try rvalue(bb, discard: true); b.jump(to: join)
            b.switchTo(join)
            return .none
        }
        if layout.isAggregate(e.type) {
            let result = b.newVReg()
            b.switchTo(thenB)
            if case .aggregate(let m) = try rvalue(a) { b.emit(.mov(dst: result, src: .reg(materializeAddress(m)), width: .w64)) }
            b.jump(to: join)
            b.switchTo(elseB)
            if case .aggregate(let m) = try rvalue(bb) { b.emit(.mov(dst: result, src: .reg(materializeAddress(m)), width: .w64)) }
            b.jump(to: join)
            b.switchTo(join)
            return .aggregate(MemoryRef(base: .reg(result), offset: 0, alignment: min(8, layout.alignment(e.type))))
        }
        let result = b.newVReg()
        let w: Width = layout.width(e.type) == .w64 ? .w64 : .w32
        b.switchTo(thenB)
        let av = try convert(try scalar(a), from: a.type, to: e.type, at: a.location)
        b.emit(.mov(dst: result, src: av, width: w))
        b.jump(to: join)
        b.switchTo(elseB)
        let bv = try convert(try scalar(bb), from: bb.type, to: e.type, at: bb.location)
        b.emit(.mov(dst: result, src: bv, width: w))
        b.jump(to: join)
        b.switchTo(join)
        return .scalar(.reg(result))
    }

    /// The 0/1 value of a condition.
    func conditionValue(_ e: Expr) throws -> RValue {
        .scalar(.reg(try zeroOrOne { try lowerCondition(e, then: $0, else: $1) }))
    }

    /// 1 in a fresh register when `lhs cc rhs` (at `width`), else 0.
    func flag(_ cc: CondCode, _ lhs: VReg, _ rhs: Operand, width: Width = .w64) -> VReg {
        zeroOrOne { b.terminate(.branch(cc, lhs: lhs, rhs: rhs, width: width, then: $0, else: $1)) }
    }

    /// A fresh register that is 1 where `branch(one, zero)` goes to `one` and 0 where it
    /// goes to `zero` (moves of `width`), in the block where the two meet, current after.
    func zeroOrOne(width: Width = .w32, _ branch: (_ one: BlockID, _ zero: BlockID) throws -> Void) rethrows -> VReg {
        let result = b.newVReg()
        let one = b.newBlock(), zero = b.newBlock(), join = b.newBlock()
        try branch(one, zero)
        b.switchTo(one); b.emit(.mov(dst: result, src: .imm(1), width: width)); b.jump(to: join)
        b.switchTo(zero); b.emit(.mov(dst: result, src: .imm(0), width: width)); b.jump(to: join)
        b.switchTo(join)
        return result
    }

    /// Branches to `then` or `else` on the truth of `e`, keeping comparisons
    /// (packet bounds checks especially) as compare-and-jump on the original values.
    func lowerCondition(_ e: Expr, then t: BlockID, else f: BlockID) throws {
        if let taken = staticCondition(e) {
            b.jump(to: taken ? t : f)
            return
        }
        if isWide(e.type) { try lowerWideTest(e, then: t, else: f); return }
        switch e.kind {
        case .binary(.logicalAnd, let l, let r):
            let mid = b.newBlock()
            try lowerCondition(l, then: mid, else: f)
            b.switchTo(mid)
            try lowerCondition(r, then: t, else: f)
        case .binary(.logicalOr, let l, let r):
            let mid = b.newBlock()
            try lowerCondition(l, then: t, else: mid)
            b.switchTo(mid)
            try lowerCondition(r, then: t, else: f)
        case .unary(.logicalNot, let inner):
            try lowerCondition(inner, then: f, else: t)
        case .unary(.extension, let inner):
            try lowerCondition(inner, then: t, else: f)
        case .binary(.comma, let l, let r):
            _ = try rvalue(l, discard: true)
            try lowerCondition(r, then: t, else: f)
        case .call where memcmpCall(e) != nil:
            try lowerMemcmpCondition(memcmpCall(e)!, e, differ: t, equal: f)
        case .binary(let op, let l, let r) where (op == .eq || op == .ne) && ConstantEvaluator.integer(r) == 0
                                                  && (memcmpCall(l) != nil || powerOfTwoRemainder(l) != nil):
            try lowerCondition(l, then: op == .ne ? t : f, else: op == .ne ? f : t)
        case .binary(.rem, let l, _) where powerOfTwoRemainder(e) != nil:
            // `x % 2^k` is non-zero exactly when the low k bits of x are, whatever x's sign:
            // a mask instead of the signed remainder's five-instruction sequence.
            let w = layout.opWidth(e.type)
            let m = b.newVReg()
            b.emit(.binary(.and, dst: m, lhs: materialize(try scalar(l), width: w), rhs: .imm(powerOfTwoRemainder(e)! - 1), width: w))
            try branch(.ne, .reg(m), .imm(0), width: w, signed: false, then: t, else: f)
        case .binary(let op, let l, let r) where [.lt, .gt, .le, .ge, .eq, .ne].contains(op) && (isWide(l.type) || isWide(r.type)):
            try lowerWideComparison(op, l, r, then: t, else: f)
        case .binary(let op, let l, let r) where [.lt, .gt, .le, .ge, .eq, .ne].contains(op):
            let a = try scalar(l), c = try scalar(r)
            let operandType = l.type.isPointer || r.type.isPointer ? CType.pointer(.void) : l.type
            let w = layout.opWidth(operandType)
            let signed = layout.isSigned(operandType) && !operandType.isPointer
            var cc: CondCode
            switch op {
            case .lt: cc = signed ? .slt : .ult
            case .gt: cc = signed ? .sgt : .ugt
            case .le: cc = signed ? .sle : .ule
            case .ge: cc = signed ? .sge : .uge
            case .eq: cc = .eq
            default: cc = .ne
            }
            // Two pointers are rarely equal (LLVM's pointer heuristic): the equal side is
            // laid out of line, so the verifier walks the usual path first.
            if (op == .eq || op == .ne) && l.type.isPointer && r.type.isPointer,
               case .reg = a, case .reg = c {
                b.markUnlikely(op == .eq ? t : f)
            }
            if (op == .eq || op == .ne) && (l.type.isPointer || r.type.isPointer),
               ConstantEvaluator.integer(l) == 0 || ConstantEvaluator.integer(r) == 0 {
                markEarlyExitOnNull(op == .eq ? t : f)
            }
            try branch(cc, a, c, width: w, signed: signed, then: t, else: f)
        case .cast(let inner, _) where e.type.canonical == .bool || (e.type.isInteger && layout.size(e.type) >= layout.size(inner.type) && (inner.type.isInteger || inner.type.isPointer)):
            try lowerCondition(inner, then: t, else: f)
        case .intLiteral(let v):
            // The literal's bits at its type's width: `(__s32)0x8000000000000000ull` is 0.
            b.jump(to: TypeLayout.normalize(Int64(bitPattern: v), layout.width(e.type)) != 0 ? t : f)
        default:
            let v = try rvalue(e)
            guard case .scalar(let op) = v else { throw LoweringError(e.location, "condition is not a scalar") }
            let w = layout.width(e.type) == .w64 ? Width.w64 : (layout.width(e.type) == .w32 ? .w32 : .w64)
            if e.type.isPointer { markEarlyExitOnNull(f) }
            try branch(.ne, op, .imm(0), width: w, signed: false, then: t, else: f)
        }
    }

    /// A pointer is rarely NULL (LLVM's pointer heuristic): where its test branches on NULL
    /// to an `if`'s arm that leaves (`if (!p) return 0;`), that arm is laid out of line and
    /// the verifier walks the path that goes on first. Its states reach the joins and loop
    /// heads first, the NULL paths' narrower ones are pruned against them (a string reader
    /// stepping its output pointer by each length read, NULL first: 5× the walk).
    func markEarlyExitOnNull(_ nullSide: BlockID) {
        if nullSide == earlyExitOnNull { b.markUnlikely(nullSide) }
    }

    /// The divisor of `x % 2^k` (an integer remainder by a constant power of two).
    func powerOfTwoRemainder(_ e: Expr) -> Int64? {
        guard case .binary(.rem, let l, let r) = e.kind, l.type.isInteger, let c = ConstantEvaluator.integer(r),
              c > 1, c & (c - 1) == 0, c <= Int64(Int32.max) else { return nil }
        return c
    }

    func branch(_ cc: CondCode, _ a: Operand, _ c: Operand, width: Width, signed: Bool, then t: BlockID, else f: BlockID) throws {
        if case .imm(let x) = a, case .imm(let y) = c {
            let taken = compareConstants(cc, x, y, width)
            b.jump(to: taken ? t : f)
            return
        }
        var cc = cc, lhs = a, rhs = c
        if case .imm = lhs { swap(&lhs, &rhs); cc = cc.swapped }
        // Immediates in the IR are the value at the compare width; codegen's legaliser
        // handles what the ISA cannot encode (no jmp32 before v3, imm beyond 32 bits).
        if case .imm(let k) = rhs {
            rhs = .imm(signed ? TypeLayout.signExtend(k, width) : (width == .w64 ? k : TypeLayout.normalize(k, width)))
        }
        let l = materialize(lhs, width: width)
        b.terminate(.branch(cc, lhs: l, rhs: rhs, width: width, then: t, else: f))
    }

    private func compareConstants(_ cc: CondCode, _ x: Int64, _ y: Int64, _ w: Width) -> Bool {
        cc.evaluate(UInt64(bitPattern: x), UInt64(bitPattern: y), width: w)
    }
}
