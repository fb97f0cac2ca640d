/// A branch on a value converted to `_Bool` tests the value: `if (b)` where `b = (v | -v)
/// >> 63` (lowering's branch-free `v != 0`, possibly copied) branches on `v != 0` directly. The
/// conversion then usually dies, and a `v` set to 1 or 0 on the paths into the block is
/// threaded through like any flag. The three steps must be in the branch's block with
/// `v` not written after them.
public enum BoolTests {
    public static func run(_ f: Function) -> Function {
        var f = f
        for bi in f.blocks.indices {
            guard case .branch(let cc, let s, .imm(0), _, let thenB, let elseB) = f.blocks[bi].terminator,
                  cc == .eq || cc == .ne else { continue }
            let insts = f.blocks[bi].instructions
            // The 0/1 result, possibly through a copy (the variable it was assigned to).
            guard var ks = insts.lastDefinition(of: s) else { continue }
            var bool = s
            if case .mov(s, .reg(let t), _) = insts[ks].inst, let kt = insts.lastDefinition(of: t, before: ks) { bool = t; ks = kt }
            guard case .binary(.lshr, bool, let o, .imm(63), .w64) = insts[ks].inst,
                  let ko = insts.lastDefinition(of: o, before: ks), case .binary(.or, o, let x, .reg(let y), .w64) = insts[ko].inst
            else { continue }
            var value: VReg? = nil
            for (n, v) in [(x, y), (y, x)] {
                if let kn = insts.lastDefinition(of: n, before: ko), case .neg(n, v, .w64) = insts[kn].inst, n != v,
                   !insts.redefines([v], after: kn) {
                    value = v
                }
            }
            guard let v = value else { continue }
            f.blocks[bi].terminator = .branch(cc, lhs: v, rhs: .imm(0), width: .w64, then: thenB, else: elseB)
        }
        return f
    }
}
