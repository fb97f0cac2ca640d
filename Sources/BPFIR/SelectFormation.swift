/// `x = c ? A : B` lowered as a diamond (two arms of one copy each, defining the
/// same register, meeting again) becomes clang's select shape: `x = A` before the
/// branch, which then only skips `x = B`: one jump fewer. Only copies move (a
/// constant, or a register copied whole): arithmetic on a pointer the branch is
/// about to null-check would be rejected by the verifier. A branch on the copied
/// register then tests the copy.
public enum SelectFormation {
    public static func run(_ f: Function) -> Function {
        var f = f
        let index = f.blockIndexByID
        let preds = f.flowGraph.predecessors
        var changed = false
        for bi in f.blocks.indices {
            guard case .branch(_, _, _, _, let t, let e) = f.blocks[bi].terminator, t != e,
                  let ti = index[t], let ei = index[e], ti != bi, ei != bi, preds[ti].count == 1, preds[ei].count == 1,
                  f.blocks[ti].instructions.count == 1, f.blocks[ei].instructions.count == 1,
                  case .jump(let j) = f.blocks[ti].terminator, case .jump(j) = f.blocks[ei].terminator,
                  j != t, j != e else { continue }
            let a = f.blocks[ti].instructions[0].inst, b = f.blocks[ei].instructions[0].inst
            guard isCopy(a), isCopy(b), let d = a.definedRegs.first, b.definedRegs == [d],
                  !f.blocks[bi].terminator.usedRegs.contains(d), !b.usedRegs.contains(d) else { continue }
            f.blocks[bi].instructions.append(f.blocks[ti].instructions[0])
            f.blocks[ti].instructions = []
            // `x = a; if (a < 64) skip; x = 64` (a min): the branch reads the copy, so `a`
            // may end at the copy and share x's register.
            if case .mov(_, .reg(let s), .w64) = a, s != d {
                f.blocks[bi].terminator = f.blocks[bi].terminator.replacingUses(of: s, with: d)
            }
            changed = true
        }
        return changed ? CFGSimplify.run(f) : f
    }

    static func isCopy(_ i: Inst) -> Bool {
        switch i {
        case .mov(_, .imm, _), .mov(_, .reg, .w64): return true
        default: return false
        }
    }
}
