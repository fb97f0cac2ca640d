/// Loop-invariant code motion: arithmetic a loop computes from values the loop does not
/// change moves to a block entered once before it (the preheader), as clang's LICM does,
/// and so do whole truth values: a branch on such values with the short arms that copy 0
/// or 1 (`(a >= b) > (c || d)`, a diamond per comparison in our IR) moves out as a
/// region of blocks.
///
/// For the verifier this is more than saving instructions per round: it walks a bounded
/// loop round by round, and a comparison of two registers inside the loop narrows their
/// ranges differently on each side, every round, so the states reaching the next round
/// stop matching and the walk multiplies (40 rounds adding such a truth value: 21,906
/// instructions processed; 228 with the comparison before the loop).
///
/// What moves keeps the verifier's view:
/// - only arithmetic and copies, a global's address and the loads at constant offsets
///   from it when nothing in the loop may write that global (no call or assembly, no
///   store but to the frame and at constant offsets from other globals' addresses: a
///   volatile load has its barriers), and loads of a stack slot the
///   loop cannot write; single instructions only out of loops that make no call (a
///   value kept across a call takes one of the four registers calls preserve, or a stack
///   slot: worth it for a truth value's branches, below, not for an instruction). A
///   global's bytes are always there to read, so the load may run before a loop that
///   goes round no time; a slot's may be unwritten there, so its load moves only from a
///   block that runs whenever the loop is entered, or of bytes written before it;
/// - nothing that reads a register a branch left in the loop tests (or a copy of one)
///   before it in the same round: below that test the verifier knows its outcome (a
///   pointer checked for NULL, an index checked against a bound), above it not. A test
///   later in the round narrows the register only for later rounds, and the first round
///   already reads it unnarrowed;
/// - nothing whose result a branch left in the loop tests: recomputed each round, the
///   narrowed result is dropped at the next round; kept across rounds, each narrowing
///   would be a state of its own;
/// - every register a moved instruction defines is defined nowhere else and holds no
///   value into the loop's header.
/// A region's arms run before the loop whichever way its branch goes, as arithmetic on
/// numbers may (eBPF's division by zero gives zero).
///
/// A region may also start in a block not run every round (an arm of `c ? (a && b) : d`)
/// and leave a loop that calls (a helper in every round), as clang's LICM speculates
/// compare-and-select out of such loops; its value then lives across the loop, in a
/// register calls preserve or a stack slot. There the verifier gains only when what the
/// region tests is not tested otherwise in the loop (narrowed before the loop, `b == 0`
/// is one fork for the whole loop instead of one per round; tested again in the loop, the
/// narrowing keeps the walks apart), so such a region moves only when its branches test
/// equality with constants (`a != 0`, what `&&` and `||` make; an ordering test would
/// split a range once for the whole loop where the arm split only the rounds reaching
/// it: random seed 60463, 52,342 → 105,684 verified) and nothing else in the loop tests
/// what they read (but the same comparison, in copies of the region, which
/// `RegionNumbering` then shares). A
/// load of a stack slot moves from such a block when every path into the loop has
/// written the bytes it reads (`UnwrittenSlotBytes`).
public enum LoopInvariantHoisting {
    /// A region of blocks moved as one: at most this many blocks and instructions.
    static let maxRegionBlocks = 8, maxRegionInstructions = 24
    /// Changes per function (a batch of instructions, a region, a block split), so the pass ends.
    static let maxMoves = 32

    public static func run(_ f: Function) -> Function {
        guard !f.depthFirst.loopHeaders.isEmpty else { return f }
        var f = f, moves = 0
        search: while moves < maxMoves {
            let (succs, preds) = f.flowGraph
            let dominators = Dominators(f, predecessors: preds)
            let loops = f.depthFirst.loopHeaders
                .map { (header: $0, blocks: Loops.natural(header: $0, succs: succs, preds: preds, dominators: dominators)) }
                .sorted { $0.blocks.count < $1.blocks.count || $0.blocks.count == $1.blocks.count && $0.header < $1.header }
            for loop in loops where isReducible(loop.header, loop.blocks, preds: preds, dominators: dominators) {
                let facts = LoopFacts(f, header: loop.header, loop: loop.blocks, succs: succs, preds: preds, dominators: dominators)
                if !facts.calls && hoistInstructions(&f, facts) || hoistRegion(&f, facts, succs: succs, preds: preds) {
                    moves += 1
                    continue search
                }
            }
            break
        }
        return f
    }

