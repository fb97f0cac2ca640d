/// Constant propagation and folding (over the values `KnownValues` tracks; stack
/// addresses fold as `AddressFolding.foldSlot` does): a value computed only from
/// constants becomes a `mov` of the constant, constant operands become
/// immediates (`r1 &= r4` with r4 = 0xf is `r1 &= 0xf`), and a branch on two constants
/// becomes a jump (the other side is then unreachable). The arithmetic is eBPF's:
/// 32-bit operations zero-extend, division by zero gives 0, remainder by zero the
/// dividend, shift amounts are masked. A branch comparing a register with itself, or
/// with a copy of itself made in its block, is decided too (a `memcmp` of bytes that a
/// `memcpy` just wrote compares forwarded values with their copies). An absorbing operand
/// folds the operation (`x | ~0`, `x & 0`, `x * 0`, a zero dividend or shifted value:
/// `0 / x`, `0 % x`, `0 >> x`; `x % 1`), `x / 1` is a copy, and a comparison with the
/// bound of its range is decided (`x <= UINT_MAX`, `x < 0u`).
public enum ConstantFolding {
    public static func run(_ f: Function) -> Function {
        let (_, defs) = f.useDefCounts()
        var g = KnownValues(f).rewriting(f, instruction: { inst, result, value in
            let folded = AddressFolding.foldSlot(inst, result: result, value)
            return rewrite(folded, result: result?.int, once: { defs[$0] == 1 }) { value($0)?.int }
        }, terminator: { t, decided, value in
            rewrite(t, decided: decided) { value($0)?.int }
        })
        for bi in g.blocks.indices {
            guard case .branch(let cc, let l, .reg(let r), let w, let thenB, let elseB) = g.blocks[bi].terminator,
                  comparesEqualValues(l, r, width: w, in: g.blocks[bi].instructions) else { continue }
            switch cc {
            case .eq, .ule, .uge, .sle, .sge: g.blocks[bi].terminator = .jump(thenB)
            case .ne, .ult, .ugt, .slt, .sgt: g.blocks[bi].terminator = .jump(elseB)
            case .set: break
            }
        }
        return CFGSimplify.run(g)
    }

    /// Whether `a` and `b` hold the same value at the end of the block (compared at `w`):
    /// they are one register, or the block's last definition of one copies the other and
    /// the other is not written after it.
    static func comparesEqualValues(_ a: VReg, _ b: VReg, width w: Width, in insts: [Instruction]) -> Bool {
        if a == b { return true }
        func copies(_ x: VReg, _ y: VReg) -> Bool {
            guard let k = insts.lastDefinition(of: x),
                  case .mov(x, .reg(y), let mw) = insts[k].inst, mw == .w64 || w == .w32 else { return false }
            return !insts.redefines([y], after: k)
        }
        return copies(a, b) || copies(b, a)
    }

    /// An immediate operand for a value used at `width` (nil when a 64-bit use needs
    /// more than a sign-extended 32-bit immediate: it stays in its register).
    static func immediate(_ v: UInt64, width: Width) -> Operand? {
        if width != .w64 { return .imm(Int64(Int32(truncatingIfNeeded: v))) }
        let s = Int64(bitPattern: v)
        return s.fitsImm32 ? .imm(s) : nil
    }

