/// `if (x & B) r |= B;` with `B` one bit is `r |= x & B`, without a branch (clang's
/// select of an or): the block that only sets the bit goes, and a run of such steps over
/// the same `x` merges into one mask (`r |= x & (B1 | B2 | ...)`): a flag word copied bit
/// by bit (falco's `capabilities_to_scap`) becomes a few instructions, and the verifier
/// walks no branch for it. The `and` must be in the branch's block, the `or` alone in a
/// block that only this branch reaches and that goes on to where the branch's other
/// side goes.
public enum ConditionalBits {
    public static func run(_ f: Function) -> Function {
        var f = f
        let index = f.blockIndexByID
        let preds = f.flowGraph.predecessors
        let (uses, _) = f.useDefCounts()
        let constants = f.singleConstants
        func value(_ o: Operand) -> Int64? {
            switch o { case .imm(let k): return k; case .reg(let r): return constants[r] }
        }
        var changed = false
        for bi in f.blocks.indices {
            guard case .branch(let cc, let t, .imm(0), _, let thenB, let elseB) = f.blocks[bi].terminator,
                  cc == .eq || cc == .ne, uses[t] == 1 else { continue }
            let setB = cc == .ne ? thenB : elseB, skipB = cc == .ne ? elseB : thenB
            // The block setting the bit: `r |= B`, B possibly made just before (a 64-bit bit).
            guard let si = index[setB], si != bi, preds[si].count == 1, case .jump(skipB) = f.blocks[si].terminator,
                  let orInst = f.blocks[si].instructions.last, (1...2).contains(f.blocks[si].instructions.count),
                  case .binary(.or, let r, let rr, let orOperand, .w64) = orInst.inst, rr == r else { continue }
            var made: [VReg: Int64] = [:]
            if f.blocks[si].instructions.count == 2 {
                guard case .mov(let kr, .imm(let kv), .w64) = f.blocks[si].instructions[0].inst, orOperand == .reg(kr),
                      uses[kr] == 1 else { continue }
                made[kr] = kv
            }
            guard let bit = value(orOperand) ?? { if case .reg(let kr) = orOperand { return made[kr] }; return nil }(),
                  bit != 0, bit & (bit &- 1) == 0,
                  let k = f.blocks[bi].instructions.lastDefinition(of: t),
                  case .binary(.and, t, let x, let mask, .w64) = f.blocks[bi].instructions[k].inst, value(mask) == bit, x != r,
                  !f.blocks[bi].instructions.redefines([x, r], after: k)
            else { continue }
            f.blocks[bi].instructions.append(Instruction(.binary(.or, dst: r, lhs: r, rhs: .reg(t), width: .w64),
                                                         location: orInst.location))
            f.blocks[bi].terminator = .jump(skipB)
            changed = true
        }
        guard changed else { return f }
        return mergingMasks(CFGSimplify.joinStraightLines(CFGSimplify.run(f)), constants: constants)
    }

    /// `t1 = x & M1; r |= t1; t2 = x & M2; r |= t2` (temporaries used once, `x` unchanged;
    /// moves of constants may stand between) is `t1 = x & (M1 | M2); r |= t1`.
    static func mergingMasks(_ f: Function, constants: [VReg: Int64]) -> Function {
        func value(_ o: Operand) -> Int64? {
            switch o { case .imm(let k): return k; case .reg(let r): return constants[r] }
        }
        let (uses, _) = f.useDefCounts()
        var f = f
        for bi in f.blocks.indices {
            var out: [Instruction] = [], real: [Int] = [], dropped = Set<Int>()
            for i in f.blocks[bi].instructions {
                if case .mov(_, .imm, _) = i.inst { out.append(i); continue }
                let n = real.count
                if n >= 3, case .binary(.or, let r, let rr, .reg(let t2), .w64) = i.inst, rr == r, uses[t2] == 1,
                   case .binary(.and, t2, let x, let o2, .w64) = out[real[n - 1]].inst, let m2 = value(o2),
                   case .binary(.or, r, r, .reg(let t1), .w64) = out[real[n - 2]].inst, uses[t1] == 1,
                   case .binary(.and, t1, x, let o1, .w64) = out[real[n - 3]].inst, let m1 = value(o1), x != r {
                    out[real[n - 3]].inst = .binary(.and, dst: t1, lhs: x, rhs: .imm(m1 | m2), width: .w64)
                    dropped.insert(real[n - 1])
                    real.removeLast()
                    continue
                }
                out.append(i)
                real.append(out.count - 1)
            }
            f.blocks[bi].instructions = out.enumerated().filter { !dropped.contains($0.offset) }.map(\.element)
        }
        return DeadCodeElimination.run(f)
    }
}