    /// Whether the loop is entered at its header only and the header dominates its blocks
    /// (a loop threading enters below its test is left alone).
    static func isReducible(_ h: Int, _ loop: Set<Int>, preds: [[Int]], dominators: Dominators) -> Bool {
        loop.allSatisfy { b in dominators.dominates(h, b) && (b == h || preds[b].allSatisfy { loop.contains($0) }) }
    }

    /// What moving code out of one loop needs to know about it.
    struct LoopFacts {
        let header: Int
        let loop: Set<Int>
        /// Registers the loop's instructions define (less those already chosen to move).
        var definedInLoop: RegSet
        /// Each register the loop's branches test (by the register it copies) and the
        /// blocks testing it.
        let testedBy: [VReg: [Int]]
        /// For each testing block, the loop's blocks it leads to before the header.
        let reachedFrom: [Int: Set<Int>]
        let defs: RegCounts
        let copies: CopyRoots
        let liveIntoHeader: RegSet
        /// Registers some path from the function's entry reads before writing (a variable
        /// set on one side of an `if` before the loop): read in the preheader, on the
        /// path that leaves the loop before the round would read them, they would be read
        /// unwritten, which the verifier refuses.
        let maybeUnwritten: RegSet
        /// The blocks that run on every round (they dominate each latch).
        let everyRound: Set<Int>
        /// Registers written once with the address of a global the loop does not write
        /// (loads through them keep their value from round to round).
        let readOnlyGlobals: RegSet
        /// The stack slots nothing in the loop may write (not volatile).
        let unchangedSlots: Set<Int>
        /// The loop's blocks that run whenever the loop is entered (they dominate every
        /// block leaving it): a load there moved before the loop reads nothing the loop
        /// would not have read (a slot the loop never reaches may be unwritten there).
        let runOnEntry: Set<Int>
        /// The slot bytes some path into the loop leaves unwritten (when `unchangedSlots`
        /// holds any): a load of others may move before the loop from any block.
        let unwrittenBytes: UnwrittenSlotBytes?
        /// Whether the loop calls a function or runs inline assembly.
        let calls: Bool

        init(_ f: Function, header h: Int, loop: Set<Int>, succs: [[Int]], preds: [[Int]], dominators: Dominators) {
            header = h
            self.loop = loop
            calls = f.calls(in: loop)
            let (_, defs) = f.useDefCounts()
            self.defs = defs
            let copies = CopyRoots(f)
            self.copies = copies
            let liveness = Liveness(f)
            liveIntoHeader = liveness.liveIn[h]
            var unwritten = liveness.liveIn[0]
            for p in f.parameters { unwritten.remove(p) }
            maybeUnwritten = unwritten
            let latches = preds[h].filter { loop.contains($0) }
            everyRound = loop.filter { b in latches.allSatisfy { dominators.dominates(b, $0) } }
            var defined = RegSet(capacity: f.nextVReg)
            var tested: [VReg: [Int]] = [:], reached: [Int: Set<Int>] = [:]
            for b in loop {
                for i in f.blocks[b].instructions { i.inst.forEachDef { defined.insert($0) } }
                guard case .branch = f.blocks[b].terminator else { continue }
                f.blocks[b].terminator.forEachUse { tested[copies.root($0), default: []].append(b) }
                var seen = Set<Int>(), work = succs[b]
                while let x = work.popLast() {
                    guard x != h, loop.contains(x), seen.insert(x).inserted else { continue }
                    work += succs[x]
                }
                reached[b] = seen
            }
            definedInLoop = defined
            testedBy = tested
            reachedFrom = reached
            // What the loop leaves of memory, worked out only for a loop that loads.
            var globals = RegSet(capacity: f.nextVReg), slots = Set<Int>()
            if loop.contains(where: { b in f.blocks[b].instructions.contains { if case .load = $0.inst { return true }; return false } }) {
                let kinds = MemoryKinds(f)
                var symbolOf: [VReg: Int32] = [:]
                f.forEachInstruction { _, inst in
                    if case .symbolAddr(let d, let sym) = inst, defs[d] == 1 { symbolOf[d] = sym.nameNumber }
                }
                // The globals the loop writes, by name (a store at a constant offset from
                // one's address stays inside it, as C keeps it); nil when it may write any.
                var written: Set<Int32>? = []
                scanWrites: for b in loop {
                    for i in f.blocks[b].instructions {
                        switch i.inst {
                        case .store(.reg(let r), _, _, _), .atomic(_, .reg(let r), _, _, _, _), .cmpxchg(_, .reg(let r), _, _, _, _):
                            if kinds.frameRegisters.contains(r) { continue }
                            guard let g = symbolOf[r] else { written = nil; break scanWrites }
                            written?.insert(g)
                        default:
                            if kinds.writes(i.inst, kind: MemoryKinds.other) || kinds.writes(i.inst, kind: MemoryKinds.context) {
                                written = nil; break scanWrites
                            }
                        }
                    }
                }
                if let written = written {
                    for (d, g) in symbolOf where !written.contains(g) { globals.insert(d) }
                }
                slots = Set(f.slots.indices.filter { !f.slots[$0].isVolatile })
                scan: for b in loop {
                    for i in f.blocks[b].instructions where kinds.writes(i.inst, kind: MemoryKinds.frame) {
                        guard let written = kinds.slotsWritten(i.inst) else { slots = []; break scan }
                        slots.subtract(written)
                    }
                }
            }
            readOnlyGlobals = globals
            unchangedSlots = slots
            let exiting = loop.filter { b in succs[b].contains { !loop.contains($0) } }
            runOnEntry = slots.isEmpty ? [] : loop.filter { b in exiting.allSatisfy { dominators.dominates(b, $0) } }
            unwrittenBytes = slots.isEmpty ? nil : UnwrittenSlotBytes(f)
        }

