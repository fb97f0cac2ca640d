/// Loads and copies move down to the block that uses them, past a diamond.
///
/// Bytes a program reads before a branch and only adds up after the paths join (a
/// `local[i] = data[14 + i]` copy loop, a select between two constants, then the sum)
/// would all be live across the branch; at their uses each lives for one instruction,
/// and none is spilled. A load or copy moves from block B into block U when every use of
/// its register is in U, and B and the blocks between them form a region entered only
/// through B that always reaches U: U then runs exactly when B does, after it. A load
/// does not move past anything that may write memory (stores, calls, atomics, inline
/// assembly) in B after it, in the region, or in U before its first use; what it reads
/// from (its address register, a copy's source) is defined once. Runs before register
/// allocation, as the last pass.
public enum LoadSinking {
    static let regionLimit = 64

    public static func run(_ f: Function) -> Function { f.repeating(3, sinkOnce) }

    /// The one block using each register, or -1 when several do.
    static func useBlocks(_ f: Function) -> [VReg: Int] {
        var useBlock: [VReg: Int] = [:]
        func used(_ r: VReg, in b: Int) { useBlock[r] = (useBlock[r] ?? b) == b ? b : -1 }
        for (bi, b) in f.blocks.enumerated() {
            for i in b.instructions { i.inst.forEachUse { used($0, in: bi) } }
            for r in b.terminator.usedRegs { used(r, in: bi) }
        }
        return useBlock
    }

    static func sinkOnce(_ f: Function) -> Function? {
        let (_, defs) = f.useDefCounts()
        let graph = f.flowGraph
        let useBlock = useBlocks(f)
        let blockWrites = f.blocks.map { $0.instructions.contains { $0.inst.hasSideEffects } }
        var g = f
        var changed = false
        for bi in f.blocks.indices where graph.successors[bi].count > 1 {
            var k = g.blocks[bi].instructions.count - 1
            while k >= 0 {
                defer { k -= 1 }
                let inst = g.blocks[bi].instructions[k].inst
                guard let (d, isLoad) = sinkable(inst, defs), let u = useBlock[d], u >= 0, u != bi,
                      let region = region(from: bi, to: u, graph, f) else { continue }
                if isLoad {
                    if g.blocks[bi].instructions[(k + 1)...].contains(where: { $0.inst.hasSideEffects }) { continue }
                    if region.contains(where: { blockWrites[$0] }) { continue }
                }
                guard let at = g.blocks[u].instructions.firstIndex(where: { $0.inst.usedRegs.contains(d) }) ?? (g.blocks[u].terminator.usedRegs.contains(d) ? g.blocks[u].instructions.count : nil) else { continue }
                if isLoad && g.blocks[u].instructions[..<at].contains(where: { $0.inst.hasSideEffects }) { continue }
                let moved = g.blocks[bi].instructions.remove(at: k)
                g.blocks[u].instructions.insert(moved, at: at)
                changed = true
            }
        }
        return changed ? g : nil
    }

    /// A computation (or load) before a branch whose register only one side reads, a side
    /// entered from nowhere else, moves to that side, before its first read: the address
    /// of a buffer's next byte computed before the test of the offset and used after it
    /// (tracee's `add_u64_elements_to_buf`: `addr = &buf->args[buf->offset]; if
    /// (buf->offset > MAX) goto out; bpf_probe_read(addr, ...)`) is then computed from
    /// the offset the test bounded, where the verifier, which bounds the offset's register
    /// and not a sum made of it before, refused the address ("R1 max value is outside of
    /// the allowed memory range"), as clang's sinking computes it. Only values computed
    /// from a register the branch tests move; their operands are defined once.
    public static func intoSuccessors(_ f: Function) -> Function { f.repeating(3, sinkIntoSuccessorOnce) }

    static func sinkIntoSuccessorOnce(_ f: Function) -> Function? {
        let (_, defs) = f.useDefCounts()
        let graph = f.flowGraph
        let useBlock = useBlocks(f)
        var g = f
        var changed = false
        for bi in f.blocks.indices where graph.successors[bi].count > 1 {
            // The values computed in the block from a register its branch tests: only they
            // move (elsewhere the move changes nothing the verifier sees, and the
            // allocator's choices move about).
            var fromTested = Set(f.blocks[bi].terminator.usedRegs)
            for i in f.blocks[bi].instructions {
                var reads = false
                i.inst.forEachUse { if fromTested.contains($0) { reads = true } }
                if reads, let d = i.inst.singleDef { fromTested.insert(d) }
            }
            var k = g.blocks[bi].instructions.count - 1
            while k >= 0 {
                defer { k -= 1 }
                let inst = g.blocks[bi].instructions[k].inst
                guard let (d, isLoad) = computation(inst, defs), fromTested.contains(d), let u = useBlock[d], u >= 0, u != bi,
                      graph.successors[bi].contains(u), graph.predecessors[u].allSatisfy({ $0 == bi }) else { continue }
                guard let at = g.blocks[u].instructions.firstIndex(where: { $0.inst.usedRegs.contains(d) })
                        ?? (g.blocks[u].terminator.usedRegs.contains(d) ? g.blocks[u].instructions.count : nil) else { continue }
                if isLoad && (g.blocks[bi].instructions[(k + 1)...].contains(where: { $0.inst.hasSideEffects })
                              || g.blocks[u].instructions[..<at].contains(where: { $0.inst.hasSideEffects })) { continue }
                let moved = g.blocks[bi].instructions.remove(at: k)
                g.blocks[u].instructions.insert(moved, at: at)
                changed = true
            }
        }
        return changed ? g : nil
    }

