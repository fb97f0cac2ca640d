/// Tail merging: blocks that do the same thing and go to the same place become one
/// (clang's common-code sinking). An unrolled search loop that counts a hit, prints and
/// returns in every iteration keeps one copy of that code; the branches that differed
/// only in where they went then become equal in turn, so the pass repeats.
///
/// Two blocks are the same when their instructions and terminators are equal once the
/// registers local to each (defined there before any use and dead at its end) are named
/// by order of appearance; every other register must be the very same in both. Entering
/// the kept block from the other's predecessors is then exact: its locals are dead
/// wherever it ends, and it reads and leaves every other register as the other did.
public enum TailMerging {
    /// Rounds of merging (each can make predecessors of merged blocks equal).
    static let maxRounds = 8

    struct Signature: Hashable {
        var instructions: [Inst]
        var terminator: Terminator
    }

    public static func run(_ f: Function) -> Function {
        var f = f
        for _ in 0..<maxRounds {
            let live = Liveness(f)
            var groups: [Signature: [Int]] = [:]
            for i in f.blocks.indices where i != 0 {
                // Blocks that only jump are CFGSimplify's.
                if f.blocks[i].instructions.isEmpty, case .jump = f.blocks[i].terminator { continue }
                groups[signature(f.blocks[i], liveOut: live.liveOut[i]), default: []].append(i)
            }
            var redirect: [BlockID: BlockID] = [:]
            for members in groups.values where members.count > 1 {
                let kept = members.min()!
                for m in members where m != kept { redirect[f.blocks[m].id] = f.blocks[kept].id }
            }
            guard !redirect.isEmpty else { break }
            for i in f.blocks.indices {
                switch f.blocks[i].terminator {
                case .jump(let t): f.blocks[i].terminator = .jump(redirect[t] ?? t)
                case .branch(let cc, let l, let r, let w, let t, let e):
                    let tt = redirect[t] ?? t, ee = redirect[e] ?? e
                    f.blocks[i].terminator = tt == ee ? .jump(tt) : .branch(cc, lhs: l, rhs: r, width: w, then: tt, else: ee)
                default: break
                }
            }
            f = CFGSimplify.removeUnreachable(f)
        }
        return f
    }

    /// The block with its local registers renamed to negative ids (no real register has one).
    static func signature(_ b: Block, liveOut: RegSet) -> Signature {
        var local: [VReg: VReg] = [:]
        var seen: Set<VReg> = []
        for i in b.instructions {
            i.inst.forEachUse { seen.insert($0) }
            i.inst.forEachDef { d in
                if !seen.contains(d) && !liveOut.contains(d) && local[d] == nil { local[d] = VReg(-1 - local.count) }
                seen.insert(d)
            }
        }
        var instructions = b.instructions.map(\.inst)
        var terminator = b.terminator
        for (r, name) in local {
            for k in instructions.indices {
                instructions[k] = instructions[k].replacingUses(of: r, with: name).replacingDefs(of: r, with: name)
            }
            terminator = terminator.replacingUses(of: r, with: name)
        }
        return Signature(instructions: instructions, terminator: terminator)
    }
}
