/// Drops a zero-extension whose only use is a store no wider than the extended
/// width: the store writes the same low bytes either way (`*(u8 *)p = x - 1`).
public enum NarrowStoreFolding {
    public static func run(_ f: Function) -> Function {
        let (uses, defs) = f.useDefCounts()
        return f.foldingAdjacentPairs { first, second in
            guard case .ext(let t, let s, let from, _, false) = first.inst, uses[t] == 1, defs[t] == 1,
                  case .store(let base, let off, .reg(t), let w) = second.inst, w.bytes <= from.bytes,
                  base != .reg(t) else { return nil }
            var store = second
            store.inst = .store(base: base, offset: off, value: .reg(s), width: w)
            return [store]
        }
    }
}
