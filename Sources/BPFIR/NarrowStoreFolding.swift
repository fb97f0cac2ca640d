/// Drops a zero-extension whose only use is a store no wider than the extended
/// width: the store writes the same low bytes either way (`*(u8 *)p = x - 1`).
public enum NarrowStoreFolding {
    public static func run(_ f: Function) -> Function {
        var f = f
        let (uses, defs) = f.useDefCounts()
        for bi in f.blocks.indices {
            var insts = f.blocks[bi].instructions
            var k = 0
            while k + 1 < insts.count {
                if case .ext(let t, let s, let from, _, false) = insts[k].inst, uses[t] == 1, defs[t] == 1,
                   case .store(let base, let off, .reg(t), let w) = insts[k + 1].inst, w.bytes <= from.bytes,
                   base != .reg(t) {
                    insts[k + 1].inst = .store(base: base, offset: off, value: .reg(s), width: w)
                    insts.remove(at: k)
                    continue
                }
                k += 1
            }
            f.blocks[bi].instructions = insts
        }
        return f
    }
}
