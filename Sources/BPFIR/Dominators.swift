/// Immediate dominators of the blocks reachable from the entry (Cooper, Harvey and
/// Kennedy's iterative algorithm over reverse post-order), and the dominator tree's
/// children. Unreachable blocks have no dominator and are in no tree.
public struct Dominators: Sendable {
    /// The immediate dominator of each block position (the entry's is itself; -1 when
    /// the block is unreachable).
    public var idom: [Int]
    public var children: [[Int]]

    public init(_ f: Function, predecessors: [[Int]]) {
        idom = Self.immediateDominators(count: f.blocks.count, root: 0, postOrder: f.depthFirst.postOrder) { predecessors[$0] }
        children = Array(filled: [], count: f.blocks.count)
        for b in f.blocks.indices where b != 0 && idom[b] >= 0 { children[idom[b]].append(b) }
    }

    /// Immediate dominators in a graph of `count` nodes: `postOrder` lists the nodes
    /// reachable from `root` in a depth-first post-order (the root last), `predecessors`
    /// gives a node's predecessors. The root's is itself; -1 for nodes not reached.
    /// (`DeadControlFlow` runs it on the reversed control flow graph: post-dominators.)
    static func immediateDominators(count: Int, root: Int, postOrder post: [Int], predecessors: (Int) -> [Int]) -> [Int] {
        var order = [Int](filled: -1, count: count)     // post-order number
        for (k, b) in post.enumerated() { order[b] = k }
        var idom = [Int](filled: -1, count: count)
        guard count > 0 else { return idom }
        idom[root] = root
        var changed = true
        while changed {
            changed = false
            for b in post.reversed() where b != root {
                var new = -1
                for p in predecessors(b) where idom[p] >= 0 {
                    if new < 0 { new = p; continue }
                    var x = p, y = new
                    while x != y {
                        while order[x] < order[y] { x = idom[x] }
                        while order[y] < order[x] { y = idom[y] }
                    }
                    new = x
                }
                if new >= 0 && idom[b] != new { idom[b] = new; changed = true }
            }
        }
        return idom
    }

    /// Whether block `a` dominates block `b` (every block dominates itself; an unreachable
    /// block is dominated by none).
    public func dominates(_ a: Int, _ b: Int) -> Bool {
        var x = b
        guard idom[x] >= 0 else { return false }
        while x != a {
            let up = idom[x]
            if up == x { return false }      // the entry
            x = up
        }
        return true
    }

    /// Block positions in dominator-tree pre-order from the entry.
    public var preOrder: [Int] {
        guard !idom.isEmpty else { return [] }
        var out: [Int] = [], stack = [0]
        while let b = stack.popLast() { out.append(b); stack += children[b].reversed() }
        return out
    }
}
