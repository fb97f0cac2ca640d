/// A signed division or remainder of values known non-negative at the operation's width
/// is the unsigned one, as clang's InstCombine and CorrelatedValuePropagation make it:
/// by their bounds (`ValueBounds`: C promotes `u16 % u16` to `int % int`), or because
/// every path reaching it tested them (`if (a < 0 || b <= 0) return 0; return a / b;`, of
/// `int`s by `SignedBranches.nonNegativeAtEntry`'s flow, of `long`s by the same flow over
/// 64-bit values). eBPF before cpu v4 has no signed division, so without this such code
/// does not compile for v3 (clang's build does).
public enum UnsignedDivision {
    public static func run(_ f: Function) -> Function {
        var f = f
        for w in [Width.w32, .w64] where f.blocks.contains(where: { b in b.instructions.contains { isSigned($0.inst, w) } }) {
            f = unsigned(f, width: w)
        }
        return f
    }

    static func isSigned(_ inst: Inst, _ w: Width) -> Bool {
        if case .binary(let op, _, _, _, w) = inst { return op == .sdiv || op == .srem }
        return false
    }

    /// `f` with its signed divisions and remainders at `w` of non-negative values unsigned.
    static func unsigned(_ f: Function, width w: Width) -> Function {
        var bounds = ValueBounds(of: f)
        let top = w.mask >> 1
        /// Whether `o`'s bounds keep it below the sign bit at `w`.
        func bounded(_ o: Operand) -> Bool {
            switch o {
            case .imm(let k): return w.extend(UInt64(bitPattern: k), signed: false) <= top
            case .reg(let r): return bounds.upperBound(r).map { $0 <= top } ?? false
            }
        }
        let step: (Instruction, inout Set<VReg>) -> Void = w == .w32 ? SignedBranches.step : step64
        var entry: [Set<VReg>?]? = nil
        var f = f
        for bi in f.blocks.indices {
            var tested: Set<VReg>? = nil      // (what the paths here tested, once asked)
            for k in f.blocks[bi].instructions.indices {
                let inst = f.blocks[bi].instructions[k]
                defer { if tested != nil { step(inst, &tested!) } }
                guard isSigned(inst.inst, w), case .binary(let op, let d, let l, let r, _) = inst.inst else { continue }
                /// Whether `o` is non-negative at `w` on every path here.
                func testedNonNegative(_ o: Operand) -> Bool {
                    guard case .reg(let x) = o else { return false }
                    if tested == nil {
                        if entry == nil {
                            entry = w == .w32 ? SignedBranches.nonNegativeAtEntry(f)
                                : SignedBranches.nonNegativeAtEntry(f, step: step64, facts: facts64)
                        }
                        var s = entry![bi] ?? []
                        for i in f.blocks[bi].instructions[..<k] { step(i, &s) }
                        tested = s
                    }
                    return tested!.contains(x)
                }
                guard bounded(.reg(l)) || testedNonNegative(.reg(l)), bounded(r) || testedNonNegative(r) else { continue }
                f.blocks[bi].instructions[k].inst = .binary(op == .sdiv ? .udiv : .urem, dst: d, lhs: l, rhs: r, width: w)
            }
        }
        return f
    }

    /// Carries the set of registers non-negative as 64-bit values past `i`: copies of
    /// such values and non-negative constants; what a 32-bit operation, a zero extension or
    /// a sign extension to 32 bits writes (the upper half is 0); narrow loads that zero-extend;
    /// masks by such values, right shifts, unsigned quotients and remainders of them.
    static func step64(_ i: Instruction, _ s: inout Set<VReg>) {
        var result: (VReg, Bool)? = nil
        switch i.inst {
        case .mov(let d, .reg(let src), .w64): result = (d, s.contains(src))
        case .mov(let d, .imm(let k), .w64): result = (d, k >= 0)
        case .mov(let d, _, _): result = (d, true)                        // 32 bits and narrower zero-extend
        case .ext(let d, let src, let from, let to, let signed): result = (d, from == .w64 ? s.contains(src) : !signed || to != .w64)
        case .load(let d, _, _, let lw, let signed): result = (d, lw != .w64 && !signed)
        case .binary(let op, let d, let l, let r, let bw):
            if bw != .w64 { result = (d, true); break }
            switch (op, r) {
            case (.and, .reg(let y)): result = (d, s.contains(l) || s.contains(y))
            case (.and, .imm(let k)): result = (d, s.contains(l) || k >= 0)
            case (.lshr, .imm(let k)): result = (d, s.contains(l) || k & 63 >= 1)
            case (.udiv, _), (.urem, _): result = (d, s.contains(l))
            default: break
            }
        default: break
        }
        SignedBranches.record(result, of: i.inst, in: &s)
    }

    /// What a 64-bit branch's outcome tells of its register on the edge to `target`: `x >= 0`,
    /// `x > k` with k ≥ −1, `x < k` (unsigned) with k ≤ 2^63.
    static func facts64(_ t: Terminator, _ target: BlockID) -> Set<VReg> {
        guard let (holds, x, c, w) = SignedBranches.holding(t, to: target), w == .w64 else { return [] }
        switch holds {
        case .sge: return c >= 0 ? [x] : []
        case .sgt: return c >= -1 ? [x] : []
        case .ult: return UInt64(bitPattern: c) <= 1 << 63 ? [x] : []
        case .ule, .eq: return c >= 0 ? [x] : []
        default: return []
        }
    }
}
