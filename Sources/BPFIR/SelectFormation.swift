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
            // Where one arm copies a constant and the other a register, the constant goes
            // first when it could be the register's value on the register's side (`n = a ? a
            // : 27`): the branch then skips the register copy, as clang's does, and the
            // verifier, which walks the fall-through first, meets the register's range before
            // the constant and prunes the constant against it at the join (before: a 27-step
            // walk of a bpf_loop callback for n = 27 on top of the general one). A clamp
            // (`a < 42 ? a : 42`) keeps the register first: the branch tests the copy, and the
            // register it copies may end there.
            let hoistsElse: Bool
            switch (f.blocks[ti].instructions[0].inst, f.blocks[ei].instructions[0].inst) {
            case (.mov(_, .reg(let r), _), .mov(_, .imm(let k), _)):
                hoistsElse = constantMeetsRegisterSide(k, r, registerSideIsThen: true, f.blocks[bi].terminator)
            case (.mov(_, .imm(let k), _), .mov(_, .reg(let r), _)):
                hoistsElse = !constantMeetsRegisterSide(k, r, registerSideIsThen: false, f.blocks[bi].terminator)
            default:
                hoistsElse = false
            }
            let (hoisted, kept) = hoistsElse ? (ei, ti) : (ti, ei)
            let a = f.blocks[hoisted].instructions[0].inst, b = f.blocks[kept].instructions[0].inst
            guard isCopy(a), isCopy(b), let d = a.definedRegs.first, b.definedRegs == [d],
                  !f.blocks[bi].terminator.usedRegs.contains(d), !b.usedRegs.contains(d) else { continue }
            f.blocks[bi].instructions.append(f.blocks[hoisted].instructions[0])
            f.blocks[hoisted].instructions = []
            // `x = a; if (a < 64) skip; x = 64` (a min): the branch reads the copy, so `a`
            // may end at the copy and share x's register.
            if case .mov(_, .reg(let s), .w64) = a, s != d {
                f.blocks[bi].terminator = f.blocks[bi].terminator.replacingUses(of: s, with: d)
            }
            changed = true
        }
        if hoistConstantArms(&f, index: index, preds: preds) { changed = true }
        return changed ? CFGSimplify.run(f) : f
    }

    /// `x = c ? K : <computation>` where the computing arm is not a lone copy (those are the
    /// diamonds above): `x = K` moves above the branch and the branch skips the computation,
    /// as clang's select does. The computation is then the fall-through, walked first by the
    /// verifier, and the constant's state arrives second at the join, where it is pruned
    /// when the computed range holds it (`now = short packet ? 0 : load`: everything after
    /// the join was verified twice, the constant's state first). Only the constant moves,
    /// so nothing runs early that the branch guards.
    static func hoistConstantArms(_ f: inout Function, index: BlockIndex, preds: [[Int]]) -> Bool {
        var changed = false
        for bi in f.blocks.indices {
            guard case .branch(_, _, _, _, let t, let e) = f.blocks[bi].terminator, t != e,
                  let ti = index[t], let ei = index[e], ti != bi, ei != bi, preds[ti].count == 1, preds[ei].count == 1,
                  case .jump(let j) = f.blocks[ti].terminator, case .jump(j) = f.blocks[ei].terminator, j != t, j != e else { continue }
            for (constantArm, other) in [(ti, ei), (ei, ti)] {
                guard f.blocks[constantArm].instructions.count == 1, !f.blocks[other].instructions.isEmpty,
                      f.blocks[other].instructions.count > 1 || !isCopy(f.blocks[other].instructions[0].inst),
                      case .mov(let d, .imm, _) = f.blocks[constantArm].instructions[0].inst,
                      !f.blocks[bi].terminator.usedRegs.contains(d),
                      f.blocks[other].instructions.contains(where: { $0.inst.defines(d) }),
                      !f.blocks[other].instructions.contains(where: { $0.inst.usedRegs.contains(d) }) else { continue }
                f.blocks[bi].instructions.append(f.blocks[constantArm].instructions[0])
                f.blocks[constantArm].instructions = []
                changed = true
                break
            }
        }
        return changed
    }

    /// Whether constant `k` passes the branch `t` toward the side that copies register `r`
    /// (true when the branch does not test `r` against a constant).
    static func constantMeetsRegisterSide(_ k: Int64, _ r: VReg, registerSideIsThen: Bool, _ t: Terminator) -> Bool {
        guard case .branch(let cc, let l, .imm(let c), let w, _, _) = t, l == r else { return true }
        return cc.evaluate(UInt64(bitPattern: k), UInt64(bitPattern: c), width: w) == registerSideIsThen
    }

    static func isCopy(_ i: Inst) -> Bool {
        switch i {
        case .mov(_, .imm, _), .mov(_, .reg, .w64): return true
        default: return false
        }
    }
}
