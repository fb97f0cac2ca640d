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
        for h in headers {
            let loop = stronglyConnected(h, succs: succs, preds: preds)
            let hid = f.blocks[h].id
            for p in Set(preds[h]).sorted() where !loop.contains(p) && g.blocks[p].terminator.successors.contains(hid) {
                var state = known.entry[p]
                for i in f.blocks[p].instructions { known.step(i.inst, &state) }
                guard let path = trace(f, from: h, loop: loop, state: state, known: known, index: index) else { continue }
                if liveness == nil { liveness = Liveness(f) }
                var b = renamed(path, in: &g, liveAtExit: { r in
                    guard case .jump(let t) = path.terminator, let j = index[t] else { return false }
                    return liveness!.liveIn[j].contains(r)
                })
                b.id = BlockID(nextID)
                nextID += 1
                switch g.blocks[p].terminator {
                case .jump: g.blocks[p].terminator = .jump(b.id)
                case .branch(let cc, let l, let r, let w, let t, let e):
                    g.blocks[p].terminator = .branch(cc, lhs: l, rhs: r, width: w,
                                                     then: t == hid ? b.id : t, else: e == hid ? b.id : e)
                default: continue
                }
                g.blocks.append(b)
                changed = true
            }
        }
        return changed ? g : nil
    }

    /// The traced block with every definition given a register of its own (so each
    /// unrolled iteration's values are defined once, as the other passes like them);
    /// registers still live where the loop is left get their last value back.
    static func renamed(_ path: Block, in f: inout Function, liveAtExit: (VReg) -> Bool) -> Block {
        var b = path
        var current: [VReg: VReg] = [:]
        for k in b.instructions.indices {
            var inst = b.instructions[k].inst
            for u in Set(inst.usedRegs) { if let n = current[u] { inst = inst.replacingUses(of: u, with: n) } }
            for d in Set(inst.definedRegs) {
                let n = f.newVReg()
                inst = inst.replacingDefs(of: d, with: n)
                current[d] = n
            }
            b.instructions[k].inst = inst
        }
        for u in Set(b.terminator.usedRegs) { if let n = current[u] { b.terminator = b.terminator.replacingUses(of: u, with: n) } }
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

    /// The blocks on a cycle through `h`: reachable from it and reaching it.
    static func stronglyConnected(_ h: Int, succs: [[Int]], preds: [[Int]]) -> Set<Int> {
        var forward: Set<Int> = [h], work = [h]
        while let b = work.popLast() {
            for j in succs[b] where forward.insert(j).inserted { work.append(j) }
        }
        var backward: Set<Int> = [h]
        work = [h]
        while let b = work.popLast() {
            for p in preds[b] where forward.contains(p) && backward.insert(p).inserted { work.append(p) }
        }
        return backward
    }
}