    /// `once`: whether a register is written once (not a variable carried around a loop).
    static func rewrite(_ inst: Inst, result: UInt64?, once: (VReg) -> Bool = { _ in true }, _ known: (VReg) -> UInt64?) -> Inst {
        if let d = inst.definedRegs.first, let v = result, !inst.hasSideEffects {
            if case .mov(_, .imm, .w64) = inst { return inst }
            return .mov(dst: d, src: .imm(Int64(bitPattern: v)), width: .w64)
        }
        func operand(_ o: Operand, _ w: Width) -> Operand {
            if case .reg(let r) = o, let v = known(r), let imm = immediate(v, width: w) { return imm }
            return o
        }
        switch inst {
        case .binary(let op, let d, let l, .reg(let same), let w) where same == l:
            // One register on both sides: `x ^ x`, `x - x` and `x % x` are 0 (eBPF's
            // remainder by zero is the dividend, 0 too); `x & x` and `x | x` are `x`.
            switch op {
            case .xor, .sub, .urem, .srem: return .mov(dst: d, src: .imm(0), width: .w64)
            case .and, .or:
                // (A copy at the operation's width: 32 or 64 bits, as every binary operation.)
                return w == .w32 || w == .w64 ? .mov(dst: d, src: .reg(l), width: w) : inst
            default: return inst
            }
        case .binary(let op, let d, let l, let r, let w):
            if case .reg(let rr) = r, known(rr) == nil, let a = known(l), op.isCommutative,
               let imm = immediate(a, width: w) {
                return .binary(op, dst: d, lhs: rr, rhs: imm, width: w)
            }
            let rhs = operand(r, w)
            // `x & 0xffffffff` is a 32-bit copy (the mask, in a register, fits no immediate).
            if op == .and, w == .w64, case .reg(let m) = r, known(m) == 0xffff_ffff { return .mov(dst: d, src: .reg(l), width: .w32) }
            // (A zero dividend or shifted value, `0 / x`, `0 % x`, `0 >> x`, and `x & 0`,
            // `x * 0` are 0 by `KnownValues`: the result above.)
            // Unsigned division and remainder by a power of two are a shift and a mask,
            // which the verifier bounds (it knows nothing of a quotient or remainder):
            // `bits[idx / 8]` loads only so, as clang's build does. A division of a
            // register written more than once (a loop's variable: `n = n / 2` in a
            // bounded Collatz walk) stays a division: followed exactly, that walk cost
            // the verifier 309,205 instructions instead of 9,424 (clang's build: 143,431).
            if op == .urem || (op == .udiv && once(l)), case .imm(let k) = rhs, let shift = powerOfTwo(k, width: w) {
                return op == .udiv ? .binary(.lshr, dst: d, lhs: l, rhs: .imm(Int64(shift)), width: w)
                                   : .binary(.and, dst: d, lhs: l, rhs: .imm((Int64(1) << shift) - 1), width: w)
            }
            // An identity operand leaves a copy (at the operation's width).
            if w == .w32 || w == .w64, case .imm(let k) = rhs,
               k == 0 && [.add, .sub, .or, .xor, .shl, .lshr, .ashr].contains(op) || k == 1 && [.mul, .udiv, .sdiv].contains(op) {
                return .mov(dst: d, src: .reg(l), width: w)
            }
            // A signed remainder by 1 is 0 (an unsigned one became `x & 0` above).
            if w == .w32 || w == .w64, case .imm(1) = rhs, op == .srem {
                return .mov(dst: d, src: .imm(0), width: .w64)
            }
            // An absorbing operand leaves a constant: `x | ~0` is all ones; and `x & ~0` is
            // a copy.
            if w == .w32 || w == .w64, case .imm(let k) = rhs {
                let allOnes = UInt64(bitPattern: k) & w.mask == w.mask
                if op == .or && allOnes { return .mov(dst: d, src: .imm(-1), width: w) }
                if op == .and && allOnes { return .mov(dst: d, src: .reg(l), width: w) }
            }
            return .binary(op, dst: d, lhs: l, rhs: rhs, width: w)
        case .store(let base, let off, let v, let w):
            return .store(base: base, offset: off, value: operand(v, w), width: w)
        case .mov(let d, let s, let w):
            return .mov(dst: d, src: operand(s, w), width: w)
        case .inlineAsm(var t, let ins, let outs) where !t.constantInputs.isEmpty:
            // An input allowed to be a constant that is one: spelled in the text.
            var inputs = ins.array
            for i in t.constantInputs.reversed() {
                guard let v = known(inputs[i]), Int64(bitPattern: v).fitsImm32,
                      let replaced = t.replacingInput(i, with: Int64(bitPattern: v)) else { continue }
                t = replaced
                inputs.remove(at: i)
            }
            return inputs.count == ins.count ? inst : .inlineAsm(t, inputs: RegisterList(inputs), outputs: outs)
        default:
            return inst
        }
    }

    /// log2 of the immediate `k` read as an unsigned value of `width`, when it is a power
    /// of two below 2^31 (its mask is then an immediate too).
    public static func powerOfTwo(_ k: Int64, width: Width) -> Int? {
        guard width == .w32 || width == .w64, k > 0, k <= Int64(Int32.max), k & (k - 1) == 0 else { return nil }
        return k.trailingZeroBitCount
    }

    static func rewrite(_ t: Terminator, decided: Bool?, _ known: (VReg) -> UInt64?) -> Terminator {
        let r = rewritingOperands(t, decided: decided, known)
        // A comparison with the extreme value of its kind: `x <= UINT_MAX`, `x < 0u`.
        if case .branch(let cc, _, .imm(let k), let w, let thenB, let elseB) = r, let v = extreme(cc, k, width: w) {
            return .jump(v ? thenB : elseB)
        }
        return r
    }

    /// The outcome of `x cc k` for every x of `width` bits, when k is the bound of the
    /// comparison's range (unsigned 0 or maximum, signed minimum or maximum).
    static func extreme(_ cc: CondCode, _ k: Int64, width: Width) -> Bool? {
        guard width == .w32 || width == .w64 else { return nil }
        let u = UInt64(bitPattern: k) & width.mask
        let smax = width.mask >> 1, smin = smax + 1
        switch cc {
        case .uge where u == 0, .ule where u == width.mask, .sge where u == smin, .sle where u == smax: return true
        case .ult where u == 0, .ugt where u == width.mask, .slt where u == smin, .sgt where u == smax: return false
        default: return nil
        }
    }

