/// Branches on `(x & m) == 0` / `!= 0` test the bits directly (eBPF JSET, `if x & m
/// goto`): the `and` goes when the branch is its only use, and with it the copy that
/// kept `x` for later uses. JSET has no negated form, so the branch becomes a bit test
/// only where the block laid out after it is the one taken when no bit is set (no
/// extra jump), or where neither successor follows it. Reads of `x` and `m` must be
/// unchanged between the `and` and the branch; a register mask needs 64-bit widths (a
/// 32-bit JSET is a 64-bit one before cpu v3, which would test the upper halves).
public enum BitTestBranches {
    public static func run(_ f: Function) -> Function {
        var f = f
        let (uses, defs) = f.useDefCounts()
        for bi in f.blocks.indices {
            guard case .branch(let cc, let t, .imm(0), let bw, let thenB, let elseB) = f.blocks[bi].terminator,
                  cc == .eq || cc == .ne, uses[t] == 1, defs[t] == 1,
                  let k = f.blocks[bi].instructions.lastDefinition(of: t),
                  case .binary(.and, _, let x, let mask, let aw) = f.blocks[bi].instructions[k].inst
            else { continue }
            var operands = [x]
            if case .reg(let m) = mask {
                guard aw == .w64 && bw == .w64 else { continue }
                operands.append(m)
            }
            guard !f.blocks[bi].instructions.redefines(operands, after: k) else { continue }
            // Taken when no bit is set: `then` of eq, `else` of ne.
            let noBits = cc == .eq ? thenB : elseB, someBits = cc == .eq ? elseB : thenB
            let next = bi + 1 < f.blocks.count ? f.blocks[bi + 1].id : nil
            guard next != someBits else { continue }
            let w: Width = aw == .w64 && bw == .w64 ? .w64 : .w32
            f.blocks[bi].instructions.remove(at: k)
            f.blocks[bi].terminator = .branch(.set, lhs: x, rhs: mask, width: w, then: someBits, else: noBits)
        }
        return f
    }
}
