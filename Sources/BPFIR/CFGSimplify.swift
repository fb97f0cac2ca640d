/// Removes empty forwarding blocks (jump-to-jump) and unreachable blocks.
public enum CFGSimplify {
    public static func run(_ f: Function) -> Function {
        var f = f
        // Resolve chains of empty blocks that only jump elsewhere.
        func target(_ b: BlockID) -> BlockID {
            var cur = b
            var seen: Set<BlockID> = []
            while seen.insert(cur).inserted, cur.id < f.blocks.count {
                let blk = f.blocks[cur.id]
                guard blk.instructions.isEmpty, case .jump(let next) = blk.terminator, next != cur else { break }
                cur = next
            }
            return cur
        }
        for i in f.blocks.indices {
            switch f.blocks[i].terminator {
            case .jump(let t): f.blocks[i].terminator = .jump(target(t))
            case .branch(let cc, let l, let r, let w, let t, let e):
                let tt = target(t), ee = target(e)
                f.blocks[i].terminator = tt == ee ? .jump(tt) : .branch(cc, lhs: l, rhs: r, width: w, then: tt, else: ee)
            default: break
            }
        }
        return removeUnreachable(f)
    }

    /// Drops blocks not reachable from the entry and renumbers the rest in order.
    public static func removeUnreachable(_ f: Function) -> Function {
        var seen: Set<BlockID> = [BlockID(0)]
        var work = [BlockID(0)]
        while let b = work.popLast() {
            for s in f.blocks[b.id].terminator.successors where !seen.contains(s) { seen.insert(s); work.append(s) }
        }
        let kept = f.blocks.filter { seen.contains($0.id) }
        var map: [BlockID: BlockID] = [:]
        for (i, b) in kept.enumerated() { map[b.id] = BlockID(i) }
        var g = f
        g.blocks = kept.map { b in
            var nb = b
            nb.id = map[b.id]!
            switch b.terminator {
            case .jump(let t): nb.terminator = .jump(map[t]!)
            case .branch(let cc, let l, let r, let w, let t, let e):
                nb.terminator = .branch(cc, lhs: l, rhs: r, width: w, then: map[t]!, else: map[e]!)
            default: break
            }
            return nb
        }
        return g
    }
}
