/// Removes instructions without side effects whose results are never read: not used
/// anywhere, or overwritten before any read on every path (liveness; the register
/// variable `i` of a fully unrolled loop is assigned each iteration's value but read
/// as a constant).
///
/// A branch whose arms only compute registers nobody reads after them, and then meet, is
/// a jump to where they meet (clang's aggressive dead code elimination of control flow):
/// the shifts and tests of an inlined `log2` whose result a later bound check replaced
/// go one branch at a time, each removal leaving the arm before it dead in turn.
public enum DeadCodeElimination {
    public static func run(_ f: Function) -> Function {
        var f = f
        while true {
            var (g, changed, live) = removeDead(f)
            if !changed { (g, changed) = removingDeadBranches(g, live) }
            guard changed else { return g }
            f = g
        }
    }

    /// Turns into jumps the branches whose arms (blocks entered only from the branch,
    /// jumping to where the other edge goes or to the other arm's target) compute only
    /// registers dead there; the arms go.
    static func removingDeadBranches(_ f: Function, _ live: Liveness) -> (Function, Bool) {
        var f = f
        let index = f.blockIndexByID
        let preds = f.flowGraph.predecessors
        var removed = Set<Int>()
        for x in f.blocks.indices {
            guard case .branch(_, _, _, _, let t, let e) = f.blocks[x].terminator, t != e,
                  let ti = index[t], let ei = index[e], !removed.contains(ti), !removed.contains(ei) else { continue }
            /// Where arm `a` goes, when it is an arm: entered only from `x`, only computing, jumping on.
            func armTarget(_ a: Int) -> Int? {
                guard a != 0, a != x, preds[a] == [x], case .jump(let j) = f.blocks[a].terminator, let ji = index[j], ji != a,
                      f.blocks[a].instructions.allSatisfy({ removable($0.inst) }) else { return nil }
                return ji
            }
            var join: Int? = nil, arms: [Int] = []
            if let j = armTarget(ti), j == ei { join = j; arms = [ti] }
            else if let j = armTarget(ei), j == ti { join = j; arms = [ei] }
            else if let j1 = armTarget(ti), let j2 = armTarget(ei), j1 == j2 { join = j1; arms = [ti, ei] }
            // (A join that is the branch's own block would make a loop of it.)
            guard let j = join, j != x else { continue }
            let deadAtJoin = arms.allSatisfy { a in
                f.blocks[a].instructions.allSatisfy { i in
                    var used = false
                    i.inst.forEachDef { if live.liveIn[j].contains($0) { used = true } }
                    return !used
                }
            }
            guard deadAtJoin else { continue }
            f.blocks[x].terminator = .jump(f.blocks[j].id)
            removed.formUnion(arms)
        }
        guard !removed.isEmpty else { return (f, false) }
        f.blocks = f.blocks.indices.filter { !removed.contains($0) }.map { f.blocks[$0] }
        return (f, true)
    }

    static func removable(_ inst: Inst) -> Bool {
        var defines = false
        inst.forEachDef { _ in defines = true }
        return defines && !inst.hasSideEffects
    }

    /// One backward pass per block over liveness; whether anything went, and the liveness
    /// of the function it was given.
    static func removeDead(_ f: Function) -> (Function, Bool, Liveness) {
        var f = f
        var changed = false
        let live = Liveness(f)
        for bi in f.blocks.indices {
            var alive = live.liveOut[bi]
            for u in f.blocks[bi].terminator.usedRegs { alive.insert(u) }
            var drop: [Int] = [], strip: [Int] = []
            let instructions = f.blocks[bi].instructions
            for k in instructions.indices.reversed() {
                var inst = instructions[k].inst
                // A call whose result nobody reads defines nothing (helpers such as
                // bpf_tail_call leave r0 unreadable for the verifier).
                if case .call(let d?, let callee, let args) = inst, !alive.contains(d) {
                    inst = .call(dst: nil, callee: callee, args: args)
                    strip.append(k)
                }
                if removable(inst) {
                    var used = false
                    inst.forEachDef { if alive.contains($0) { used = true } }
                    if !used { drop.append(k); continue }
                }
                inst.forEachDef { alive.remove($0) }
                inst.forEachUse { alive.insert($0) }
            }
            for k in strip {
                if case .call(_, let callee, let args) = f.blocks[bi].instructions[k].inst {
                    f.blocks[bi].instructions[k].inst = .call(dst: nil, callee: callee, args: args)
                }
            }
            if !drop.isEmpty {
                changed = true
                // One pass over the block: removing one by one is quadratic in a block
                // that full unrolling made long.
                let dropped = Set(drop)
                f.blocks[bi].instructions = instructions.indices.compactMap { k in
                    dropped.contains(k) ? nil : f.blocks[bi].instructions[k]
                }
            }
        }
        return (f, changed, live)
    }
}
