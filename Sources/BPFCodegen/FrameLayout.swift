import BPFIR

/// r10-relative offsets of a function's stack slots (including spill slots). Slots no
/// instruction refers to any more (promoted to registers, or dead) take no space, and
/// slots that are never in use at the same time share their bytes (stack colouring, as
/// clang does): two map keys filled for two different helper calls use one place.
///
/// A slot the program loads from starts at an 8-byte boundary: the verifier remembers
/// what a store put in the stack, to give it back on the load, only for stores at an
/// offset from r10 that is a multiple of 8 (Linux 6.18, `check_stack_write_fixed_off`);
/// a loop counter kept at r10-4 (its address a map key) came back unbounded, and the
/// loop was rejected ("the sequence of 8193 jumps is too complex") where clang's build,
/// with the counter at r10-8, loads.
///
/// Slots a `bpf_probe_read`-family helper fills keep bytes of their own when the frame
/// still fits: the verifier's stack liveness (Linux 6.18) does not count a helper's write
/// as a write, so bytes a helper fills and the program then reads are live, for pruning,
/// back to their last 8-byte store — sharing them would make what another slot left
/// there part of every state comparison on the way (two inlined path walks in a row:
/// the second walked once per way out of the first).
struct FrameLayout {
    var offsets: [Int]       // negative offsets from r10, one per slot
    var size: Int
    /// Offsets of the places a `bpf_probe_read`-family helper fills for some slot there.
    var filledPlaces: Set<Int> = []
    /// Padded integers (`StackSlot.paddedScalar`) given their 8 bytes: those stored whole
    /// from a register or filled by a helper (the others' stores stay narrow: a constant
    /// key at its own size may sit at an offset the verifier tracks no value at, as
    /// clang's, random seed 78101: 105,249 walked so, 888,552 padded), and none in a
    /// frame that fits only with them at their own size.
    var paddedSlots: Set<Int> = []

    static let limit = 512

    /// The frame of `f`: helper-filled slots kept apart while the frame fits in `budget`
    /// bytes, then shared, then plain slots shared by liveness. A function whose callers'
    /// and callees' frames leave it less than the whole limit gets a smaller budget
    /// (`CallChainFrames`). Last, padded integers take only their own size (falco's
    /// `recvmmsg.bpf.c`, whose three frames fit the chain's 512 bytes only so).
    init(_ f: Function, budget: Int = limit) {
        let spans = SlotSpans(f)
        self.init(f, spans, keepingHelperFilledApart: true)
        if size > budget { self.init(f, spans, keepingHelperFilledApart: false) }
        guard size > budget else { return }
        let live = SlotInterference(f)
        self.init(f, spans, keepingHelperFilledApart: false, byLiveness: live)
        guard size > budget else { return }
        let regions = SlotRegions(f, spans)
        self.init(f, spans, keepingHelperFilledApart: false, byLiveness: live, byRegions: regions)
        if size > budget { self.init(f, spans, keepingHelperFilledApart: false, byLiveness: live, byRegions: regions, padding: false) }
    }

