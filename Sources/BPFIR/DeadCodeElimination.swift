/// Removes instructions without side effects whose results are never used.
public enum DeadCodeElimination {
    public static func run(_ f: Function) -> Function {
        var f = f
        var changed = true
        while changed {
            changed = false
            var used: Set<VReg> = []
            for b in f.blocks {
                for i in b.instructions { used.formUnion(i.inst.usedRegs) }
                used.formUnion(b.terminator.usedRegs)
            }
            for bi in f.blocks.indices {
                // A call whose result nobody reads defines nothing (helpers such as
                // bpf_tail_call leave r0 unreadable for the verifier).
                for ii in f.blocks[bi].instructions.indices {
                    if case .call(let d?, let callee, let args) = f.blocks[bi].instructions[ii].inst, !used.contains(d) {
                        f.blocks[bi].instructions[ii].inst = .call(dst: nil, callee: callee, args: args)
                    }
                }
                let before = f.blocks[bi].instructions.count
                f.blocks[bi].instructions.removeAll { i in
                    !i.inst.hasSideEffects && !i.inst.definedRegs.isEmpty && i.inst.definedRegs.allSatisfy { !used.contains($0) }
                }
                if f.blocks[bi].instructions.count != before { changed = true }
            }
        }
        return f
    }
}
