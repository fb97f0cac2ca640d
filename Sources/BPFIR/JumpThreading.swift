/// Jump threading: a predecessor that jumps to a small block whose branch is decided
/// by what the predecessor knows (a flag set to 1 on one path and 0 on the other, as
/// `a == x || a == y` assigned to a variable or returned by an inlined predicate, then
/// tested) takes that block's instructions and jumps straight to the decided target.
/// A conditional predecessor edge is redirected when the block is only the branch.
/// The tested block usually becomes unreachable (CFGSimplify removes it).
public enum JumpThreading {
    /// Blocks with more instructions than this are not copied into predecessors.
    static let maxCopied = 3

    public static func run(_ f: Function) -> Function {
        var f = f
        for _ in 0..<4 {
            let kv = KnownValues(f)
            let preds = f.flowGraph.predecessors
            var changed = false
            for b in f.blocks.indices where b != 0 {
                let block = f.blocks[b]
                guard case .branch(_, _, _, _, let t, let e) = block.terminator, t != block.id, e != block.id,
                      block.instructions.count <= maxCopied,
                      block.instructions.allSatisfy({ !$0.inst.hasSideEffects }) else { continue }
                for p in Set(preds[b]) where p != b {
                    var state = kv.entry[p]
                    for i in f.blocks[p].instructions { kv.step(i.inst, &state) }
                    for i in block.instructions { kv.step(i.inst, &state) }
                    guard let taken = kv.decide(block.terminator, in: state) else { continue }
                    let target = taken ? t : e
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
            }
            guard changed else { break }
            f = CFGSimplify.run(f)
        }
        return f
    }
}
