/// Folds stack addresses held in registers into the memory accesses that use them:
/// `p = &local + 8; *(p + 4)` becomes `*(r10 - k + 12)`, one instruction that the
/// verifier sees as a plain stack access.
public enum AddressFolding {
    public static func run(_ f: Function) -> Function {
        var f = f
        let (_, defs) = f.useDefCounts()
        // Single-definition registers known to hold slot + offset.
        var slotOf: [VReg: (slot: Int, offset: Int)] = [:]
        var changed = true
        while changed {
            changed = false
            for b in f.blocks {
                for i in b.instructions {
                    switch i.inst {
                    case .slotAddr(let d, let s, let o) where defs[d] == 1 && slotOf[d] == nil:
                        slotOf[d] = (s, o); changed = true
                    case .binary(.add, let d, let l, .imm(let k), .w64) where defs[d] == 1 && slotOf[d] == nil:
                        if let base = slotOf[l], let kk = Int(exactly: k) { slotOf[d] = (base.slot, base.offset + kk); changed = true }
                    case .mov(let d, .reg(let s), .w64) where defs[d] == 1 && slotOf[d] == nil:
                        if let base = slotOf[s] { slotOf[d] = base; changed = true }
                    default: break
                    }
                }
            }
        }
        guard !slotOf.isEmpty else { return f }
        func fold(_ a: Address, _ off: Int) -> (Address, Int) {
            if case .reg(let r) = a, let s = slotOf[r] { return (.slot(s.slot), s.offset + off) }
            return (a, off)
        }
        for bi in f.blocks.indices {
            for ii in f.blocks[bi].instructions.indices {
                switch f.blocks[bi].instructions[ii].inst {
                case .load(let d, let base, let off, let w, let s):
                    let (nb, no) = fold(base, off)
                    f.blocks[bi].instructions[ii].inst = .load(dst: d, base: nb, offset: no, width: w, signed: s)
                case .store(let base, let off, let v, let w):
                    let (nb, no) = fold(base, off)
                    f.blocks[bi].instructions[ii].inst = .store(base: nb, offset: no, value: v, width: w)
                case .binary(.add, let d, let l, .imm(let k), .w64) where slotOf[l] != nil && defs[d] == 1:
                    if let s = slotOf[l], let kk = Int(exactly: k) {
                        f.blocks[bi].instructions[ii].inst = .slotAddr(dst: d, slot: s.slot, offset: s.offset + kk)
                    }
                default: break
                }
            }
        }
        return f
    }
}
