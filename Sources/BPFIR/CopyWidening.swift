/// A copy made of narrow loads each stored at once (`memcpy` to or from a pointer whose
/// alignment the C type does not tell, lowered byte by byte) becomes a copy in the
/// widest pieces both ends are known to be aligned for.
///
/// Known alignment: `KnownAlignment` (a slot's own, helper-returned memory, wider accesses
/// through the same register in the block).
///
/// The run of pairs `t = load [A + a + k]; store [B + b + k], t` (each `t` defined and
/// read once, offsets consecutive) becomes loads and stores of the new widths in the
/// same order. Widening reads bytes before earlier stores of the run wrote theirs, so
/// the two ranges must be disjoint: two different slots, one range in a slot and the
/// other in helper-returned memory (never on the stack), or one base with ranges apart.
public enum CopyWidening {
    public static func run(_ f: Function) -> Function {
        let (uses, defs) = f.useDefCounts()
        let known = KnownAlignment(f, defs: defs)
        func disjoint(_ a: Address, _ ao: Int, _ b: Address, _ bo: Int, _ n: Int) -> Bool {
            switch (a, b) {
            case (.slot(let x), .slot(let y)): return x != y || ao + n <= bo || bo + n <= ao
            case (.slot, .reg(let r)), (.reg(let r), .slot): return known.isHelperMemory(r)
            case (.reg(let x), .reg(let y)): return x == y && (ao + n <= bo || bo + n <= ao)
            }
        }
        var g = f
        for bi in f.blocks.indices {
            let insts = f.blocks[bi].instructions
            let facts = known.accessFacts(f.blocks[bi])
            func alignment(_ base: Address, _ off: Int) -> Int { known.alignment(base, off, facts: facts) }
            /// The pair starting at k: a load whose register only the next instruction, a
            /// store, reads.
            func pair(_ k: Int) -> (src: Address, so: Int, dst: Address, dOff: Int, w: Width)? {
                guard k + 1 < insts.count,
                      case .load(let t, let src, let so, let w, false) = insts[k].inst,
                      case .store(let dst, let dOff, .reg(t), w) = insts[k + 1].inst,
                      defs[t] == 1, uses[t] == 1, w != .w64 else { return nil }
                return (src, so, dst, dOff, w)
            }
            var out: [Instruction] = []
            var k = 0
            var changed = false
            while k < insts.count {
                guard let first = pair(k) else { out.append(insts[k]); k += 1; continue }
                var n = 1
                while let next = pair(k + 2 * n), next.src == first.src, next.dst == first.dst, next.w == first.w,
                      next.so == first.so + n * first.w.bytes, next.dOff == first.dOff + n * first.w.bytes { n += 1 }
                let size = n * first.w.bytes
                let widest = min(alignment(first.src, first.so), alignment(first.dst, first.dOff))
                guard widest > first.w.bytes, size > first.w.bytes,
                      disjoint(first.src, first.so, first.dst, first.dOff, size) else {
                    out += insts[k..<(k + 2 * n)]; k += 2 * n; continue
                }
                for (off, w) in Width.pieces(size: size, alignment: widest) {
                    let t = g.newVReg()
                    out.append(Instruction(.load(dst: t, base: first.src, offset: first.so + off, width: w, signed: false), location: insts[k].location))
                    out.append(Instruction(.store(base: first.dst, offset: first.dOff + off, value: .reg(t), width: w), location: insts[k + 1].location))
                }
                k += 2 * n
                changed = true
            }
            if changed { g.blocks[bi].instructions = out }
        }
        return g
    }
}
