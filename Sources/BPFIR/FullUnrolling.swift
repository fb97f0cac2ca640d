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
/// with the branches the iteration decides folded, are no larger than the loop, or within
/// `regionBudget` when they simplify (the iterations' known values decide a branch inside
/// or meet memory or unknown values). Copies of a loop of at most ten iterations are
/// weighed against the budgets by what is left of them once folded (`foldedSize`).
public enum FullUnrolling {
    static let maxTrips = 64
    /// The size of a traced loop's straight line: a loop that compares stack addresses
    /// (which the verifier cannot bound) may grow to `maxInstructions`; one counted by a
    /// number, which the verifier walks as a loop, to `countedBudget`, about clang's
    /// threshold for a loop that unrolling only copies (`for (i = 0; i < 32; i++)
    /// h = h * 33 ^ s[i];` stays a loop in both builds).
    static let maxInstructions = 300
    static let countedBudget = 150
    /// The size (instructions copied) to which a loop whose iterations are decided is
    /// unrolled even when the copies are larger than the loop.
    static let regionBudget = 150
    /// A loop that goes round at most this many times may be copied up to
    /// `maxInstructions`.
    static let fewTrips = 3

    public static func run(_ f: Function, memory: ReadOnlyMemory = ReadOnlyMemory()) -> Function {
        var f = f
        var changed = false
        // A second round unrolls an outer loop whose inner loops the first one unrolled.
        for _ in 0..<2 {
            guard let g = unrollAll(f, memory: memory) else { break }
            f = g
            changed = true
        }
        return changed ? CFGSimplify.joinStraightLines(CFGSimplify.run(f)) : f
    }

