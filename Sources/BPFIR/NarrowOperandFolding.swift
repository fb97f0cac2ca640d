/// An operation that reads only the low bits of an operand reads through a zero- or
/// sign-extension of a value that is never redefined: `t = (u32)x; d = t + 1` (32-bit)
/// becomes `d = x + 1`, since the operation only looks at the low half, `d = t & 0x1f`
/// (64-bit, a mask within the low half) becomes `d = x & 0x1f`, and
/// `t = (u16)x; d = bswap16(t)` (`bpf_ntohs(skb->protocol)`) becomes `d = bswap16(x)`.
/// Within a block and up to the next call (or inline assembly that clobbers registers),
/// so no value is kept alive across a call it did not cross before; the empty statements
/// around a volatile access clobber nothing.
///
/// Not for compares (the verifier learns bounds for the register a branch compares,
/// and later uses read `t`), and not for plain 64-bit copies: reading `x` instead of a
/// copy of it lengthens `x`'s live range, and with the allocator's copy coalescing
/// that measured as more spills and more instructions, not fewer.
/// Across the function, a 32-bit zero-extension whose every reader reads only its low
/// half is read through everywhere (see `readingThroughEverywhere`).
/// The extensions left without uses go in dead code elimination.
public enum NarrowOperandFolding {
    public static func run(_ f: Function) -> Function {
        let (_, defs) = f.useDefCounts()
        var f = readingThroughEverywhere(f, defs: defs)
        for bi in f.blocks.indices {
            var lowOf: [VReg: (value: VReg, width: Width)] = [:]     // t → the x whose low bits t is
            /// The `w` low bits of `x`, followed through an extension `x` itself is (an inline
            /// assembly statement's 32-bit output zero-extended, then copied at 32 bits).
            func lowBits(of x: VReg, _ w: Width) -> (value: VReg, width: Width) {
                if let y = lowOf[x], y.width.bits >= w.bits { return (y.value, w) }
                return (x, w)
            }
            for ii in f.blocks[bi].instructions.indices {
                var inst = f.blocks[bi].instructions[ii].inst
                switch inst {
                case .binary(_, _, _, _, .w32):
                    for u in inst.usedRegs.distinct {
                        if let x = lowOf[u], x.width == .w32 { inst = inst.replacingUses(of: u, with: x.value) }
                    }
                // A 64-bit mask confined to the extension's low bits reads only those.
                case .binary(.and, let d, let t, .imm(let k), .w64):
                    if let x = lowOf[t], k >= 0, k < Int64(1) << Int64(x.width.bits) {
                        inst = .binary(.and, dst: d, lhs: x.value, rhs: .imm(k), width: .w64)
                    }
                case .bswap(let d, let t, let w):
                    if let x = lowOf[t], x.width.bytes >= w.bytes { inst = .bswap(dst: d, src: x.value, width: w) }
                default: break
                }
                f.setInst(bi, ii, inst)
                switch inst {
                case .call:
                    lowOf.removeAll()
                case .inlineAsm(let t, _, _) where t.clobbers != 0:
                    lowOf.removeAll()
                case .mov(let t, .reg(let x), .w32) where t != x && defs[t] == 1 && defs[x] == 1:
                    lowOf[t] = lowBits(of: x, .w32)
                case .ext(let t, let x, let from, _, _) where t != x && defs[t] == 1 && defs[x] == 1 && from != .w64:
                    lowOf[t] = lowBits(of: x, from)
                default: break
                }
            }
        }
        return f
    }

    /// `t = (u32)x` (a 32-bit copy or zero-extension) whose every reader reads only t's
    /// low half — 32-bit operations and compares, extensions from fewer bits, byte swaps
    /// of 32 bits or fewer, stores of four bytes or fewer — is read through in every block:
    /// the readers read `x` and `t` dies, so `x` lives where `t` did and no longer
    /// (`cpu = bpf_get_smp_processor_id()`, a `u32` the call leaves in r0, used in a 32-bit
    /// `key * nr_cpus + cpu` after loops; the verifier then learns a compare's bounds for
    /// the register every later reader reads). Only where `t` always holds x's low half
    /// once written: each is written once, and `x` is a parameter or written before `t` in
    /// t's block with nothing reading `t` between.
    static func readingThroughEverywhere(_ f: Function, defs: RegCounts) -> Function {
        let parameters = Set(f.parameters)
        var source: [VReg: VReg] = [:]
        var home: [VReg: Int] = [:]         // t → the block t is written in
        for (bi, b) in f.blocks.enumerated() {
            for (i, ins) in b.instructions.enumerated() {
                let t: VReg, x: VReg
                switch ins.inst {
                case .mov(let d, .reg(let s), .w32): (t, x) = (d, s)
                case .ext(let d, let s, .w32, _, false): (t, x) = (d, s)
                default: continue
                }
                guard t != x, defs[t] == 1, defs[x] == 1 else { continue }
                if !parameters.contains(x) {
                    guard let k = b.instructions[..<i].lastIndex(where: { $0.inst.singleDef == x }),
                          !b.instructions[(k + 1)..<i].contains(where: { $0.inst.usedRegs.contains(t) }) else { continue }
                }
                source[t] = x
                home[t] = bi
            }
        }
        if source.isEmpty { return f }
        var readElsewhere = Set<VReg>()
        for (bi, b) in f.blocks.enumerated() {
            for ins in b.instructions {
                ins.inst.forEachUse { u in
                    if source[u] != nil && !readsLowHalfOnly(ins.inst, u, copying: home[u] == bi) { readElsewhere.insert(u) }
                }
            }
            let lowCompare: Bool
            if case .branch(_, _, _, .w32, _, _) = b.terminator { lowCompare = true } else { lowCompare = false }
            b.terminator.forEachUse { u in if source[u] != nil && !lowCompare { readElsewhere.insert(u) } }
        }
        for t in readElsewhere { source[t] = nil }
        if source.isEmpty { return f }
        func through(_ v: VReg) -> VReg {
            var v = v, steps = 0
            while let x = source[v], steps < 64 { v = x; steps += 1 }
            return v
        }
        var g = f
        for bi in g.blocks.indices {
            for ii in g.blocks[bi].instructions.indices {
                var inst = g.blocks[bi].instructions[ii].inst
                for u in inst.usedRegs.distinct where source[u] != nil { inst = inst.replacingUses(of: u, with: through(u)) }
                g.setInst(bi, ii, inst)
            }
            var term = g.blocks[bi].terminator
            for u in term.usedRegs.distinct where source[u] != nil { term = term.replacingUses(of: u, with: through(u)) }
            g.setTerminator(bi, term)
        }
        return g
    }

    /// Whether `inst` reads only the low 32 bits of `u`, one of its operands, and does as
    /// much work reading `x` as reading `t`. A 32-bit copy or extension of `t` (a plain
    /// copy the allocator removes) reading `x` becomes a zero-extension of its own: only
    /// in t's own block (`copying`), where it takes the place of t's (`t2 = (u32)t`),
    /// not below a branch (`return ret;` under `if (ret != 0)`).
    static func readsLowHalfOnly(_ inst: Inst, _ u: VReg, copying: Bool) -> Bool {
        switch inst {
        case .binary(_, _, _, _, .w32), .neg(_, _, .w32): return true
        case .mov(_, .reg, .w32): return copying
        case .ext(_, _, let from, _, _): return from.bits < 32 || copying && from == .w32
        case .bswap(_, _, let w): return w.bits <= 32
        case .store(let base, _, .reg(u), let w): return w.bytes <= 4 && base != .reg(u)
        default: return false
        }
    }
}
