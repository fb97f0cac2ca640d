/// Full unrolling of loops whose path is decided by known values: from an edge into
/// a loop, the loop is executed symbolically with `KnownValues`; when every branch
/// on the way is decided (the trip count and each iteration's path are constants)
/// and the loop is left within the budget, the instructions met on the way become
/// one straight-line block that replaces the loop for that edge. The IR is not SSA,
/// so the copies are exact as they stand; later passes fold what became constant.
///
/// This is what lets `while (p < end) acc += *p++` over a local array pass the
/// verifier: it cannot bound a loop comparing two stack pointers, but each unrolled
/// access is a constant stack offset, as after clang's full unroll.
///
/// When a branch inside the body is not decided but every iteration's exit test is, the
/// body's blocks are copied once per iteration instead (`unrolledRegion`), if the copies,
/// with the branches the iteration decides folded, are no larger than the loop.
public enum FullUnrolling {
    static let maxTrips = 64
    static let maxInstructions = 300

    public static func run(_ f: Function) -> Function {
        var f = f
        var changed = false
        // A second round unrolls an outer loop whose inner loops the first one unrolled.
        for _ in 0..<2 {
            guard let g = unrollAll(f) else { break }
            f = g
            changed = true
        }
        return changed ? CFGSimplify.joinStraightLines(CFGSimplify.run(f)) : f
    }

    /// Replaces each loop entry whose path is decided by its trace; nil when none is.
    /// What is known about the function (values, liveness) is computed once: a trace
    /// computes what the loop did, so it stays true of the blocks that were there.
    static func unrollAll(_ f: Function) -> Function? {
        let headers = loopHeaders(f)
        guard !headers.isEmpty else { return nil }
        let known = KnownValues(f)
        let index = f.blockIndexByID
        let (succs, preds) = f.flowGraph
        var liveness: Liveness? = nil
        var g = f
        var nextID = (f.blocks.map(\.id.id).max() ?? 0) + 1
        var changed = false
        // Copies of loop bodies go where the loop is (block order is what live ranges and
        // the frame's slot sharing follow), inserted once the edits by position are done.
        var insertions: [(at: Int, blocks: [Block])] = []
        for h in headers {
            let loop = Loops.cycle(through: h, succs: succs, preds: preds)
            let hid = f.blocks[h].id
            for p in preds[h].distinct.sorted() where !loop.contains(p) && g.blocks[p].terminator.successors.contains(hid) {
                var state = known.entry[p]
                for i in f.blocks[p].instructions { known.step(i.inst, &state) }
                guard let path = trace(f, from: h, loop: loop, state: state, known: known, index: index) else {
                    // Branches the values leave open inside the body: the body's blocks,
                    // once per iteration, when the iterations are still decided.
                    guard let copies = unrolledRegion(f, header: h, loop: loop, state: state, known: known,
                                                      index: index, succs: succs, nextID: &nextID) else { continue }
                    retarget(&g.blocks[p], from: hid, to: copies[0].id)
                    insertions.append((h, copies))
                    changed = true
                    continue
                }
                if liveness == nil { liveness = Liveness(f) }
                var b = renamed(path, in: &g, liveAtExit: { r in
                    guard case .jump(let t) = path.terminator, let j = index[t] else { return false }
                    return liveness!.liveIn[j].contains(r)
                })
                b.id = BlockID(nextID)
                nextID += 1
                guard retarget(&g.blocks[p], from: hid, to: b.id) else { continue }
                g.blocks.append(b)
                changed = true
            }
        }
        for (at, blocks) in insertions.sorted(by: { $0.at > $1.at }) { g.blocks.insert(contentsOf: blocks, at: max(1, at)) }
        return changed ? g : nil
    }

    /// Points `b`'s edges to `from` at `to`; false when its terminator has no edges.
    @discardableResult
    static func retarget(_ b: inout Block, from: BlockID, to: BlockID) -> Bool {
        switch b.terminator {
        case .jump, .branch:
            b.terminator = b.terminator.mappingTargets { $0 == from ? to : $0 }
            return true
        default:
            return false
        }
    }

