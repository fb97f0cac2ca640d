/// Block layout: a conditional branch falls through to its likely side.
///
/// The verifier walks a branch's fall-through first and pushes the taken side for later.
/// When the usual path comes first, its states reach the joins first and the rare paths'
/// states, arriving later, are pruned against them; the other way round the rare paths'
/// narrow states come first and every later state is explored again (Inspektor Gadget's
/// unrolled dentry walk: `if (dentry == mnt_root || dentry == d_parent)` guards the rare
/// mount-point case).
///
/// When a block's fall-through successor is marked `unlikely` and its other successor is
/// not, the run of blocks starting at the likely successor (each falling through into the
/// next) moves up to follow the branch. Blocks only move forward in the order of the
/// branch that asked for them, so the walk ends; the entry block stays first.
///
/// The same move puts a loop's early exit on its counter on the fall-through side
/// (`if (off + 64 > len) break;` with `off` stepped by constants). The verifier walks a
/// bounded loop with the counter exact, iteration by iteration; when each iteration's exit
/// is pushed for later, the exits are popped deepest first, and a packet pointer the loop
/// checked is then known to be longest in the first state the code after the loop sees:
/// the shorter ranges arriving later are no subset of it, and that code is walked once
/// per iteration (an ICMP checksum loop: 347,066 verified instructions where clang's build
/// takes 45,578). Walked exit first, each later state's longer range is pruned against
/// the earlier one (47,702). Loops whose values grow vaguer from one iteration to the
/// next (an option parser's `off += len`) keep the other order: there the deepest state
/// is the widest.
///
/// An arm that zeroes some of the frame and only moves memory besides (katran's
/// `if (vip->flags & F_HASH_DPORT_ONLY) { ...; memset(pckt->flow.srcv6, 0, 16); }` before
/// the flow's hash) goes after the code it joins, which then follows the branch. The
/// other path, walked first, leaves those bytes unknown at the join; the zeroed bytes
/// (`STACK_ZERO`) are within unknown ones, so the arm's state is pruned there. Arm first,
/// the unknown bytes are within no earlier state and all that follows the join is walked
/// once per path: katran's balancer walked its hash twice as often, 79,970 instructions
/// verified against clang's 59,236, 44,155 this way round.
public enum BlockPlacement {
    public static func run(_ f: Function) -> Function {
        var g = f
        var blocks = f.blocks
        let unlikely = Set(blocks.filter { $0.unlikely }.map { $0.id })
        var exits = counterExits(f)
        for (b, exit) in unrolledExits(f) where exits[b] == nil { exits[b] = exit }
        let zeroing = zeroingArms(f)
        let shortcuts = longLoopShortcuts(f)
        var i = 0
        while i + 1 < blocks.count {
            defer { i += 1 }
            guard case .branch(_, _, _, _, let t, let e) = blocks[i].terminator, t != e else { continue }
            let next = blocks[i + 1].id
            let likely: BlockID
            if let s = shortcuts[blocks[i].id], next == t || next == e { likely = s }
            else if next == t, unlikely.contains(t), !unlikely.contains(e) { likely = e }
            else if next == e, unlikely.contains(e), !unlikely.contains(t) { likely = t }
            else if let exit = exits[blocks[i].id], exit != next, next == t || next == e, !unlikely.contains(exit) { likely = exit }
            else if zeroing.contains(next), next == t || next == e, !unlikely.contains(next == t ? e : t) { likely = next == t ? e : t }
            else { continue }
            guard let j = blocks.firstIndex(where: { $0.id == likely }), j > i + 1 else { continue }
            var k = j
            while k + 1 < blocks.count && fallsThrough(blocks[k], into: blocks[k + 1].id) { k += 1 }
            let run = Array(blocks[j...k])
            blocks.removeSubrange(j...k)
            blocks.insert(contentsOf: run, at: i + 1)
        }
        g.blocks = blocks
        return g
    }

    /// The arms of triangles (`if (c) memset(&x, 0, 16);`: a block entered only from the
    /// branch, jumping to the branch's other side) that only copy memory and zero some of
    /// the frame: loads, stores, among them a store of 0 to a stack slot.
    static func zeroingArms(_ f: Function) -> Set<BlockID> {
        let preds = f.flowGraph.predecessors
        let index = f.blockIndexByID
        var out: Set<BlockID> = []
        for (p, b) in f.blocks.enumerated() {
            guard case .branch(_, _, _, _, let t, let e) = b.terminator, t != e else { continue }
            for (arm, join) in [(t, e), (e, t)] {
                guard let a = index[arm], preds[a] == [p], case .jump(join) = f.blocks[a].terminator else { continue }
                var zeroes = false
                let onlyMemory = f.blocks[a].instructions.allSatisfy { i in
                    switch i.inst {
                    case .store(.slot, _, .imm(0), _): zeroes = true; return true
                    case .store, .load: return true
                    default: return false
                    }
                }
                if onlyMemory && zeroes { out.insert(arm) }
            }
        }
        return out
    }