        /// Whether a branch of the loop outside `region` tests `v`.
        func isTested(_ v: VReg, outside region: Set<Int> = []) -> Bool {
            testedBy[copies.root(v)]?.contains { !region.contains($0) } ?? false
        }

        /// Whether a branch outside `region` tests `v` on the way to one of `blocks` in
        /// the same round.
        func isNarrowed(_ v: VReg, before blocks: Set<Int>, outside region: Set<Int> = []) -> Bool {
            testedBy[copies.root(v)]?.contains { t in !region.contains(t) && !reachedFrom[t, default: []].isDisjoint(with: blocks) } ?? false
        }

        /// Whether `inst` loads from a global the loop leaves alone, or makes the address
        /// of one for such loads (then read like any other operand).
        func isGlobalLoad(_ inst: Inst) -> Bool {
            switch inst {
            case .load(_, .reg(let base), _, _, _): return readOnlyGlobals.contains(base)
            case .symbolAddr(let d, _): return readOnlyGlobals.contains(d)
            default: return false
            }
        }

        /// Whether `inst`, in block `b`, loads from a stack slot the loop leaves alone, in a
        /// block that runs whenever the loop is entered or bytes every path into the loop
        /// has written.
        func isUnchangedSlotLoad(_ inst: Inst, in b: Int) -> Bool {
            guard case .load(_, .slot(let s), let offset, let width, _) = inst, unchangedSlots.contains(s) else { return false }
            return runOnEntry.contains(b) || unwrittenBytes?.written(slot: s, offset: offset, width: width, atStartOf: header) == true
        }

        /// Whether `u` keeps one value through the loop and reaches `blocks` unnarrowed.
        func isInvariant(_ u: VReg, at blocks: Set<Int>) -> Bool {
            !definedInLoop.contains(u) && !maybeUnwritten.contains(u) && !isNarrowed(u, before: blocks)
        }
    }

    /// Moves every invariant computation of the loop to its preheader, in the order the
    /// loop computes them. False when there is none.
    static func hoistInstructions(_ f: inout Function, _ facts: LoopFacts) -> Bool {
        var facts = facts
        var moved: [BlockID: Set<Int>] = [:]
        var instructions: [Instruction] = []
        for b in f.reversePostOrder() where facts.everyRound.contains(b) {
            for (k, i) in f.blocks[b].instructions.enumerated() {
                guard i.inst.isArithmetic || facts.isGlobalLoad(i.inst) || facts.isUnchangedSlotLoad(i.inst, in: b), let d = i.inst.singleDef, facts.defs[d] == 1, !facts.liveIntoHeader.contains(d),
                      !facts.isTested(d) else { continue }
                var invariant = true
                i.inst.forEachUse { u in if u == d || !facts.isInvariant(u, at: [b]) { invariant = false } }
                guard invariant else { continue }
                facts.definedInLoop.remove(d)
                moved[f.blocks[b].id, default: []].insert(k)
                instructions.append(i)
            }
        }
        guard !instructions.isEmpty else { return false }
        let pre = preheader(&f, header: facts.header, loop: facts.loop)
        f.blocks[pre].instructions += instructions
        for b in f.blocks.indices {
            guard let ks = moved[f.blocks[b].id] else { continue }
            f.blocks[b].instructions = f.blocks[b].instructions.enumerated().filter { !ks.contains($0.offset) }.map(\.element)
        }
        return true
    }