    /// The loop's blocks copied once per iteration, the first copy of the header first,
    /// when its iterations are decided although paths inside them are not
    /// (`for (i = 0; i < n; i++) dst[i] = arg(regs, i)` where `arg` switches on `i` inside
    /// `if (in_ia32_syscall())`). Each iteration's blocks are walked in order with the
    /// values known on every path into them; a branch they decide becomes a jump and the
    /// side not taken is not copied (the switch keeps one case per iteration); an edge
    /// back to the header leads to the next iteration's copy, entered with what all such
    /// edges agree on. Nil when the loop has an inner cycle, an iteration cannot tell
    /// whether it goes round again, or the copies would be larger than the loop.
    static func unrolledRegion(_ f: Function, header h: Int, loop: Set<Int>, state: [VReg: KnownValue],
                               known: KnownValues, index: BlockIndex, succs: [[Int]],
                               nextID: inout Int) -> [Block]? {
        // The body without its back edges, in an order where each block follows its
        // predecessors; an inner cycle leaves some block out.
        var indegree: [Int: Int] = [:]
        for b in loop { for s in succs[b] where loop.contains(s) && s != h { indegree[s, default: 0] += 1 } }
        var order: [Int] = [], ready = [h]
        while let b = ready.popLast() {
            order.append(b)
            for s in succs[b] where loop.contains(s) && s != h {
                indegree[s]! -= 1
                if indegree[s] == 0 { ready.append(s) }
            }
        }
        guard order.count == loop.count else { return nil }
        func meet(_ a: [VReg: KnownValue]?, _ b: [VReg: KnownValue]) -> [VReg: KnownValue] { a?.agreeing(with: b) ?? b }
        // Worth it only when the copies, with the branches the iterations decide folded,
        // are no larger than the loop: a switch on the counter keeps one case a copy.
        // (A loop that is only bounded, its exits decided by data, stays a loop, as
        // clang keeps it.)
        let budget = min(maxInstructions, loop.reduce(0) { $0 + f.blocks[$1].instructions.count })
        var out: [Block] = []
        var size = 0
        var headerState: [VReg: KnownValue]? = state
        var headerID = BlockID(nextID)
        nextID += 1
        var trips = 0
        while let entryState = headerState {
            trips += 1
            guard trips <= maxTrips else { return nil }
            var entry: [Int: [VReg: KnownValue]] = [h: entryState]
            var ids: [Int: BlockID] = [h: headerID]
            var backEdges: [VReg: KnownValue]? = nil
            var nextHeader: BlockID? = nil
            func id(of target: Int) -> BlockID {
                if let i = ids[target] { return i }
                let i = BlockID(nextID)
                nextID += 1
                ids[target] = i
                return i
            }
            for b in order {
                guard var st = entry[b] else { continue }     // not reached in this iteration
                var copy = f.blocks[b]
                copy.id = id(of: b)
                for i in copy.instructions { known.step(i.inst, &st) }
                size += copy.instructions.count
                guard size <= budget else { return nil }
                var taken: [BlockID] = copy.terminator.successors
                if case .branch(_, _, _, _, let t, let e) = copy.terminator, t != e, let goes = known.decide(copy.terminator, in: st) {
                    taken = [goes ? t : e]
                    copy.terminator = .jump(taken[0])
                }
                for t in taken.distinct {
                    guard let ti = index[t] else { return nil }
                    if ti == h {
                        backEdges = meet(backEdges, st)
                        if nextHeader == nil { nextHeader = BlockID(nextID); nextID += 1 }
                    } else if loop.contains(ti) {
                        entry[ti] = meet(entry[ti], st)
                        _ = id(of: ti)
                    }
                }
                copy.terminator = copy.terminator.mappingTargets { t in
                    guard let ti = index[t] else { return t }
                    if ti == h { return nextHeader ?? t }
                    return loop.contains(ti) ? (ids[ti] ?? t) : t
                }
                out.append(copy)
            }
            headerState = backEdges
            if let n = nextHeader { headerID = n }
        }
        return out
    }

    /// The traced block with every definition given a register of its own (so each
    /// unrolled iteration's values are defined once, as the other passes like them);
    /// registers still live where the loop is left get their last value back.
    static func renamed(_ path: Block, in f: inout Function, liveAtExit: (VReg) -> Bool) -> Block {
        var b = path
        var current: [VReg: VReg] = [:]
        for k in b.instructions.indices {
            var inst = b.instructions[k].inst
            for u in inst.usedRegs.distinct { if let n = current[u] { inst = inst.replacingUses(of: u, with: n) } }
            for d in inst.definedRegs.distinct {
                let n = f.newVReg()
                inst = inst.replacingDefs(of: d, with: n)
                current[d] = n
            }
            b.instructions[k].inst = inst
        }
        for u in b.terminator.usedRegs.distinct { if let n = current[u] { b.terminator = b.terminator.replacingUses(of: u, with: n) } }
        for (old, new) in current.sorted(by: { $0.key < $1.key }) where liveAtExit(old) {
            b.instructions.append(Instruction(.mov(dst: old, src: .reg(new), width: .w64), location: b.instructions.last?.location))
        }
        return b
    }

    /// Runs the loop from `h` under `state`; the straight-line block of what it executed
    /// until it left the loop, or nil when a branch is undecided or the budget runs out.
    static func trace(_ f: Function, from h: Int, loop: Set<Int>, state: [VReg: KnownValue],
                      known: KnownValues, index: BlockIndex) -> Block? {
        var state = state
        var out = Block(id: BlockID(0))
        var cur = h, trips = 0
        while true {
            if cur == h { trips += 1; if trips > maxTrips { return nil } }
            let b = f.blocks[cur]
            for i in b.instructions { out.instructions.append(i); known.step(i.inst, &state) }
            if out.instructions.count > maxInstructions { return nil }
            out.terminatorLocation = b.terminatorLocation
            let next: BlockID
            switch b.terminator {
            case .jump(let t): next = t
            case .branch(_, _, _, _, let t, let e):
                guard let taken = known.decide(b.terminator, in: state) else { return nil }
                next = taken ? t : e
            case .ret, .unreachable:
                out.terminator = b.terminator
                return out
            }
            guard let n = index[next] else { return nil }
            if !loop.contains(n) { out.terminator = .jump(next); return out }
            cur = n
        }
    }

    /// Blocks that are targets of a retreating edge of a depth-first walk from the entry.
    public static func loopHeaders(_ f: Function) -> [Int] { f.depthFirst.loopHeaders.sorted() }
}
