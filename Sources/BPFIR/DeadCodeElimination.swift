/// Removes instructions without side effects whose results are never read: not used
/// anywhere, or overwritten before any read on every path (liveness; the register
/// variable `i` of a fully unrolled loop is assigned each iteration's value but read
/// as a constant).
public enum DeadCodeElimination {
    public static func run(_ f: Function) -> Function {
        var f = f
        var changed = true
        while changed {
            changed = false
            let live = Liveness(f)
            for bi in f.blocks.indices {
                var alive = live.liveOut[bi].union(f.blocks[bi].terminator.usedRegs)
                var kept: [Instruction] = []
                for ins in f.blocks[bi].instructions.reversed() {
                    var inst = ins.inst
                    // A call whose result nobody reads defines nothing (helpers such as
                    // bpf_tail_call leave r0 unreadable for the verifier).
                    if case .call(let d?, let callee, let args) = inst, !alive.contains(d) {
                        inst = .call(dst: nil, callee: callee, args: args)
                    }
                    let defs = inst.definedRegs
                    if !inst.hasSideEffects && !defs.isEmpty && defs.allSatisfy({ !alive.contains($0) }) {
                        changed = true
                        continue
                    }
                    for d in defs { alive.remove(d) }
                    alive.formUnion(inst.usedRegs)
                    kept.append(Instruction(inst, location: ins.location))
                }
                kept.reverse()
                if kept != f.blocks[bi].instructions { f.blocks[bi].instructions = kept }
            }
        }
        return f
    }
}