    /// `byLiveness`: where the frame does not fit otherwise, plain 8-byte slots (spill
    /// slots above all) share places among themselves by liveness instead of spans.
    ///
    /// `byRegions`: where the frame does not fit even so, the other slots that may share
    /// share places by the regions of the flow graph they are in use in instead of spans:
    /// a loop laid out around most of a function widens every span over it (tracee).
    private init(_ f: Function, _ spans: SlotSpans, keepingHelperFilledApart: Bool, byLiveness: SlotInterference? = nil,
                 byRegions: SlotRegions? = nil, padding: Bool = true) {
        // Greedy colouring in order of first use: a slot joins the group (a place in the
        // frame) that became free before it starts and wastes the fewest bytes, else
        // opens a new one. Volatile slots and slots whose address escapes keep their own,
        // and so do helper-filled ones unless that overflows the frame.
        struct Group { var size: Int; var alignment: Int; var end: Int; var shared: Bool; var plainMembers: RegSet? = nil
                       var regionMembers: [Int]? = nil }
        var groups: [Group] = []
        var groupOf = [Int](filled: -1, count: f.slots.count)
        var loaded = [Bool](filled: false, count: f.slots.count)
        f.forEachInstruction { _, inst in if case .load(_, .slot(let k), _, _, _) = inst, k < loaded.count { loaded[k] = true } }
        let order = f.slots.indices.filter { spans.span[$0] != nil }
            .sorted { (spans.span[$0]!.lowerBound, $0) < (spans.span[$1]!.lowerBound, $1) }
        for k in order {
            var s = f.slots[k]
            let span = spans.span[k]!
            if let w = s.paddedScalar {
                if padding && (spans.storedWhole[k] || spans.helperFilled[k]) {
                    paddedSlots.insert(k)
                } else {
                    s.size = w.bytes; s.alignment = w.bytes
                }
            }
            let shareable = !s.isVolatile && !spans.escapes[k] && !(keepingHelperFilledApart && spans.helperFilled[k])
            let align = loaded[k] ? 8 : max(1, min(8, s.alignment))
            var best: Int? = nil
            if let live = byLiveness, let p = live.indexOf[k] {
                // A plain slot joins a group of plain slots none of which it interferes with.
                if let g = groups.indices.first(where: { g in
                    groups[g].plainMembers.map { $0.allSatisfy { !live.interferes[p].contains($0) } } == true
                }) {
                    groups[g].plainMembers!.insert(VReg(p))
                    groupOf[k] = g
                } else {
                    var members = RegSet(capacity: live.slots.count)
                    members.insert(VReg(p))
                    groups.append(Group(size: 8, alignment: 8, end: span.upperBound, shared: false, plainMembers: members))
                    groupOf[k] = groups.count - 1
                }
                continue
            }
            if shareable, let regions = byRegions {
                // A slot joins a group none of whose members is in use where it is: apart
                // by their regions, or by their spans (within a block, regions cannot tell).
                if let g = groups.indices.first(where: { g in
                    groups[g].regionMembers.map { $0.allSatisfy { m in
                        !regions.overlap(k, m) || !spans.span[m]!.overlaps(span)
                    } } == true
                }) {
                    groups[g].regionMembers!.append(k)
                    groups[g].size = max(groups[g].size, s.size)
                    groups[g].alignment = max(groups[g].alignment, align)
                    groupOf[k] = g
                } else {
                    groups.append(Group(size: s.size, alignment: align, end: span.upperBound, shared: false, regionMembers: [k]))
                    groupOf[k] = groups.count - 1
                }
                continue
            }
            if shareable {
                for (g, group) in groups.enumerated() where group.shared && group.end < span.lowerBound {
                    let waste = abs(group.size - s.size)
                    if best == nil || waste < abs(groups[best!].size - s.size) { best = g }
                }
            }
            if let g = best {
                groups[g].size = max(groups[g].size, s.size)
                groups[g].alignment = max(groups[g].alignment, align)
                groups[g].end = span.upperBound
                groupOf[k] = g
            } else {
                groups.append(Group(size: s.size, alignment: align, end: span.upperBound, shared: shareable))
                groupOf[k] = groups.count - 1
            }
        }
        var total = 0
        var groupOffset: [Int] = []
        for g in groups {
            total = (total + g.size + g.alignment - 1) / g.alignment * g.alignment
            groupOffset.append(-total)
        }
        offsets = groupOf.map { $0 < 0 ? 0 : groupOffset[$0] }
        size = (total + 7) / 8 * 8
        for k in f.slots.indices where groupOf[k] >= 0 && spans.helperFilled[k] { filledPlaces.insert(offsets[k]) }
    }
}

/// Where each stack slot is in use, as a range of positions in the function's block
/// order: from the first to the last instruction that refers to it or to a register
/// holding an address inside it, widened over every loop (a backward jump in block order)
/// it overlaps, until nothing changes. A slot is unused at every position outside its
/// span: control flow leaves the span only forward, or backward over a jump whose range
/// the span would then contain.
struct SlotSpans {
    /// nil for slots nothing refers to.
    var span: [ClosedRange<Int>?]
    /// The slot's address is stored to memory or handed to inline assembly or returned:
    /// it may be used anywhere after it is taken.
    var escapes: [Bool]
    /// A helper writes the slot (bpf_probe_read and its kin, given its address).
    var helperFilled: [Bool]
    /// A padded integer (`StackSlot.paddedScalar`) stored whole from a register.
    var storedWhole: [Bool]
    /// The blocks (by position, in order) that refer to the slot or to an address inside it.
    var referencedIn: [[Int]]