    /// The register a computation without effects defines from registers defined once,
    /// and whether it reads memory.
    static func computation(_ i: Inst, _ defs: RegCounts) -> (VReg, Bool)? {
        if let s = sinkable(i, defs) { return s }
        switch i {
        case .binary(_, let d, let l, let r, _) where defs[d] == 1 && defs[l] <= 1:
            if case .reg(let x) = r, defs[x] > 1 { return nil }
            return (d, false)
        case .ext(let d, let s, _, _, _) where defs[d] == 1 && defs[s] <= 1: return (d, false)
        case .slotAddr(let d, _, _) where defs[d] == 1: return (d, false)
        default: return nil
        }
    }

    /// How many loads of stack slots may wait in registers for their first use at once in
    /// a block before `withinBlocks` moves them down to it.
    static let pendingLimit = 8

    /// Within a block, a run of loads from stack slots each read only further down holds
    /// every value in a register at once: a struct returned by an inlined function is
    /// copied out field by field, and once forwarding has made the copy through the
    /// return slot one copy, all 55 loads of tracee's `struct sockaddr_un` come before
    /// all its stores, 45 of them spilled (an 824-byte frame, over the limit). Where more
    /// than `pendingLimit` such loads wait for their first use at once, each moves down
    /// to just before it, past nothing that may write its slot (only stores into other
    /// slots and instructions without effects lie between).
    public static func withinBlocks(_ f: Function) -> Function {
        var g = f
        var defs: RegCounts? = nil
        for bi in f.blocks.indices {
            let insts = f.blocks[bi].instructions
            guard insts.count > pendingLimit else { continue }
            if defs == nil { defs = f.useDefCounts().defs }
            // Each load of a slot defining a register once, to the position of its first
            // use in the block (the terminator's: the end), where nothing between writes
            // the slot.
            var moves: [(from: Int, to: Int)] = []
            var waiting: [VReg: (load: Int, slot: Int)] = [:]
            func leave(_ r: VReg, at k: Int) {
                guard let w = waiting.removeValue(forKey: r) else { return }
                if k > w.load + 1 { moves.append((w.load, k)) }
            }
            for (k, ins) in insts.enumerated() {
                ins.inst.forEachUse { leave($0, at: k) }
                switch ins.inst {
                case .store(.slot(let s), _, _, _), .atomic(_, .slot(let s), _, _, _, _), .cmpxchg(_, .slot(let s), _, _, _, _):
                    // A write into one slot ends the waits of the loads of that slot.
                    waiting = waiting.filter { $0.value.slot != s }
                case let i where i.hasSideEffects:
                    waiting = [:]
                default: break
                }
                if case .load(let d, .slot(let s), _, _, _) = ins.inst, defs![d] == 1 { waiting[d] = (k, s) }
            }
            f.blocks[bi].terminator.forEachUse { leave($0, at: insts.count) }
            // The most loads waiting at once.
            var events: [(Int, Int)] = []
            for m in moves { events.append((m.from, 1)); events.append((m.to, -1)) }
            events.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
            var waitingNow = 0, most = 0
            for e in events { waitingNow += e.1; most = max(most, waitingNow) }
            guard most > pendingLimit else { continue }
            var before = [[Instruction]](filled: [], count: insts.count + 1)
            var moved = Set<Int>()
            for m in moves.sorted(by: { $0.from < $1.from }) {
                before[m.to].append(insts[m.from])
                moved.insert(m.from)
            }
            var out: [Instruction] = []
            out.reserveCapacity(insts.count)
            for (k, ins) in insts.enumerated() {
                out += before[k]
                if !moved.contains(k) { out.append(ins) }
            }
            out += before[insts.count]
            g.blocks[bi].instructions = out
        }
        return g
    }

    /// The register a movable instruction defines, and whether it reads memory.
    static func sinkable(_ i: Inst, _ defs: RegCounts) -> (VReg, Bool)? {
        switch i {
        case .load(let d, .reg(let base), _, _, _) where defs[d] == 1 && defs[base] == 1: return (d, true)
        case .load(let d, .slot, _, _, _) where defs[d] == 1: return (d, true)
        case .mov(let d, .reg(let s), _) where defs[d] == 1 && defs[s] == 1: return (d, false)
        case .mov(let d, .imm, _) where defs[d] == 1: return (d, false)
        default: return nil
        }
    }

    /// The blocks strictly between `b` and `u` when every path from `b` reaches `u` through
    /// them, each is entered only from `b` or another of them, and `u` only from them or `b`;
    /// nil otherwise (a loop, an exit, a side entrance, or too many blocks).
    static func region(from b: Int, to u: Int, _ graph: (successors: [[Int]], predecessors: [[Int]]), _ f: Function) -> Set<Int>? {
        var region = Set<Int>(), work = graph.successors[b].filter { $0 != u }
        while let x = work.popLast() {
            guard x != b else { return nil }
            guard region.insert(x).inserted else { continue }
            if region.count > regionLimit { return nil }
            let succs = graph.successors[x]
            if succs.isEmpty { return nil }                    // returns without reaching u
            work += succs.filter { $0 != u }
        }
        for x in region where graph.predecessors[x].contains(where: { $0 != b && !region.contains($0) }) { return nil }
        if graph.predecessors[u].contains(where: { $0 != b && !region.contains($0) }) { return nil }
        return region
    }
}
