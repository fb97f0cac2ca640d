/// Removes empty forwarding blocks (jump-to-jump) and unreachable blocks, and joins a
/// block to the only block that jumps to it (straight-line code such as unrolled loop
/// iterations becomes one block for the block-local passes).
public enum CFGSimplify {
    /// Appends each block reached only by an unconditional jump from its predecessor to
    /// that predecessor (the joined block keeps the predecessor's place; the other is left
    /// unreachable).
    public static func joinStraightLines(_ f: Function) -> Function {
        var f = f
        let preds = f.flowGraph.predecessors
        let index = f.blockIndexByID
        guard let entry = f.blocks.first?.id else { return f }
        var absorbed: Set<BlockID> = []
        for i in f.blocks.indices where !absorbed.contains(f.blocks[i].id) {
            while case .jump(let t) = f.blocks[i].terminator, t != f.blocks[i].id, t != entry,
                  let j = index[t], preds[j].count == 1, !absorbed.contains(t) {
                f.blocks[i].instructions += f.blocks[j].instructions
                f.blocks[i].terminator = f.blocks[j].terminator
                f.blocks[i].terminatorLocation = f.blocks[j].terminatorLocation
                absorbed.insert(t)
            }
        }
        return absorbed.isEmpty ? f : removeUnreachable(f)
    }

    public static func run(_ f: Function) -> Function {
        var f = f
        let index = f.blockIndexByID
        // Resolve chains of empty blocks that only jump elsewhere: each block's final
        // target once (a nested if-else chain's joins make chains as long as the nesting).
        // A cycle of empty blocks (an empty infinite loop) resolves to the block where the
        // walk meets itself; blocks on the cycle keep their own jumps.
        var final = [BlockID?](filled: nil, count: f.blocks.count)
        var onPath = [Bool](filled: false, count: f.blocks.count)
        func target(_ b: BlockID) -> BlockID {
            var path: [Int] = []
            var cur = b
            var result: BlockID? = nil
            while let i = index[cur] {
                if let r = final[i] { result = r; break }
                if onPath[i] {
                    // The path's blocks from here on are the cycle: each resolves to itself.
                    let start = path.firstIndex(of: i)!
                    for k in path[start...] { final[k] = f.blocks[k].id }
                    path.removeSubrange(start...)
                    break
                }
                let blk = f.blocks[i]
                guard blk.instructions.isEmpty, case .jump(let next) = blk.terminator, next != cur else { break }
                onPath[i] = true
                path.append(i)
                cur = next
            }
            let r = result ?? cur
            for k in path { final[k] = r; onPath[k] = false }
            return r
        }
        for i in f.blocks.indices { f.setTerminator(i, f.blocks[i].terminator.mappingTargets(target)) }
        return removeUnreachable(f)
    }

    /// Drops blocks not reachable from the entry (the first block) and renumbers the
    /// rest densely in order (block i gets id i).
    public static func removeUnreachable(_ f: Function) -> Function {
        guard !f.blocks.isEmpty else { return f }
        let index = f.blockIndexByID
        var seen = Array(filled: false, count: f.blocks.count)
        seen[0] = true
        var work = [0]
        while let i = work.popLast() {
            for s in f.blocks[i].terminator.successors {
                if let j = index[s], !seen[j] { seen[j] = true; work.append(j) }
            }
        }
        if !seen.contains(false) && f.blocks.indices.allSatisfy({ f.blocks[$0].id.id == $0 }) { return f }
        var newID = Array(filled: -1, count: f.blocks.count)
        var n = 0
        for i in f.blocks.indices where seen[i] { newID[i] = n; n += 1 }
        func map(_ t: BlockID) -> BlockID { BlockID(newID[index[t]!]) }
        var g = f
        g.blocks = f.blocks.indices.filter { seen[$0] }.map { i in
            var nb = f.blocks[i]
            nb.id = BlockID(newID[i])
            switch nb.terminator {
            case .jump(let t): nb.terminator = .jump(map(t))
            case .branch(let cc, let l, let r, let w, let t, let e):
                nb.terminator = .branch(cc, lhs: l, rhs: r, width: w, then: map(t), else: map(e))
            default: break
            }
            return nb
        }
        return g
    }
}
