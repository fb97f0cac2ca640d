/// A branch on a value converted to `_Bool` tests the value: `if (b)` where `b = (v | -v)
/// >> 63` (lowering's branch-free `v != 0`, possibly copied) branches on `v != 0` directly. The
/// conversion then usually dies, and a `v` set to 1 or 0 on the paths into the block is
/// threaded through like any flag. The three steps must be in the branch's block with
/// `v` not written after them. Anywhere, the conversion of a value that is only ever 0
/// or 1 (`ValueBounds`) is that value: an inlined `bool` function returning `a == b`
/// through its conversion to `_Bool` hands on the 1 and 0 its paths set, which threading
/// then follows to the caller's test.
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
                  let v = convertedValue(o, before: ks, in: insts), !insts.redefines([v], after: ks) else { continue }
            f.blocks[bi].terminator = .branch(cc, lhs: v, rhs: .imm(0), width: .w64, then: thenB, else: elseB)
        }
        // Conversions of values that are only ever 0 or 1.
        var bounds: ValueBounds? = nil
        for bi in f.blocks.indices {
            let insts = f.blocks[bi].instructions
            for (k, i) in insts.enumerated() {
                guard case .binary(.lshr, let d, let o, .imm(63), .w64) = i.inst, let v = convertedValue(o, before: k, in: insts) else { continue }
                if bounds == nil { bounds = ValueBounds(of: f) }
                if let b = bounds!.upperBound(v), b <= 1 {
                    f.blocks[bi].instructions[k].inst = .mov(dst: d, src: .reg(v), width: .w64)
                }
            }
        }
        return f
    }

    /// `v` when `o`, as the block defines it before index `k`, is `-v | v` (or `v | -v`)
    /// with `v` not written from the negation on.
    static func convertedValue(_ o: VReg, before k: Int, in insts: [Instruction]) -> VReg? {
        guard let ko = insts.lastDefinition(of: o, before: k), case .binary(.or, o, let x, .reg(let y), .w64) = insts[ko].inst
        else { return nil }
        for (n, v) in [(x, y), (y, x)] {
            if let kn = insts.lastDefinition(of: n, before: ko), case .neg(n, v, .w64) = insts[kn].inst, n != v,
               !insts[kn..<k].contains(where: { $0.inst.defines(v) }) {
                return v
            }
        }
        return nil
    }
}
