/// Block layout: a conditional branch falls through to its likely side.
///
/// The verifier walks a branch's fall-through first and pushes the taken side for later.
/// When the usual path comes first, its states reach the joins first and the rare paths'
/// states, arriving later, are pruned against them; the other way round the rare paths'
/// narrow states come first and every later state is explored again (Inspektor Gadget's
/// unrolled dentry walk: `if (dentry == mnt_root || dentry == d_parent)` guards the rare
/// mount-point case).
///
/// When a block's fall-through successor is marked `unlikely` and its other successor is
/// not, the run of blocks starting at the likely successor (each falling through into the
/// next) moves up to follow the branch. Blocks only move forward in the order of the
/// branch that asked for them, so the walk ends; the entry block stays first.
public enum BlockPlacement {
    public static func run(_ f: Function) -> Function {
        guard f.blocks.contains(where: { $0.unlikely }) else { return f }
        var g = f
        var blocks = f.blocks
        let unlikely = Set(blocks.filter { $0.unlikely }.map { $0.id })
        var i = 0
        while i + 1 < blocks.count {
            defer { i += 1 }
            guard case .branch(_, _, _, _, let t, let e) = blocks[i].terminator, t != e else { continue }
            let next = blocks[i + 1].id
            let likely: BlockID
            if next == t, unlikely.contains(t), !unlikely.contains(e) { likely = e }
            else if next == e, unlikely.contains(e), !unlikely.contains(t) { likely = t }
            else { continue }
            guard let j = blocks.firstIndex(where: { $0.id == likely }), j > i + 1 else { continue }
            var k = j
            while k + 1 < blocks.count && fallsThrough(blocks[k], into: blocks[k + 1].id) { k += 1 }
            let run = Array(blocks[j...k])
            blocks.removeSubrange(j...k)
            blocks.insert(contentsOf: run, at: i + 1)
        }
        g.blocks = blocks
        return g
    }

    /// True when `b`'s code continues into `next` without a jump of its own.
    static func fallsThrough(_ b: Block, into next: BlockID) -> Bool {
        switch b.terminator {
        case .jump(let t): return t == next
        case .branch(_, _, _, _, let t, let e): return t == next || e == next
        case .ret, .unreachable: return false
        }
    }
}