    private static func rewritingOperands(_ t: Terminator, decided: Bool?, _ known: (VReg) -> UInt64?) -> Terminator {
        switch t {
        case .branch(let cc, let l, let r, let w, let thenB, let elseB):
            if let taken = decided { return .jump(taken ? thenB : elseB) }
            if case .reg(let x) = r, let b = known(x), let imm = immediate(b, width: w) {
                return .branch(cc, lhs: l, rhs: imm, width: w, then: thenB, else: elseB)
            }
            // A constant on the left (`services[i].vip == daddr` of a folded table): the
            // operands swap, the comparison mirrored, so the constant is an immediate.
            if case .reg(let x) = r, cc != .set, let a = known(l), let imm = immediate(a, width: w) {
                return .branch(cc.swapped, lhs: x, rhs: imm, width: w, then: thenB, else: elseB)
            }
            return t
        case .ret(.reg(let x)?):
            if let v = known(x), let imm = immediate(v, width: .w64) { return .ret(imm) }
            return t
        default:
            return t
        }
    }
}

public extension BinOp {
    /// eBPF arithmetic on 64-bit register values (32-bit operations zero-extend,
    /// division by zero gives 0, remainder by zero the dividend, shifts are masked).
    func evaluate(_ x: UInt64, _ y: UInt64, width w: Width) -> UInt64 {
        let op = self
        let w64 = w == .w64
        let a = w64 ? x : x & 0xffff_ffff, b = w64 ? y : y & 0xffff_ffff
        let shift = b & (w64 ? 63 : 31)
        let r: UInt64
        switch op {
        case .add: r = a &+ b
        case .sub: r = a &- b
        case .mul: r = a &* b
        case .udiv: r = b == 0 ? 0 : a / b
        case .urem: r = b == 0 ? a : a % b
        case .sdiv, .srem:
            if b == 0 { r = op == .sdiv ? 0 : a; break }
            if w64 {
                let p = Int64(bitPattern: a), q = Int64(bitPattern: b)
                r = UInt64(bitPattern: op == .sdiv ? p.dividedReportingOverflow(by: q).partialValue
                                                   : p.remainderReportingOverflow(dividingBy: q).partialValue)
            } else {
                let p = Int32(truncatingIfNeeded: a), q = Int32(truncatingIfNeeded: b)
                r = UInt64(UInt32(bitPattern: op == .sdiv ? p.dividedReportingOverflow(by: q).partialValue
                                                          : p.remainderReportingOverflow(dividingBy: q).partialValue))
            }
        case .and: r = a & b
        case .or: r = a | b
        case .xor: r = a ^ b
        case .shl: r = a << shift
        case .lshr: r = a >> shift
        case .ashr:
            r = w64 ? UInt64(bitPattern: Int64(bitPattern: a) >> Int64(shift))
                    : UInt64(UInt32(bitPattern: Int32(truncatingIfNeeded: a) >> Int32(shift)))
        }
        return w64 ? r : r & 0xffff_ffff
    }
}

public extension CondCode {
    /// The comparison on two register values at `width` (narrower widths compare the
    /// low bits, signed comparisons sign-extend them).
    func evaluate(_ x: UInt64, _ y: UInt64, width w: Width) -> Bool {
        let a = w.extend(x, signed: false), b = w.extend(y, signed: false)
        func signed(_ v: UInt64) -> Int64 { Int64(bitPattern: w.extend(v, signed: true)) }
        switch self {
        case .eq: return a == b
        case .ne: return a != b
        case .ugt: return a > b
        case .uge: return a >= b
        case .ult: return a < b
        case .ule: return a <= b
        case .sgt: return signed(a) > signed(b)
        case .sge: return signed(a) >= signed(b)
        case .slt: return signed(a) < signed(b)
        case .sle: return signed(a) <= signed(b)
        case .set: return a & b != 0
        }
    }

    /// Whether the comparison holds for every pair of values of the ranges (true), for
    /// none (false), or nil; values within `w` (a signed order only when no value has
    /// the sign bit).
    func outcome(over x: ClosedRange<UInt64>, _ y: ClosedRange<UInt64>, width w: Width) -> Bool? {
        var cc = self
        switch cc {
        case .slt, .sle, .sgt, .sge:
            guard max(x.upperBound, y.upperBound) <= w.mask >> 1 else { return nil }
            cc = [.slt: .ult, .sle: .ule, .sgt: .ugt, .sge: .uge][cc]!
        default: break
        }
        switch cc {
        case .ult: return x.upperBound < y.lowerBound ? true : x.lowerBound >= y.upperBound ? false : nil
        case .ule: return x.upperBound <= y.lowerBound ? true : x.lowerBound > y.upperBound ? false : nil
        case .ugt: return x.lowerBound > y.upperBound ? true : x.upperBound <= y.lowerBound ? false : nil
        case .uge: return x.lowerBound >= y.upperBound ? true : x.upperBound < y.lowerBound ? false : nil
        case .eq, .ne:
            if !x.overlaps(y) { return cc == .ne }
            if x.lowerBound == x.upperBound && y.lowerBound == y.upperBound { return cc == .eq }
            return nil
        default: return nil
        }
    }
}
