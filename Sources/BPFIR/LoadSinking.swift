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

    static func sinkOnce(_ f: Function) -> Function? {
        let (_, defs) = f.useDefCounts()
        let graph = f.flowGraph
        // The one block using each register, or -1 when several do.
        var useBlock: [VReg: Int] = [:]
        func used(_ r: VReg, in b: Int) { useBlock[r] = (useBlock[r] ?? b) == b ? b : -1 }
        for (bi, b) in f.blocks.enumerated() {
            for i in b.instructions { i.inst.forEachUse { used($0, in: bi) } }
            for r in b.terminator.usedRegs { used(r, in: bi) }
        }
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
