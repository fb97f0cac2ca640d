/// A diamond choosing a value (`v = c ? a : b`, two arms of arithmetic joining in J)
/// whose results are read only below one edge of the branch that ends J, where J calls
/// (`p = bpf_map_lookup_elem(...); if (p) *p += v`), moves below that edge: the value is
/// chosen where it is used, as clang sinks a `select` into the block of its only use.
///
/// For the verifier, the diamond before the call splits every walk reaching the call in
/// two, the path where the call's result fails its test included; below the edge only
/// the walks that go on to use the value split. (Where nothing makes the chosen value
/// precise, the verifier's pruning joins the two walks after the diamond anyway: the
/// gain is small — `lang_arm_truth_calls.c` −1.8 % — and `lang_choice_after_lookup.c`
/// walks 16 instructions more.) The registers the arms read and the one the branch
/// tests then live across the call instead of the chosen value.
///
/// Only arms of pure arithmetic and copies (no load, store or call), whose registers no
/// instruction of J reads but copies to registers read only below the edge (which move
/// too), and none of which lives into J's other successor; the edge's block has J as its
/// only predecessor; nothing in J writes a register the arms or the branch read; and no
/// more registers live across the call than before (those the arms and the branch read
/// that nothing below J needed already, against the results that no longer cross it:
/// moving regardless measured as more instructions in five programs of the corpus, and
/// more verifier work in three, `lang_unsigned_divmod.c` the most).
public enum DiamondSinking {
    public static func run(_ f: Function) -> Function {
        guard f.blocks.count >= 5, f.blocks.contains(where: hasCall) else { return f }
        var f = f
        // One diamond at a time: each move changes the blocks' edges.
        for _ in 0..<8 {
            guard let g = sinkOne(f) else { break }
            f = g
        }
        return f
    }

    /// `f` with one diamond moved, or nil when none can be.
    static func sinkOne(_ f: Function) -> Function? {
        let (succs, preds) = f.flowGraph
        var liveness: Liveness? = nil
        for e in f.blocks.indices {
            guard case .branch(let cc, let l, let r, let w, let tID, let eID) = f.blocks[e].terminator, succs[e].count == 2 else { continue }
            let a = succs[e][0], b = succs[e][1]
            guard a != b, preds[a] == [e], preds[b] == [e], isArm(f.blocks[a]), isArm(f.blocks[b]),
                  case .jump(let jID) = f.blocks[a].terminator, f.blocks[b].terminator == .jump(jID),
                  let j = succs[a].first, j != e, Set(preds[j]) == [a, b],
                  case .branch = f.blocks[j].terminator, succs[j].count == 2,
                  hasCall(f.blocks[j])
            else { continue }
            // What the arms define (the diamond's results and their temporaries).
            let defined = Set((f.blocks[a].instructions + f.blocks[b].instructions).flatMap { $0.inst.definedRegs })
            guard !defined.isEmpty else { continue }
            // What the arms and the branch read is not written in J.
            var read = Set<VReg>([l])
            if case .reg(let x) = r { read.insert(x) }
            for arm in [a, b] { for i in f.blocks[arm].instructions { i.inst.forEachUse { if !defined.contains($0) { read.insert($0) } } } }
            let writtenInJ = Set(f.blocks[j].instructions.flatMap { $0.inst.definedRegs })
            guard writtenInJ.isDisjoint(with: read), writtenInJ.isDisjoint(with: defined) else { continue }
            // J reads the results only in copies, which move along.
            var moved = defined, copies: [Int] = [], blocked = false
            for (k, i) in f.blocks[j].instructions.enumerated() {
                if case .mov(let d, .reg(let s), .w64) = i.inst, moved.contains(s), !read.contains(d) {
                    copies.append(k)
                    moved.insert(d)
                    continue
                }
                i.inst.forEachUse { if moved.contains($0) { blocked = true } }
                i.inst.forEachDef { if moved.contains($0) { blocked = true } }
            }
            if blocked || f.blocks[j].terminator.usedRegs.contains(where: moved.contains) { continue }
            if liveness == nil { liveness = Liveness(f) }
            // The edge whose block reads them; the other successor does not.
            let readers = succs[j].filter { s in moved.contains { liveness!.liveIn[s].contains($0) } }
            guard readers.count == 1, let s = readers.first, s != 0, preds[s] == [j], s != e, s != a, s != b else { continue }
            // No more registers live across the call than before: what the arms and the
            // branch read that J's successors did not already need, against the results
            // that no longer cross it (else the move costs spills or callee-saved moves).
            let acrossBefore = succs[j].reduce(into: Set<VReg>()) { out, x in for v in read where liveness!.liveIn[x].contains(v) { out.insert(v) } }
            let newlyAcross = read.subtracting(acrossBefore).count
            let noLongerAcross = moved.filter { v in liveness!.liveIn[s].contains(v) }.count
            guard newlyAcross <= noLongerAcross else { continue }
            return sink(f, entry: e, arms: (a, b), join: j, into: s, copies: copies,
                        branch: .branch(cc, lhs: l, rhs: r, width: w, then: tID, else: eID))
        }
        return nil
    }

    static func hasCall(_ b: Block) -> Bool {
        b.instructions.contains { if case .call = $0.inst { return true }; return false }
    }

    /// Whether a block is an arm that may move: arithmetic and copies only.
    static func isArm(_ b: Block) -> Bool {
        guard case .jump = b.terminator else { return false }
        return b.instructions.allSatisfy { i in
            switch i.inst {
            case .mov, .binary, .neg, .ext, .bswap, .loadImm64: return true
            default: return false
            }
        }
    }

    static func sink(_ f: Function, entry e: Int, arms: (Int, Int), join j: Int, into s: Int, copies: [Int],
                     branch: Terminator) -> Function {
        var f = f
        let sID = f.blocks[s].id, jID = f.blocks[j].id
        let choice = f.unusedBlockID
        // The entry goes straight to J; J's edge to `s` goes to the branch, whose arms
        // join in `s`, which starts with the copies J made.
        f.blocks[e].terminator = .jump(jID)
        let moved = copies.map { f.blocks[j].instructions[$0] }
        for k in copies.reversed() { f.blocks[j].instructions.remove(at: k) }
        f.blocks[j].terminator = f.blocks[j].terminator.mappingTargets { $0 == sID ? choice : $0 }
        for arm in [arms.0, arms.1] { f.blocks[arm].terminator = .jump(sID) }
        f.blocks[s].instructions.insert(contentsOf: moved, at: 0)
        var chooser = Block(id: choice, instructions: [], terminator: branch)
        chooser.terminatorLocation = f.blocks[e].terminatorLocation
        // The branch and its arms laid out right before `s` (left where they were, the
        // arms would each jump back and forth).
        let armBlocks = [f.blocks[arms.0], f.blocks[arms.1]]
        f.blocks.removeAll { $0.id == armBlocks[0].id || $0.id == armBlocks[1].id }
        let at = f.blocks.firstIndex { $0.id == sID }!
        f.blocks.insert(contentsOf: [chooser] + armBlocks, at: at)
        return f
    }
}
