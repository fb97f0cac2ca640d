/// Bits of one value put back where they came from: `((x >> k) & m) << k` is
/// `x & (m << k)`, an `or` of masks of the same `x` is one mask, so a 64-bit `or` or
/// shift that turns out to compute `x` itself, its low 32 bits, or `x` under a mask that
/// fits an immediate becomes that one instruction (the rest of its chain then dies). A
/// bitfield struct filled field by field from one word (`f.a = v; f.b = v >> 3; ...`)
/// is that word again, as clang folds it; so is a packed field read back, byte by byte,
/// from the bytes just stored.
public enum MaskAlgebra {
    /// `src & mask`, `src` written once.
    struct Masked { var src: VReg; var mask: UInt64 }

    public static func run(_ f: Function) -> Function {
        let (_, defs) = f.useDefCounts()
        var definition: [VReg: Inst] = [:]
        var candidates = false
        for b in f.blocks {
            for i in b.instructions {
                guard let d = i.inst.singleDef, defs[d] == 1 else { continue }
                definition[d] = i.inst
                if case .binary(.or, _, _, .reg, .w64) = i.inst { candidates = true }
            }
        }
        guard candidates else { return f }
        var memo: [VReg: Masked?] = [:]
        /// `v` as `src & mask` (a register not written once is only itself, and not even
        /// that: nothing can be said of it at another point).
        func masked(_ v: VReg, depth: Int = 0) -> Masked? {
            if let m = memo[v] { return m }
            guard defs[v] == 1 else { return nil }
            let itself = Masked(src: v, mask: ~0)
            guard depth < 24, let inst = definition[v] else { return itself }
            func of(_ s: VReg) -> Masked? { masked(s, depth: depth + 1) }
            func under(_ s: VReg, _ m: UInt64) -> Masked? { of(s).map { Masked(src: $0.src, mask: $0.mask & m) } }
            var r: Masked? = itself
            switch inst {
            case .mov(_, .reg(let s), .w64): r = of(s)
            case .mov(_, .reg(let s), .w32), .ext(_, let s, .w32, _, false): r = under(s, 0xffff_ffff)
            case .ext(_, let s, let from, let to, false):
                let bits = min(from.bits, to.bits)
                r = under(s, bits == 64 ? ~0 : (UInt64(1) << UInt64(bits)) - 1)
            case .binary(.and, _, let s, .imm(let k), .w64): r = under(s, UInt64(bitPattern: k))
            case .binary(.and, _, let s, .imm(let k), .w32): r = under(s, UInt64(UInt32(truncatingIfNeeded: k)))
            case .binary(.or, _, let a, .reg(let b), .w64):
                if let x = of(a), let y = of(b), x.src == y.src { r = Masked(src: x.src, mask: x.mask | y.mask) }
            case .binary(.shl, _, let t, .imm(let k), .w64) where k > 0 && k < 64:
                // ((x >> k) & m) << k: the bits of x at k and above, under m << k.
                if let inner = of(t), case .binary(.lshr, _, let x, .imm(k), .w64)? = definition[inner.src], let xm = of(x) {
                    r = Masked(src: xm.src, mask: xm.mask & (inner.mask << UInt64(k)))
                }
            default: break
            }
            memo[v] = r
            return r
        }
        var g = f
        for bi in g.blocks.indices {
            for ii in g.blocks[bi].instructions.indices {
                let inst = g.blocks[bi].instructions[ii].inst
                switch inst {
                case .binary(.or, let d, _, .reg, .w64), .binary(.shl, let d, _, .imm, .w64): 
                    guard let m = masked(d), m.src != d else { continue }
                    let simpler: Inst
                    if m.mask == ~0 { simpler = .mov(dst: d, src: .reg(m.src), width: .w64) }
                    else if m.mask == 0xffff_ffff { simpler = .mov(dst: d, src: .reg(m.src), width: .w32) }
                    else if m.mask <= UInt64(Int32.max) { simpler = .binary(.and, dst: d, lhs: m.src, rhs: .imm(Int64(m.mask)), width: .w64) }
                    else { continue }
                    g.blocks[bi].instructions[ii].inst = simpler
                default: continue
                }
            }
        }
        return g
    }
}