    /// Moves one region of the loop out: blocks entered at one block E and left to one
    /// block J, computing from invariant registers only, defining registers nothing else
    /// defines and nothing reads before they are defined. The preheader then goes through
    /// the region into the loop, and the loop's edges into E go to J instead. A region
    /// starting inside a block (`x = 1; if (a < b)` after the round's own work) first
    /// becomes a block of its own.
    static func hoistRegion(_ f: inout Function, _ facts: LoopFacts, succs: [[Int]], preds: [[Int]]) -> Bool {
        let h = facts.header
        for e in f.reversePostOrder() where facts.loop.contains(e) {
            guard case .branch = f.blocks[e].terminator else { continue }
            let g = f
            guard let (start, region, exit) = (0...g.blocks[e].instructions.count).lazy
                    .compactMap({ k in region(from: e, skipping: k, f: g, facts: facts, succs: succs, preds: preds,
                                              cautious: facts.calls || !facts.everyRound.contains(e)).map { (k, $0.0, $0.1) } })
                    .first
            else { continue }
            if start > 0 {
                let id = f.unusedBlockID
                let tail = Block(id: id, instructions: Array(f.blocks[e].instructions[start...]), terminator: f.blocks[e].terminator,
                                 terminatorLocation: f.blocks[e].terminatorLocation)
                f.blocks[e].instructions.removeSubrange(start...)
                f.blocks[e].terminator = .jump(id)
                f.blocks.insert(tail, at: e + 1)
                return true
            }
            let entryID = f.blocks[e].id, exitID = f.blocks[exit].id, headerID = f.blocks[h].id
            // The loop's edges into the region now skip it.
            for p in preds[e] where facts.loop.contains(p) { FullUnrolling.retarget(&f.blocks[p], from: entryID, to: exitID) }
            // A region starting the loop is where the loop is entered already: the loop
            // now starts at its exit.
            if e == h { return true }
            let ids = Set(region.map { f.blocks[$0].id })
            let pre = f.blocks[preheader(&f, header: h, loop: facts.loop)].id
            var moving: [Block] = [], rest: [Block] = []
            for var b in f.blocks {
                if ids.contains(b.id) {
                    b.terminator = b.terminator.mappingTargets { $0 == exitID ? headerID : $0 }
                    if b.id == entryID { moving.insert(b, at: 0) } else { moving.append(b) }
                } else {
                    if b.id == pre { b.terminator = b.terminator.mappingTargets { $0 == headerID ? entryID : $0 } }
                    rest.append(b)
                }
            }
            rest.insert(contentsOf: moving, at: rest.firstIndex { $0.id == pre }! + 1)
            f.blocks = rest
            return true
        }
        return false
    }