    /// The loops the verifier walks hundreds of times: the fall-through path of each
    /// iteration is walked first, and every branch on it whose other side is feasible
    /// leaves a state pending until the walk comes back; along the first path through a
    /// loop of `n` iterations with `p` such branches each, `n·p` of them (the verifier gives
    /// up past 8,192: "The sequence of 8193 jumps is too complex"). In such a loop a branch
    /// falls through to the side that reaches the latch over fewer branches: a frame
    /// walker's `if (!frame->f_code) return false;`, taken first, skips the iteration's
    /// other tests (the kernel selftests' pyperf600_nounroll: 600 iterations, five copies).
    /// A loop is long when its latch or header, going round or leaving, compares a value
    /// with a constant of at least `longLoop` (`i < 600`; not a count down to 0).
    static let longLoop: Int64 = 256

    static func longLoopShortcuts(_ f: Function) -> [BlockID: BlockID] {
        let loops = Loops(f)
        guard !loops.all.isEmpty else { return [:] }
        let (succs, preds) = f.flowGraph
        var out: [BlockID: BlockID] = [:]
        for l in loops.all {
            let latches = preds[l.header].filter { l.blocks.contains($0) }
            let long = (latches + [l.header]).contains { p in
                guard case .branch(let cc, _, .imm(let k), _, _, _) = f.blocks[p].terminator,
                      cc != .set, k >= longLoop else { return false }
                return succs[p].contains { !l.blocks.contains($0) } || succs[p].contains(l.header)
            }
            guard long else { continue }
            let inner = loops.nestedBlocks(l)
            func forks(_ p: Int) -> Bool { Set(succs[p]).count == 2 && succs[p].allSatisfy { l.blocks.contains($0) } }
            // Branches from each block to a latch, walking back from the latches.
            var distance: [Int: Int] = [:]
            var work = latches
            for q in latches { distance[q] = 0 }
            while let q = work.popLast() {
                guard q != l.header else { continue }           // not back round the loop
                for p in preds[q] where l.blocks.contains(p) {
                    let d = distance[q]! + (forks(p) ? 1 : 0)
                    if distance[p].map({ d < $0 }) ?? true { distance[p] = d; work.append(p) }
                }
            }
            for p in l.blocks where !inner.contains(p) && forks(p) && !latches.contains(p) {
                let (a, b) = (succs[p][0], succs[p][1])
                guard a != l.header, b != l.header, let da = distance[a], let db = distance[b], da != db else { continue }
                if out[f.blocks[p].id] == nil { out[f.blocks[p].id] = f.blocks[da < db ? a : b].id }
            }
        }
        return out
    }

    /// For each block ending in a branch that leaves its innermost loop when a counter of
    /// the loop passes a bound the loop does not change, the branch's target outside the loop.
    /// A counter is a register the loop only steps by constants (`off += 64`, or `t = off + 64`
    /// then `off = t`); the branch may test it or the counter plus a constant.
    static func counterExits(_ f: Function) -> [BlockID: BlockID] {
        let loops = Loops(f)
        guard !loops.all.isEmpty else { return [:] }
        let succs = f.flowGraph.successors
        var definitions: [Int: (defs: [VReg: [Inst]], storedSlots: Set<Int>)] = [:]     // by header
        var exits: [BlockID: BlockID] = [:]
        for (p, b) in f.blocks.enumerated() {
            guard case .branch(_, let lhs, let rhs, _, _, _) = b.terminator, succs[p].count == 2,
                  let loop = loops.innermost(containing: p) else { continue }
            let outside = succs[p].filter { !loop.blocks.contains($0) }
            guard outside.count == 1, succs[p].contains(where: { loop.blocks.contains($0) }) else { continue }
            if definitions[loop.header] == nil { definitions[loop.header] = Loops.definitions(in: loop, of: f) }
            let (defs, storedSlots) = definitions[loop.header]!
            func stepOf(_ v: VReg) -> VReg? {         // v = c + imm, defined once in the loop
                guard let d = defs[v], d.count == 1, case .binary(.add, _, let c, .imm, _) = d[0] else { return nil }
                return c
            }
            func isCounter(_ c: VReg) -> Bool {
                guard let d = defs[c] else { return false }
                return d.allSatisfy { inst in
                    switch inst {
                    case .binary(.add, _, let l, .imm, _): return l == c
                    case .mov(_, .reg(let t), _): return stepOf(t) == c
                    default: return false
                    }
                }
            }
            // Not changed by the loop: defined outside it, or reloaded from a slot it does not store.
            func invariant(_ o: Operand) -> Bool {
                guard case .reg(let r) = o, let d = defs[r] else { return true }
                return d.allSatisfy { if case .load(_, .slot(let k), _, _, _) = $0 { return !storedSlots.contains(k) } else { return false } }
            }
            func counting(_ v: VReg) -> Bool { isCounter(v) || stepOf(v).map(isCounter) == true }
            if (counting(lhs) && invariant(rhs)) || (invariant(.reg(lhs)) && { if case .reg(let r) = rhs { return counting(r) } else { return false } }()) {
                exits[b.id] = f.blocks[outside[0]].id
            }
        }
        return exits
    }

