/// `a - b <= a` (unsigned, at the subtraction's width) is `b <= a`, and `a - b > a` is
/// `b > a`: the usual test that a subtraction did not wrap, made on its operands so the
/// verifier learns a bound on them (clang's InstCombine rewrites it the same way). Both
/// sides hold in modular arithmetic: `a - b` wraps exactly when `b > a`. The subtraction
/// must be in the branch's block with neither operand written after it; `a` may be a
/// constant the branch compares with (`buf_off` still at its start value).
///
/// Then an unsigned comparison with a constant that a value's upper bound (`ValueBounds`:
/// `len & 0xfff`; `LoopCounters` for counters) decides becomes a jump, and so does an
/// equality test with a constant above that bound.
public enum WrapChecks {
    public static func run(_ f: Function) -> Function {
        var f = f
        var known: KnownValues? = nil
        for bi in f.blocks.indices {
            guard case .branch(let cc, let l, let r, let w, let thenB, let elseB) = f.blocks[bi].terminator else { continue }
            // (a - b) cc a, or a cc' (a - b) with the operands swapped.
            let diff: VReg, c: CondCode, other: Operand
            switch r {
            case .reg(let x) where cc == .uge || cc == .ult: (diff, c, other) = (x, cc.swapped, .reg(l))
            default: (diff, c, other) = (l, cc, r)
            }
            let insts = f.blocks[bi].instructions
            guard c == .ule || c == .ugt,
                  let k = insts.lastDefinition(of: diff),
                  case .binary(.sub, diff, let a, .reg(let b), w) = insts[k].inst, b != diff, a != diff,
                  !insts.redefines([a, b], after: k)
            else { continue }
            switch other {
            case .reg(a):
                break
            case .imm(let constant):
                if known == nil { known = KnownValues(f) }
                var state = known!.entry[bi]
                for i in insts[..<k] { known!.step(i.inst, &state) }
                guard let v = known!.value(.reg(a), in: state)?.int,
                      w.extend(v, signed: false) == w.extend(UInt64(bitPattern: constant), signed: false) else { continue }
            default:
                continue
            }
            f.blocks[bi].terminator = .branch(c, lhs: b, rhs: other, width: w, then: thenB, else: elseB)
        }
        return decidingByBounds(f)
    }

    /// Unsigned comparisons with a constant that the value's upper bound decides, and
    /// equality tests with a constant above it (`i != 32767` of a counter below 16).
    static func decidingByBounds(_ f: Function) -> Function {
        // (The analyses only where such a test is.)
        guard f.blocks.contains(where: {
            if case .branch(let cc, _, .imm, _, _, _) = $0.terminator { return [.ugt, .uge, .ult, .ule, .eq, .ne].contains(cc) }
            return false
        }) else { return f }
        var bounds = ValueBounds(of: f, known: LoopCounters.bounds(f))
        var f = f, changed = false
        for bi in f.blocks.indices {
            guard case .branch(let cc, let x, .imm(let k), let w, let thenB, let elseB) = f.blocks[bi].terminator,
                  [.ugt, .uge, .ult, .ule, .eq, .ne].contains(cc), let top = bounds.upperBound(x) else { continue }
            let mask: UInt64 = w == .w64 ? .max : 0xffff_ffff
            guard top <= mask else { continue }
            let c = UInt64(bitPattern: k) & mask
            // Every value in [0, top] gives the same outcome (an equality test, with a
            // constant above them all).
            guard cc != .eq && cc != .ne || c > top, let taken = cc.outcome(over: 0...top, c...c, width: w) else { continue }
            f.blocks[bi].terminator = .jump(taken ? thenB : elseB)
            changed = true
        }
        return changed ? CFGSimplify.run(f) : f
    }
}
