/// Two cheap clean-ups of what lowering produces:
/// - a zero-extension of a value that is already zero-extended to that width (a
///   narrow load, a byte swap, an earlier extension) becomes a plain copy;
/// - within a block, a symbol or stack address computed again reuses the register
///   that already holds it.
public enum RedundancyElimination {
    public static func run(_ f: Function) -> Function {
        var f = f
        let (_, defs) = f.useDefCounts()
        var definition: [VReg: Inst] = [:]
        for b in f.blocks {
            for i in b.instructions { for d in i.inst.definedRegs where defs[d] == 1 { definition[d] = i.inst } }
        }
        func zeroExtended(_ v: VReg, within w: Width) -> Bool {
            guard let d = definition[v] else { return false }
            switch d {
            case .load(_, _, _, let lw, false): return lw.bytes <= w.bytes
            case .bswap(_, _, let bw): return bw.bytes <= w.bytes
            case .ext(_, _, let from, _, false): return from.bytes <= w.bytes
            case .mov(_, .imm(let k), _): return k >= 0 && (w == .w64 || k < (Int64(1) << Int64(w.bits)))
            default: return false
            }
        }
        var replace: [VReg: VReg] = [:]
        for bi in f.blocks.indices {
            var seenSymbols: [SymbolRef: VReg] = [:]
            var seenSlots: [[Int]: VReg] = [:]
            for ii in f.blocks[bi].instructions.indices {
                let inst = f.blocks[bi].instructions[ii].inst
                switch inst {
                case .ext(let d, let s, let from, _, false) where s != d && zeroExtended(s, within: from):
                    f.blocks[bi].instructions[ii].inst = .mov(dst: d, src: .reg(s), width: .w64)
                case .symbolAddr(let d, let sym) where defs[d] == 1:
                    if let prev = seenSymbols[sym] { replace[d] = prev } else { seenSymbols[sym] = d }
                case .slotAddr(let d, let slot, let off) where defs[d] == 1:
                    if let prev = seenSlots[[slot, off]] { replace[d] = prev } else { seenSlots[[slot, off]] = d }
                default: break
                }
            }
        }
        guard !replace.isEmpty else { return f }
        // Rewrite uses of the duplicates (defined once, so every use sees the same value);
        // dead code elimination then drops their definitions.
        for bi in f.blocks.indices {
            for ii in f.blocks[bi].instructions.indices {
                var inst = f.blocks[bi].instructions[ii].inst
                for u in inst.usedRegs { if let r = replace[u] { inst = inst.replacingUses(of: u, with: r) } }
                f.blocks[bi].instructions[ii].inst = inst
            }
            for u in f.blocks[bi].terminator.usedRegs {
                if let r = replace[u] { f.blocks[bi].terminator = f.blocks[bi].terminator.replacingUses(of: u, with: r) }
            }
        }
        return f
    }
}
