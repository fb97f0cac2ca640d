/// Removes instructions without side effects whose results are never read: not used
/// anywhere, or overwritten before any read on every path (liveness; the register
/// variable `i` of a fully unrolled loop is assigned each iteration's value but read
/// as a constant). A 64-bit copy of a register to itself goes too.
///
/// A branch whose arms only compute registers nobody reads after them, and then meet, is
/// a jump to where they meet (clang's aggressive dead code elimination of control flow):
/// the shifts and tests of an inlined `log2` whose result a later bound check replaced
/// go one branch at a time, each removal leaving the arm before it dead in turn.
public enum DeadCodeElimination {
    public static func run(_ f: Function) -> Function {
        var f = f
        while true {
            if f.blocks.count >= largeFunction { f = removingUnused(f) }
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
        // The liveness of `f` stays true enough of what the removals leave: removing code
        // only shrinks what is live, so a register it does not hold at a join is dead
        // there still. Rounds go on without computing it again: each removal can make the
        // branch before it a branch over arms (an `if` chain goes in one call, not one
        // liveness per link).
        let positions = f.blockIndexByID
        var f = f
        var changed = false
        while true {
            let (g, removed) = removingDeadBranchesOnce(f) { live.liveIn[positions[$0]!] }
            guard removed else { return (f, changed) }
            f = g
            changed = true
        }
    }

    static func removingDeadBranchesOnce(_ f: Function, liveIn: (BlockID) -> RegSet) -> (Function, Bool) {
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
            let liveAtJoin = liveIn(f.blocks[j].id)
            let deadAtJoin = arms.allSatisfy { a in
                f.blocks[a].instructions.allSatisfy { i in
                    var used = false
                    i.inst.forEachDef { if liveAtJoin.contains($0) { used = true } }
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

    /// From this many blocks on, each round first removes what is read nowhere by use
    /// counts: a chain of dead values across blocks would otherwise cost a round, and a
    /// liveness of the whole function, per link (a function of 40,000 blocks that heavy
    /// inlining made took 13 such rounds).
    static let largeFunction = 256

    /// `f` without the instructions whose results nothing reads, to a fixpoint: removing
    /// one lowers its operands' use counts, which may make their definitions unread too.
    static func removingUnused(_ f: Function) -> Function {
        var uses = f.useDefCounts().uses
        var definers: [VReg: [(block: Int, index: Int)]] = [:]
        var work: [(block: Int, index: Int)] = []
        for (bi, b) in f.blocks.enumerated() {
            for (ii, i) in b.instructions.enumerated() where removable(i.inst) {
                var read = false
                i.inst.forEachDef { d in
                    definers[d, default: []].append((bi, ii))
                    if uses[d] > 0 { read = true }
                }
                if !read { work.append((bi, ii)) }
            }
        }
        guard !work.isEmpty else { return f }
        var dead = f.blocks.map { [Bool](filled: false, count: $0.instructions.count) }
        while let (bi, ii) = work.popLast() {
            guard !dead[bi][ii] else { continue }
            let inst = f.blocks[bi].instructions[ii].inst
            var read = false
            inst.forEachDef { if uses[$0] > 0 { read = true } }
            guard !read else { continue }
            dead[bi][ii] = true
            inst.forEachUse { u in
                uses[u] -= 1
                if uses[u] == 0, let ds = definers[u] { work += ds }
            }
        }
        var g = f
        for bi in g.blocks.indices where dead[bi].contains(true) {
            let kept = g.blocks[bi].instructions.indices.filter { !dead[bi][$0] }
            g.blocks[bi].instructions = kept.map { f.blocks[bi].instructions[$0] }
        }
        return g
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
                // A register copied to itself (what `a += 0` left) keeps its value.
                if case .mov(let d, .reg(let s), .w64) = inst, d == s { drop.append(k); continue }
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