    /// The region entered at `e` (without its first `skipping` instructions): blocks all
    /// of whose predecessors are in it, computing only from invariant registers, ones the
    /// region defines before, the loads of globals the loop leaves alone (`g > 0` as a
    /// truth value: the load is tested by the region's own branch) and, when `e` runs
    /// whenever the loop is entered, of stack slots the loop leaves alone (`g && x` of a
    /// local `x` in memory: before the loop the region loads it on the paths the first
    /// round would), or wherever `e` is, of slot bytes every path into the loop wrote.
    /// It grows from `e` a block at a time; the largest of the regions met
    /// on the way that are left to one block only and move as they are is the one: a
    /// block merging the region's value with another arm's ends it before that block,
    /// and the size limits end growth, not the search. `cautious` (a loop that calls, an
    /// entry not run every round): only equality tests with constants, of registers no
    /// other branch of the loop tests.
    static func region(from e: Int, skipping: Int, f: Function, facts: LoopFacts,
                       succs: [[Int]], preds: [[Int]], cautious: Bool) -> (Set<Int>, Int)? {
        var defined = RegSet(capacity: f.nextVReg)
        // Whether block `b` (from instruction `first`) computes from invariant registers
        // only (its definitions then count as the region's).
        func admits(_ b: Int, from first: Int = 0) -> Bool {
            var scratch = defined, ok = true
            func read(_ u: VReg) { if !scratch.contains(u) && (facts.definedInLoop.contains(u) || facts.maybeUnwritten.contains(u)) { ok = false } }
            for i in f.blocks[b].instructions[first...] {
                guard i.inst.isArithmeticOrCopy || facts.isGlobalLoad(i.inst) || facts.isUnchangedSlotLoad(i.inst, in: e) else { return false }
                i.inst.forEachUse(read)
                i.inst.forEachDef { scratch.insert($0) }
            }
            f.blocks[b].terminator.forEachUse(read)
            if ok { defined = scratch }
            return ok
        }
        guard admits(e, from: skipping) else { return nil }
        // The blocks in the order they joined; the lengths of the orders' prefixes that
        // are left to one block of the loop (not `e`), with that block.
        var order = [e], region: Set<Int> = [e], closed: [(count: Int, exit: Int)] = []
        var instructions = f.blocks[e].instructions.count - skipping
        var next = 0
        growth: while next < order.count {
            let b = order[next]
            next += 1
            for s in succs[b] where !region.contains(s) && s != facts.header && facts.loop.contains(s)
                && preds[s].allSatisfy({ region.contains($0) }) {
                guard region.count < maxRegionBlocks, instructions + f.blocks[s].instructions.count <= maxRegionInstructions else { break growth }
                guard admits(s) else { continue }
                instructions += f.blocks[s].instructions.count
                region.insert(s)
                order.append(s)
                let exits = Set(region.flatMap { succs[$0] }.filter { !region.contains($0) })
                if exits.count == 1, let exit = exits.first, exit != e, facts.loop.contains(exit) {
                    closed.append((order.count, exit))
                }
            }
        }
        // A branch's comparison, whatever its targets.
        func comparison(_ b: Int) -> Terminator? {
            guard case .branch(let cc, let l, let r, let w, _, _) = f.blocks[b].terminator else { return nil }
            return .branch(cc, lhs: l, rhs: r, width: w, then: BlockID(0), else: BlockID(1))
        }
        for (count, exit) in closed.reversed() {
            let region = Set(order[..<count])
            guard !region.contains(where: { succs[$0].contains(e) }) else { continue }
            // What the region defines is defined nowhere else, read by nothing before it
            // and tested by no branch left in the loop; what it reads, no branch left in
            // the loop narrows before it.
            var definitions: [VReg: Int] = [:]
            // (Tests of the same comparison elsewhere are copies of the region, which
            // RegionNumbering makes copies of its value once it has moved.)
            let comparisons = Set(region.compactMap(comparison))
            func testedElsewhere(_ u: VReg) -> Bool {
                facts.testedBy[facts.copies.root(u)]?.contains { t in !region.contains(t) && !comparisons.contains(comparison(t)!) } ?? false
            }
            var narrowed = false
            func read(_ u: VReg) {
                if !defined.contains(u) && (facts.isNarrowed(u, before: region, outside: region) || cautious && testedElsewhere(u)) { narrowed = true }
            }
            for b in region {
                for i in f.blocks[b].instructions[(b == e ? skipping : 0)...] {
                    i.inst.forEachDef { definitions[$0, default: 0] += 1 }
                    i.inst.forEachUse(read)
                }
                f.blocks[b].terminator.forEachUse(read)
            }
            guard !narrowed else { continue }
            if cautious && region.contains(where: { b in !testsEqualityWithAConstant(f.blocks[b].terminator) }) { continue }
            if definitions.contains(where: { facts.defs[$0.key] != $0.value || facts.liveIntoHeader.contains($0.key)
                                             || facts.isTested($0.key, outside: region) }) { continue }
            return (region, exit)
        }
        return nil
    }

    /// Whether `t` tests at most equality with a constant: no branch, or `==` or `!=`
    /// against an immediate.
    static func testsEqualityWithAConstant(_ t: Terminator) -> Bool {
        guard case .branch(let cc, _, let rhs, _, _, _) = t else { return true }
        if case .imm = rhs { return cc == .eq || cc == .ne }
        return false
    }

    /// The position of the loop's preheader: the single block outside the loop that
    /// enters it and goes nowhere else, made (just before the header) when there is none.
    static func preheader(_ f: inout Function, header h: Int, loop: Set<Int>) -> Int {
        let (succs, preds) = f.flowGraph
        let outside = preds[h].filter { !loop.contains($0) }
        if outside.count == 1, let p = outside.first, succs[p] == [h], case .jump = f.blocks[p].terminator { return p }
        let headerID = f.blocks[h].id
        let id = f.unusedBlockID
        for p in outside { FullUnrolling.retarget(&f.blocks[p], from: headerID, to: id) }
        f.blocks.insert(Block(id: id, terminator: .jump(headerID)), at: h)
        return h
    }
}
