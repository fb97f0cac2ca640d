/// Lowering follows `r = x % C` with a branch that is never taken, `if (r > C - 1) r = C - 1`,
/// to give the verifier the bound it does not work out for a remainder (an array index
/// `a[i % 3]` needs `C - 1` exactly). Where `r` reaches no address — it and what is
/// computed from it only feed arithmetic and branch tests — the bound of a mask does as
/// well, and takes no branch: `r &= 2^k - 1` for the smallest `2^k >= C` (no change to
/// the value, below `C`).
///
/// In a loop the clamp can cost the verifier a second walk: the clamped path, walked last,
/// meets its twin's state at the join only if that state is still kept, and a loop's
/// later rounds, arriving there first and never matching it, have it dropped (random seed
/// 68309 reduced: `in2 % 5` in each round, 85 clamped paths of which 10 were pruned; five
/// rounds walked 302,811 instructions, 285,582 with the mask; clang's build 2,975).
public enum RemainderClamps {
    public static func run(_ f: Function) -> Function {
        guard f.containsInstruction(where: { if case .binary(.urem, _, _, .imm, _) = $0 { return true }; return false }) else { return f }
        var f = f
        let index = f.blockIndexByID
        let preds = f.flowGraph.predecessors
        for bi in f.blocks.indices {
            guard case .branch(let cc, let r, .imm(let k), let w, let t, let e) = f.blocks[bi].terminator,
                  cc == .ule || cc == .ugt else { continue }
            let (keep, clamp) = cc == .ule ? (t, e) : (e, t)
            guard let ci = index[clamp], ci != bi, preds[ci] == [bi], keep != clamp,
                  f.blocks[ci].instructions.count == 1, case .jump(keep) = f.blocks[ci].terminator,
                  case .mov(r, .imm(k), _) = f.blocks[ci].instructions[0].inst,
                  let at = f.blocks[bi].instructions.lastDefinition(of: r),
                  case .binary(.urem, r, _, .imm(let c), w) = f.blocks[bi].instructions[at].inst,
                  c == k + 1, c > 1, c <= 1 << 30,
                  !usedBeyondArithmetic(from: [ValueFlow.Place(block: bi, index: at), ValueFlow.Place(block: ci, index: 0)], in: f)
            else { continue }
            var mask: Int64 = 1
            while mask < c { mask <<= 1 }
            let location = f.blocks[bi].terminatorLocation ?? f.blocks[bi].instructions[at].location
            f.blocks[bi].instructions.append(Instruction(.binary(.and, dst: r, lhs: r, rhs: .imm(mask - 1), width: w), location: location))
            f.blocks[bi].terminator = .jump(keep)
        }
        return f
    }

    /// Whether the values the instructions at `starts` define, or values computed from
    /// them, are used otherwise than by arithmetic or a branch's test: as an address or
    /// part of one, stored, passed, returned.
    static func usedBeyondArithmetic(from starts: [ValueFlow.Place], in f: Function) -> Bool {
        ValueFlow(f).reaches(from: starts, in: f) { use, _ in
            guard use.index >= 0 else {
                if case .ret = f.blocks[use.block].terminator { return true }
                return false
            }
            return !ValueFlow.passesOn(f.blocks[use.block].instructions[use.index].inst)
        }
    }
}