    /// The same for a loop FullUnrolling copied per iteration: a run of blocks falling
    /// through from one copy to the next, each copy leaving for one common block further
    /// on (`if (i >= max || s[i] != lit[i]) return 0;` per byte of a literal). The first
    /// exit becomes the fall-through: its state comes first, and the later copies' exits,
    /// which checked more, are pruned against it. A copy is told by its code: the
    /// instructions between consecutive exits repeat (with a period of up to three
    /// exits), at least three exits. Not a switch's chain of compares (no code between
    /// them), nor a bit test (no inverse to fall through on).
    static func unrolledExits(_ f: Function) -> [BlockID: BlockID] {
        let position = f.blockIndexByID
        var exitsTo: [Int: [Int]] = [:]                 // exit position -> exiting blocks, in order
        for (p, b) in f.blocks.enumerated() where p + 1 < f.blocks.count {
            guard case .branch(_, _, _, _, let t, let e) = b.terminator, t != e else { continue }
            let next = f.blocks[p + 1].id
            guard t == next || e == next, let x = position[t == next ? e : t], x > p + 1 else { continue }
            exitsTo[x, default: []].append(p)
        }
        var result: [BlockID: BlockID] = [:]
        var inLoop: Set<Int>? = nil
        for (x, from) in exitsTo where from.count >= 3 {
            let first = from[0], last = from[from.count - 1], exitID = f.blocks[x].id
            if case .branch(.set, _, _, _, _, _) = f.blocks[first].terminator { continue }
            // One run: every block from the first exit to the last goes on or leaves.
            guard (first...last).allSatisfy({ k in
                f.blocks[k].terminator.successors.allSatisfy { $0 == f.blocks[k + 1].id || $0 == exitID }
            }) else { continue }
            // The code of each copy: instruction kinds after one exit up to the next.
            let segments: [[Int]] = zip(from, from.dropFirst()).map { a, b in
                ((a + 1)...b).flatMap { f.blocks[$0].instructions.map(\.inst.kindNumber) }
            }
            guard (1...3).contains(where: { d in
                segments.count > d && (0..<segments.count - d).allSatisfy { segments[$0] == segments[$0 + d] }
                    && segments.prefix(d).contains { !$0.isEmpty }
            }) else { continue }
            // Tests that accumulate: one value is tested by several exits (a bound the
            // counter is compared with, a packet end), so a later exit knows more of it
            // than an earlier one. A chain of bytes each compared with a constant (an
            // unrolled memcmp) knows nothing more at a later exit, and keeps its order.
            var tested: [VReg: Int] = [:]
            for k in from {
                guard case .branch(_, let lhs, let rhs, _, _, _) = f.blocks[k].terminator else { continue }
                tested[lhs, default: 0] += 1
                if case .reg(let r) = rhs { tested[r, default: 0] += 1 }
            }
            guard tested.values.contains(where: { $0 >= 2 }) else { continue }
            if inLoop == nil { inLoop = Set(Loops(f).all.flatMap(\.blocks)) }
            guard !inLoop!.contains(first) else { continue }
            result[f.blocks[first].id] = exitID
        }
        return result
    }

    /// True when `b`'s code continues into `next` without a jump of its own.
    static func fallsThrough(_ b: Block, into next: BlockID) -> Bool {
        switch b.terminator {
        case .jump(let t): return t == next
        case .branch(_, _, _, _, let t, let e): return t == next || e == next
        case .ret, .unreachable: return false
        }
    }
}
