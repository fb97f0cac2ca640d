/// Branches on `(x & m) == 0` / `!= 0` test the bits directly (eBPF JSET, `if x & m
/// goto`): the `and` goes when the branch is its only use, and with it the copy that
/// kept `x` for later uses. JSET has no negated form, so the branch becomes a bit test
/// only where the block laid out after it is the one taken when no bit is set (no
/// extra jump), or where neither successor follows it. Reads of `x` and `m` must be
/// unchanged between the `and` and the branch; a register mask needs 64-bit widths (a
/// 32-bit JSET is a 64-bit one before cpu v3, which would test the upper halves).
///
/// A sign test of an arithmetic right shift (a signed bit-field read: `(x << a) s>> b`,
/// then `< 0`) tests the one bit of `x` that lands in the sign: `if x & (1 << n) goto`,
/// when that bit is below 31 (a positive immediate: the 64-bit test reads it alone), or
/// the bit masked out and compared with zero where the set bit's side falls through.
public enum BitTestBranches {
    public static func run(_ f: Function) -> Function {
        var f = f
        let (uses, defs) = f.useDefCounts()
        for bi in f.blocks.indices { signTest(&f, bi, uses, defs) }
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

    /// `t = s ashr k` (and `s = x shl a` before it, each read only by the next), then
    /// `t < 0` or `t >= 0`: the bit test of the bit that becomes the sign.
    static func signTest(_ f: inout Function, _ bi: Int, _ uses: RegCounts, _ defs: RegCounts) {
        guard case .branch(let cc, let t, .imm(0), let bw, let thenB, let elseB) = f.blocks[bi].terminator,
              cc == .slt || cc == .sge, uses[t] == 1, defs[t] == 1,
              let k = f.blocks[bi].instructions.lastDefinition(of: t),
              case .binary(.ashr, _, let s, .imm(let shift), let aw) = f.blocks[bi].instructions[k].inst,
              aw == .w64 || aw == bw, shift >= 0, shift < Int64(aw.bits) else { return }
        // The bit of `s` that the branch reads as the sign of `t` (31 or above: without the
        // left shift no bit an immediate can test alone).
        let signBit = min(bw.bits - 1 + Int(shift), aw.bits - 1)
        guard uses[s] == 1, defs[s] == 1, let j = f.blocks[bi].instructions.lastDefinition(of: s, before: k),
              case .binary(.shl, _, let x, .imm(let a), aw) = f.blocks[bi].instructions[j].inst,
              a >= 0, Int(a) <= signBit, !f.blocks[bi].instructions.redefines([x], after: j) else { return }
        let bit = signBit - Int(a)
        guard bit < 31 else { return }
        // Taken when the bit is set: `then` of slt, `else` of sge.
        let someBits = cc == .slt ? thenB : elseB, noBits = cc == .slt ? elseB : thenB
        let next = bi + 1 < f.blocks.count ? f.blocks[bi + 1].id : nil
        let location = f.blocks[bi].instructions[k].location
        f.blocks[bi].instructions.remove(at: k)
        f.blocks[bi].instructions.remove(at: j)
        if next != someBits {
            f.blocks[bi].terminator = .branch(.set, lhs: x, rhs: .imm(Int64(1) << Int64(bit)), width: .w64, then: someBits, else: noBits)
        } else {
            // The set bit falls through: JSET has no negated form, so the bit is masked
            // out and tested against zero (clang's `w1 &= 0x8000; if w1 == 0 goto`).
            let m = f.newVReg()
            f.blocks[bi].instructions.append(Instruction(.binary(.and, dst: m, lhs: x, rhs: .imm(Int64(1) << Int64(bit)), width: .w64),
                                                         location: location))
            f.blocks[bi].terminator = .branch(.eq, lhs: m, rhs: .imm(0), width: .w64, then: noBits, else: someBits)
        }
    }
}
