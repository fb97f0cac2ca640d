/// Removes instructions without side effects whose results are never read: not used
/// anywhere, or overwritten before any read on every path (liveness; the register
/// variable `i` of a fully unrolled loop is assigned each iteration's value but read
/// as a constant).
public enum DeadCodeElimination {
    public static func run(_ f: Function) -> Function {
        var f = f
        while true {
            let (g, changed) = removeDead(f)
            guard changed else { return g }
            f = g
        }
    }

    static func removable(_ inst: Inst) -> Bool {
        var defines = false
        inst.forEachDef { _ in defines = true }
        return defines && !inst.hasSideEffects
    }

    /// One backward pass per block over liveness; whether anything went.
    static func removeDead(_ f: Function) -> (Function, Bool) {
        var f = f
        var changed = false
        let live = Liveness(f)
        for bi in f.blocks.indices {
            var alive = live.liveOut[bi]
            for u in f.blocks[bi].terminator.usedRegs { alive.insert(u) }
            var drop: [Int] = [], strip: [Int] = []
            let instructions = f.blocks[bi].instructions
            for k in instructions.indices.reversed() {
                var inst = instructions[k].inst
                // A call whose result nobody reads defines nothing (helpers such as
                // bpf_tail_call leave r0 unreadable for the verifier).
                if case .call(let d?, let callee, let args) = inst, !alive.contains(d) {
                    inst = .call(dst: nil, callee: callee, args: args)
                    strip.append(k)
                }
                if removable(inst) {
                    var used = false
                    inst.forEachDef { if alive.contains($0) { used = true } }
                    if !used { drop.append(k); continue }
                }
                inst.forEachDef { alive.remove($0) }
                inst.forEachUse { alive.insert($0) }
            }
            for k in strip {
                if case .call(_, let callee, let args) = f.blocks[bi].instructions[k].inst {
                    f.blocks[bi].instructions[k].inst = .call(dst: nil, callee: callee, args: args)
                }
            }
            if !drop.isEmpty {
                changed = true
                for k in drop { f.blocks[bi].instructions.remove(at: k) }   // descending order
            }
        }
        return (f, changed)
    }
}
