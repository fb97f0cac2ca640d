/// Folds `t = op ...; x = mov t` into `x = op ...` when `t` has no other use: the
/// pattern lowering leaves behind for every assignment to a register variable.
public enum MoveFolding {
    public static func run(_ f: Function) -> Function {
        let (uses, defs) = f.useDefCounts()
        return f.foldingAdjacentPairs { first, second in
            guard case .mov(let x, .reg(let t), let mw) = second.inst, x != t,
                  uses[t] == 1, defs[t] == 1, !f.parameters.contains(t),
                  first.inst.definedRegs == [t], let w = resultWidth(first.inst),
                  mw == .w64 || w != .w64 else { return nil }
            var folded = first
            folded.inst = first.inst.replacingDefs(of: t, with: x)
            return [folded]
        }
    }

    /// Width of the value an instruction defines (zero-extended results count as narrow).
    private static func resultWidth(_ i: Inst) -> Width? {
        switch i {
        case .mov(_, _, let w), .binary(_, _, _, _, let w), .neg(_, _, let w): return w
        case .ext(_, _, _, let to, _): return to
        case .load(_, _, _, let w, let signed): return signed ? .w64 : w
        case .slotAddr, .symbolAddr, .loadImm64, .coreValue: return .w64
        case .bswap(_, _, let w): return w
        case .call(.some, _, _): return .w64
        default: return nil
        }
    }
}

