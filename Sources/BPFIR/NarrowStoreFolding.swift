/// Drops a zero-extension whose only use is a store no wider than the extended width,
/// later in the same block: the store writes the same low bytes either way
/// (`*(u8 *)p = x - 1`, `*(u32 *)&buf[pos & mask] = (u32)t` with the address computed in
/// between). The extended register must still hold its value at the store.
public enum NarrowStoreFolding {
    public static func run(_ f: Function) -> Function {
        let (uses, defs) = f.useDefCounts()
        var g = f
        for b in f.blocks.indices {
            let insts = f.blocks[b].instructions
            // Extensions seen in this block that may fold: result → (source, width, position).
            var pending: [VReg: (source: VReg, from: Width, at: Int)] = [:]
            var drop: [Int] = []
            for (k, i) in insts.enumerated() {
                // A source written again no longer holds the value its extension read.
                if !pending.isEmpty {
                    i.inst.forEachDef { d in
                        for (t, e) in pending where e.source == d { pending[t] = nil }
                    }
                }
                switch i.inst {
                case .ext(let t, let s, let from, _, false) where uses[t] == 1 && defs[t] == 1 && s != t:
                    pending[t] = (s, from, k)
                case .store(let base, let off, .reg(let t), let w):
                    if let e = pending[t], w.bytes <= e.from.bytes, base != .reg(t) {
                        g.blocks[b].instructions[k].inst = .store(base: base, offset: off, value: .reg(e.source), width: w)
                        drop.append(e.at)
                        pending[t] = nil
                    }
                default:
                    break
                }
            }
            for k in drop.sorted(by: >) { g.blocks[b].instructions.remove(at: k) }
        }
        return g
    }
}
