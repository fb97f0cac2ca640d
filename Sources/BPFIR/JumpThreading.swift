/// Jump threading: a predecessor that jumps to a small block whose branch is decided
/// by what the predecessor knows (a flag set to 1 on one path and 0 on the other, as
/// `a == x || a == y` assigned to a variable or returned by an inlined predicate, then
/// tested) takes that block's instructions and jumps straight to the decided target.
/// A conditional predecessor edge is redirected when the block is only the branch. Blocks
/// that jump to a predecessor which only copies on its way to the tested block are
/// threaded through both.
/// The tested block usually becomes unreachable (CFGSimplify removes it).
public enum JumpThreading {
    /// Blocks with more instructions than this are not copied into predecessors.
    static let maxCopied = 3

    /// Whether a block's instructions may be copied into its predecessors.
    static func copyable(_ b: Block) -> Bool {
        b.instructions.count <= maxCopied && b.instructions.allSatisfy { !$0.inst.hasSideEffects }
    }

    public static func run(_ f: Function) -> Function {
        var f = f
        for _ in 0..<4 {
            let kv = KnownValues(f)
            let preds = f.flowGraph.predecessors
            var changed = false
            for b in f.blocks.indices where b != 0 {
                let block = f.blocks[b]
                guard case .branch(_, _, _, _, let t, let e) = block.terminator, t != block.id, e != block.id,
                      copyable(block) else { continue }
                /// Where `block`'s branch goes after block `q` and then `between`, if decided.
                /// (By the values known there, or by the ranges the instructions on the way give.)
                func decided(after q: Int, through between: [Instruction]) -> BlockID? {
                    var state = kv.entry[q]
                    var ranges = LocalRanges()
                    for i in f.blocks[q].instructions + between { kv.step(i.inst, &state); ranges.step(i.inst) }
                    return (kv.decide(block.terminator, in: state) ?? ranges.decide(block.terminator)).map { $0 ? t : e }
                }
                for p in preds[b].distinct where p != b {
                    guard let target = decided(after: p, through: block.instructions) else { continue }
                    switch f.blocks[p].terminator {
                    case .jump(block.id):
                        f.blocks[p].instructions += block.instructions
                        f.blocks[p].terminator = .jump(target)
                        f.blocks[p].terminatorLocation = block.terminatorLocation
                        changed = true
                    case .branch(let cc, let l, let r, let w, let pt, let pe) where block.instructions.isEmpty && pt != pe:
                        f.blocks[p].terminator = .branch(cc, lhs: l, rhs: r, width: w,
                                                         then: pt == block.id ? target : pt, else: pe == block.id ? target : pe)
                        changed = true
                    default: break
                    }
                }
                // Two steps back: a predecessor that only copies (`r = t; jump b`), reached by
                // blocks that jump to it, each setting `t` (a flag an inlined predicate's
                // branches set, converted on the way out): each of those takes both blocks'
                // instructions and jumps to the target it decides.
                for p in preds[b].distinct where p != b && p != 0 {
                    guard case .jump(block.id) = f.blocks[p].terminator, copyable(f.blocks[p]) else { continue }
                    let middle = f.blocks[p]
                    for q in preds[p].distinct where q != p && q != b {
                        guard case .jump(middle.id) = f.blocks[q].terminator,
                              let target = decided(after: q, through: middle.instructions + block.instructions) else { continue }
                        f.blocks[q].instructions += middle.instructions + block.instructions
                        f.blocks[q].terminator = .jump(target)
                        f.blocks[q].terminatorLocation = block.terminatorLocation
                        changed = true
                    }
                }
            }
            guard changed else { break }
            f = CFGSimplify.run(f)
        }
        return f
    }
}