    /// Replaces each loop entry whose path is decided by its trace; nil when none is.
    /// What is known about the function (values, liveness) is computed once: a trace
    /// computes what the loop did, so it stays true of the blocks that were there.
    static func unrollAll(_ f: Function, memory: ReadOnlyMemory) -> Function? {
        let headers = loopHeaders(f)
        guard !headers.isEmpty else { return nil }
        let walk = Walk(known: KnownValues(f), memory: memory, bigEndian: f.bigEndian)
        let addresses = ReadOnlyMemory.Addresses(definedOnceIn: f, memory: memory)
        let index = f.blockIndexByID
        let (succs, preds) = f.flowGraph
        let dominators = Dominators(f, predecessors: preds)
        var liveness: Liveness? = nil
        var g = f
        var nextID = f.unusedBlockID.id
        var changed = false
        // Copies of loop bodies go where the loop is (block order is what live ranges and
        // the frame's slot sharing follow), inserted once the edits by position are done.
        var insertions: [(at: Int, blocks: [Block])] = []
        for h in headers {
            let loop = Loops.natural(header: h, succs: succs, preds: preds, dominators: dominators)
            let hid = f.blocks[h].id
            for p in preds[h].distinct.sorted() where !loop.contains(p) && g.blocks[p].terminator.successors.contains(hid) {
                var state = Walk.State(values: walk.known.entry[p], addresses: addresses)
                for i in f.blocks[p].instructions { walk.step(i.inst, &state) }
                guard let path = trace(f, from: h, loop: loop, state: state, walk: walk, index: index) else {
                    // Branches the values leave open inside the body: the body's blocks,
                    // once per iteration, when the iterations are still decided.
                    guard let copies = unrolledRegion(f, header: h, loop: loop, state: state, walk: walk,
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
    /// whether it goes round again, or the copies would be larger than the budget; and,
    /// when they are larger than the loop, when data decides whether it goes round.
    static func unrolledRegion(_ f: Function, header h: Int, loop: Set<Int>, state: Walk.State,
                               walk: Walk, index: BlockIndex, succs: [[Int]],
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
        func meet(_ a: Walk.State?, _ b: Walk.State) -> Walk.State { a?.agreeing(with: b) ?? b }
        // Worth it when the copies, with the branches the iterations decide folded, are
        // no larger than the loop (a switch on the counter keeps one case a copy), or
        // small: `for (i = 0; i < 6; i++) { if (p + i + 1 > end) break; ... }` becomes
        // straight-line code with constant offsets, as clang unrolls a loop whose latch
        // runs a known count of times, so that the verifier walks no loop. (A loop whose
        // latch test reads data stays a loop, as clang keeps it.)
        let loopSize = loop.reduce(0) { $0 + f.blocks[$1].instructions.count }
        let budget = min(maxInstructions, max(regionBudget, loopSize))
        // A loop that goes round at most `fewTrips` times may be copied up to
        // `maxInstructions` (clang's cost model allows more when the copies simplify, as
        // an inner loop of two rounds whose counter the body reads does).
        func limit(_ trips: Int) -> Int { trips <= fewTrips ? maxInstructions : budget }
        // Whether data decides if an iteration goes round again: a branch left open in
        // the header that can leave the loop (`while (v && b < 8)`; the header of a
        // do-while loop is its body's first block, whose branches may stay inside), or
        // one on an edge back to it when the header does not decide the exit itself.
        var roundsReadData = false
        // Whether a branch data decides goes back to the header, and whether the header's
        // own test, leaving the loop, was decided in every round.
        var dataBackEdge = false, headerDecidesExit = true
        func headerTestsExit(_ t: Terminator) -> Bool {
            if case .branch(_, _, _, _, let a, let b) = t { return a != b && (leavesLoop(a) || leavesLoop(b)) }
            return false
        }
        // Where the iterations' decided tests leave the loop, and where tests of a known
        // register against an unknown one do: when they leave to the same place, the
        // second test is a variable bound (`for (i = 0; i < 8; i++) { if (i >= n) break;`),
        // which clang folds into the loop's own test (`i < min(8, n)`) and keeps rolled.
        var countedExits: Set<BlockID> = [], boundExits: Set<BlockID> = []
        func leavesLoop(_ target: BlockID) -> Bool { !(index[target].map(loop.contains) ?? true) }
        // Whether the copies simplify: a branch inside the body that an iteration decides,
        // or a value the loop carries known where it meets memory or an unknown value
        // (`p + i`, `acc += i`, a slot at a known offset). A loop whose iterations know
        // nothing but their own count (the counter's increment and test) is only copied
        // by unrolling; clang keeps such loops rolled when the copies are larger, and the
        // verifier prunes a rolled loop's iterations against each other.
        let carried = Set(loop.flatMap { f.blocks[$0].instructions.flatMap(\.inst.definedRegs) })
        var simplifies = false
        func simplified(by inst: Inst, _ st: Walk.State) -> Bool {
            let used = inst.usedRegs
            guard used.contains(where: { carried.contains($0) && walk.known.value(.reg($0), in: st.values) != nil }) else { return false }
            return inst.touchesMemory || inst.hasSideEffects || used.contains { walk.known.value(.reg($0), in: st.values) == nil }
        }
        var out: [Block] = []
        var size = 0
        var known: [Bool] = []
        var headerState: Walk.State? = state
        var headerID = BlockID(nextID)
        nextID += 1
        var trips = 0
        while let entryState = headerState {
            trips += 1
            guard trips <= maxTrips else { return nil }
            var entry: [Int: Walk.State] = [h: entryState]
            var ids: [Int: BlockID] = [h: headerID]
            var backEdges: Walk.State? = nil
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
                for i in copy.instructions {
                    if !simplifies && simplified(by: i.inst, st) { simplifies = true }
                    walk.step(i.inst, &st)
                    known.append(knows(i.inst, walk, st))
                }
                size += copy.instructions.count
                guard size <= (trips <= foldedTrips ? foldedFactor : 1) * limit(trips) else { return nil }
                var taken: [BlockID] = copy.terminator.successors
                if b == h, !headerTestsExit(copy.terminator) || walk.known.decide(copy.terminator, in: st.values) == nil { headerDecidesExit = false }
                if case .branch(_, let l, let r, _, let t, let e) = copy.terminator, t != e {
                    if let goes = walk.known.decide(copy.terminator, in: st.values) {
                        taken = [goes ? t : e]
                        copy.terminator = .jump(taken[0])
                        if leavesLoop(taken[0]) { countedExits.insert(taken[0]) }
                        if !leavesLoop(t) && !leavesLoop(e) && index[t] != h && index[e] != h { simplifies = true }
                    } else if b == h && (leavesLoop(t) || leavesLoop(e)) {
                        roundsReadData = true
                    } else if index[t] == h || index[e] == h {
                        // Data decides whether the round goes on to the header — which
                        // goes round again only if its own test says so (a `continue` in
                        // a `while` loop), unless the header decides nothing.
                        dataBackEdge = true
                    } else if case .reg = r,
                              (walk.known.value(.reg(l), in: st.values) == nil) != (walk.known.value(r, in: st.values) == nil) {
                        // A known register (the counter) against an unknown one.
                        for x in [t, e] where leavesLoop(x) { boundExits.insert(x) }
                    }
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
        if !countedExits.isDisjoint(with: boundExits) || dataBackEdge && !headerDecidesExit { roundsReadData = true }
        if (roundsReadData || !simplifies) && size > loopSize { return nil }
        guard size > limit(trips) else { return out }
        return foldedSize(out, known: known, liveOut: usedOutside(f, loop: loop)) <= limit(trips) ? out : nil
    }

    /// How many times its budget the copies of a loop of at most `foldedTrips` rounds may
    /// hold: they are weighed by what is left of them once later passes have folded them
    /// (`foldedSize`), as clang's unroller weighs a loop of at most ten iterations by what
    /// is left of them once simplified (a longer one by its size times its trip count:
    /// a 32-round hash stays a loop).
    static let foldedFactor = 4
    /// Header entries (iterations and the exit) of a loop weighed by its folded copies.
    static let foldedTrips = 11

    /// Whether the walk knows the value `inst` defines (it folds to a constant).
    static func knows(_ inst: Inst, _ walk: Walk, _ state: Walk.State) -> Bool {
        guard !inst.hasSideEffects, let d = inst.singleDef else { return false }
        return walk.known.value(.reg(d), in: state.values) != nil
    }

    /// The size of unrolled copies (`known`: for each of their instructions in order,
    /// whether the walk knew its value) once constants are folded and what nothing reads
    /// is gone. Walking backwards (the copies are in an order where no edge goes back),
    /// an instruction counts when it has side effects (a store, a call), or when a
    /// register it defines is live and its value was not known; a branch left open and a
    /// return count. A load nothing reads goes. Where the copies leave, the registers
    /// read outside the loop (`liveOut`) are live. (Only the registers the copies define
    /// are ever asked: the others of `liveOut` are left out of the sets.)
    static func foldedSize(_ copies: [Block], known: [Bool], liveOut: Set<VReg>) -> Int {
        var defined = Set<VReg>()
        for b in copies { for i in b.instructions { i.inst.forEachDef { defined.insert($0) } } }
        let exitLive = liveOut.filter(defined.contains)
        var liveIn: [BlockID: Set<VReg>] = [:]
        var size = 0
        var k = known.count
        for b in copies.reversed() {
            var live = Set<VReg>()
            for s in b.terminator.successors { live.formUnion(liveIn[s] ?? exitLive) }
            let uses = b.terminator.usedRegs
            if !uses.isEmpty { size += 1; live.formUnion(uses.filter(defined.contains)) }
            for i in b.instructions.reversed() {
                k -= 1
                let inst = i.inst
                let defs = inst.definedRegs
                if inst.hasSideEffects || (!known[k] && defs.contains(where: live.contains)) {
                    size += 1
                    live.subtract(defs)
                    inst.forEachUse { if defined.contains($0) { live.insert($0) } }
                } else if known[k] {
                    live.subtract(defs)
                }
            }
            liveIn[b.id] = live
        }
        return size
    }

    /// The registers read outside `loop`.
    static func usedOutside(_ f: Function, loop: Set<Int>) -> Set<VReg> {
        var used = Set<VReg>()
        for (k, b) in f.blocks.enumerated() where !loop.contains(k) {
            for i in b.instructions { used.formUnion(i.inst.usedRegs) }
            used.formUnion(b.terminator.usedRegs)
        }
        return used
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
    static func trace(_ f: Function, from h: Int, loop: Set<Int>, state: Walk.State,
                      walk: Walk, index: BlockIndex) -> Block? {
        var state = state
        var out = Block(id: BlockID(0))
        var cur = h, trips = 0
        var comparesAddresses = false
        var known: [Bool] = []
        func fits() -> Bool {
            let budget = comparesAddresses ? maxInstructions : countedBudget
            guard out.instructions.count > budget else { return true }
            return trips <= foldedTrips && foldedSize([out], known: known, liveOut: usedOutside(f, loop: loop)) <= budget
        }
        while true {
            if cur == h { trips += 1; if trips > maxTrips { return nil } }
            let b = f.blocks[cur]
            for i in b.instructions {
                out.instructions.append(i)
                walk.step(i.inst, &state)
                known.append(knows(i.inst, walk, state))
            }
            if out.instructions.count > (trips <= foldedTrips ? foldedFactor : 1) * maxInstructions { return nil }
            out.terminatorLocation = b.terminatorLocation
            let next: BlockID
            switch b.terminator {
            case .jump(let t): next = t
            case .branch(_, let l, let r, _, let t, let e):
                guard let taken = walk.known.decide(b.terminator, in: state.values) else { return nil }
                if case .slot? = walk.known.value(.reg(l), in: state.values), case .slot? = walk.known.value(r, in: state.values) {
                    comparesAddresses = true
                }
                next = taken ? t : e
            case .ret, .unreachable:
                out.terminator = b.terminator
                return fits() ? out : nil
            }
            guard let n = index[next] else { return nil }
            if !loop.contains(n) { out.terminator = .jump(next); return fits() ? out : nil }
            cur = n
        }
    }

    /// How a walk through a loop learns values: `KnownValues`' steps, and the bytes a load
    /// of read-only data at a known address reads (`prefix[i]` of a string literal once `i`
    /// is known, which decides `if (!prefix[i]) return 1;`).
    struct Walk {
        let known: KnownValues
        let memory: ReadOnlyMemory
        let bigEndian: Bool

        struct State: Equatable {
            var values: [VReg: KnownValue]
            var addresses: ReadOnlyMemory.Addresses

            func agreeing(with other: State) -> State {
                State(values: values.agreeing(with: other.values), addresses: addresses.agreeing(with: other.addresses))
            }
        }

        func step(_ inst: Inst, _ s: inout State) {
            let before = s.values
            let loaded = memory.isEmpty ? nil : s.addresses.step(inst, in: memory, bigEndian: bigEndian) { known.value($0, in: before) }
            known.step(inst, &s.values)
            if let v = loaded, let d = inst.singleDef { s.values[d] = .int(v) }
        }
    }

    /// Blocks that are targets of a retreating edge of a depth-first walk from the entry.
    public static func loopHeaders(_ f: Function) -> [Int] { f.depthFirst.loopHeaders.sorted() }
}