    init(_ f: Function) {
        span = Array(filled: nil, count: f.slots.count)
        escapes = Array(filled: false, count: f.slots.count)
        helperFilled = Array(filled: false, count: f.slots.count)
        storedWhole = Array(filled: false, count: f.slots.count)
        referencedIn = Array(filled: [], count: f.slots.count)
        // Registers holding addresses inside slots: defined from a slot address, or by
        // arithmetic on such a register (every definition counts; a register may hold
        // addresses of several slots).
        var derived: [VReg: Set<Int>] = [:]
        var changed = true
        while changed {
            changed = false
            for b in f.blocks {
                for i in b.instructions {
                    var from: Set<Int> = []
                    switch i.inst {
                    case .slotAddr(_, let s, _): from = [s]
                    case .mov(_, .reg(let r), _), .neg(_, let r, _): from = derived[r] ?? []
                    case .binary(_, _, let l, let r, _):
                        from = derived[l] ?? []
                        if case .reg(let rr) = r { from.formUnion(derived[rr] ?? []) }
                    case .call(_, .kfunc, let args):
                        // A kfunc's result may point into a stack object it is given:
                        // `bpf_dynptr_slice` returns its buffer where the data is not
                        // linear, and the verifier forgets the slice once the buffer's
                        // bytes are written (the bpf-developer-tutorial's `dynptr_tc`:
                        // a spill slot given the buffer's place, "R0 invalid mem access").
                        for case .reg(let r) in args { from.formUnion(derived[r] ?? []) }
                    default: break
                    }
                    guard !from.isEmpty, let d = i.inst.singleDef else { continue }
                    let before = derived[d]?.count ?? 0
                    derived[d, default: []].formUnion(from)
                    if derived[d]!.count != before { changed = true }
                }
            }
        }
        var block = 0
        func touch(_ s: Int, _ p: Int) {
            if let r = span[s] { span[s] = min(r.lowerBound, p)...max(r.upperBound, p) } else { span[s] = p...p }
            if referencedIn[s].last != block { referencedIn[s].append(block) }
        }
        var position = 0
        var blockRange: [ClosedRange<Int>] = []
        for (bi, b) in f.blocks.enumerated() {
            block = bi
            let first = position
            for i in b.instructions {
                if let s = i.inst.slotReferenced { touch(s, position) }
                var regs = i.inst.usedRegs
                if let d = i.inst.singleDef { regs.append(d) }
                for r in regs { for s in derived[r] ?? [] { touch(s, position) } }
                // An address leaving the registers: stored as a value, or into assembly.
                switch i.inst {
                case .store(_, _, .reg(let v), _), .atomic(_, _, _, let v, _, _), .cmpxchg(_, _, _, _, let v, _),
                     .coreStore(_, _, .reg(let v), _, _):
                    for s in derived[v] ?? [] { escapes[s] = true }
                case .inlineAsm:
                    for r in i.inst.usedRegs { for s in derived[r] ?? [] { escapes[s] = true } }
                case .call(_, .helper(let id), let args) where MemoryKinds.helpersWritingFirstArgument.contains(id):
                    if let a = args.first, case .reg(let r) = a { for s in derived[r] ?? [] { helperFilled[s] = true } }
                default: break
                }
                if case .store(.slot(let k), 0, .reg, let w) = i.inst, f.slots[k].paddedScalar == w { storedWhole[k] = true }
                position += 1
            }
            for r in b.terminator.usedRegs {
                for s in derived[r] ?? [] {
                    touch(s, position)
                    if case .ret = b.terminator { escapes[s] = true }
                }
            }
            blockRange.append(first...position)
            position += 1
        }
        // An escaped address may be used anywhere from where it was taken.
        for s in span.indices where escapes[s] { if let r = span[s] { span[s] = r.lowerBound...position } }
        // Loops in block order: a successor at or before its block.
        var loops: [ClosedRange<Int>] = []
        let index = Dictionary(uniqueKeysWithValues: f.blocks.enumerated().map { ($0.element.id, $0.offset) })
        for (j, b) in f.blocks.enumerated() {
            for t in b.terminator.successors { if let i = index[t], i <= j { loops.append(blockRange[i].lowerBound...blockRange[j].upperBound) } }
        }
        guard !loops.isEmpty else { return }
        for s in span.indices {
            guard var r = span[s] else { continue }
            var grew = true
            while grew {
                grew = false
                for l in loops where l.overlaps(r) && !(r.lowerBound <= l.lowerBound && l.upperBound <= r.upperBound) {
                    r = min(r.lowerBound, l.lowerBound)...max(r.upperBound, l.upperBound)
                    grew = true
                }
            }
            span[s] = r
        }
    }
}

/// The blocks where each slot is in use: on a path from a block that refers to it to a
/// block that refers to it (reached from one, reaching one). Outside them its bytes hold
/// nothing the program reads again. Slots whose regions share no block may share bytes,
/// wherever the layout put the blocks.
struct SlotRegions {
    private var region: [Set<Int>]

    init(_ f: Function, _ spans: SlotSpans) {
        let (succs, preds) = f.flowGraph
        func reach(from start: Set<Int>, _ next: [[Int]]) -> Set<Int> {
            var seen = start, work = Array(start)
            while let b = work.popLast() { for n in next[b] where seen.insert(n).inserted { work.append(n) } }
            return seen
        }
        region = spans.referencedIn.map { blocks in
            let refs = Set(blocks)
            return refs.isEmpty ? [] : reach(from: refs, succs).intersection(reach(from: refs, preds))
        }
    }

    func overlap(_ a: Int, _ b: Int) -> Bool { !region[a].isDisjoint(with: region[b]) }
}
