/// Comparisons with a counter counted down to 0 (`for (t = K; t > 0; t--)`:
/// `LoopCounters.downCounters`, in [1, K] inside its loop before its step) that its range
/// and the bounds of the other side (`ValueBounds`) decide become jumps: `(a >= b) <= t`
/// of a truth value always holds, `t == 0` never does, as clang's range analysis finds.
/// Left to run, each such test splits the verifier's walk in every round, the values it
/// follows different on each side.
public enum CountdownBranches {
    public static func run(_ f: Function) -> Function {
        let counters = LoopCounters.downCounters(f)
        guard !counters.isEmpty else { return f }
        var bounds = ValueBounds(of: f)
        var f = f, changed = false
        for c in counters {
            let range = 1...c.top
            for bi in c.loop where !c.excluded.contains(bi) {
                guard case .branch(let cc, let l, let r, let w, let thenB, let elseB) = f.blocks[bi].terminator else { continue }
                /// The values `o` may hold, at `w`.
                func values(_ o: Operand) -> ClosedRange<UInt64>? {
                    switch o {
                    case .reg(c.counter): return range
                    case .imm(let k): let v = w.extend(UInt64(bitPattern: k), signed: false); return v...v
                    case .reg(let x): guard let hi = bounds.upperBound(x), hi <= w.mask else { return nil }; return bounds.lowerBound(x)...hi
                    }
                }
                guard l == c.counter || r == .reg(c.counter), let x = values(.reg(l)), let y = values(r),
                      let taken = cc.outcome(over: x, y, width: w) else { continue }
                f.blocks[bi].terminator = .jump(taken ? thenB : elseB)
                changed = true
            }
        }
        return changed ? CFGSimplify.run(f) : f
    }
}
