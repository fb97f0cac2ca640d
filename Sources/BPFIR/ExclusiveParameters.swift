/// Finds the parameters of static sub-programs that point to a stack object of their
/// caller which the callee can reach no other way: at every call the argument is the
/// address of a caller's slot, no other argument may point into the caller's frame
/// (unless it is another slot's address), and the caller never stores a frame address
/// to memory. `parse(&pctx, p_info)` called from two programs: inside `parse`, stores
/// through `pctx` cannot change `*p_info`, and calls cannot change `pctx` (clang reaches
/// the same through type-based alias analysis; this needs no types). Functions whose
/// address is taken (callbacks) are called by the kernel and are left out.
public enum ExclusiveParameters {
    public static func mark(_ m: Module) -> Module {
        var m = m
        let callerFacts = m.functions.map(CallerFacts.init)
        for (fi, sites) in m.callSitesOfStaticFunctions() {
            let f = m.functions[fi]
            m.functions[fi].exclusiveParameters = f.parameters.indices.filter { k in
                sites.allSatisfy { callerFacts[$0.caller].passesExclusively($0.args, at: k) }
            }.map { f.parameters[$0] }
        }
        return m
    }

    /// What a caller's body says about the stack addresses it passes.
    struct CallerFacts {
        let frame: RegSet
        let slotOfRegister: [VReg: Int]       // registers defined once, by a slot's address
        let frameAddressStored: Bool

        init(_ f: Function) {
            frame = f.framePointerRegisters()
            let (_, defs) = f.useDefCounts()
            var slots: [VReg: Int] = [:], stored = false
            for b in f.blocks {
                for i in b.instructions {
                    switch i.inst {
                    case .slotAddr(let d, let s, _) where defs[d] == 1: slots[d] = s
                    case .store(_, _, .reg(let v), _), .atomic(_, _, _, let v, _, _), .cmpxchg(_, _, _, _, let v, _):
                        if frame.contains(v) { stored = true }
                    default: break
                    }
                }
            }
            slotOfRegister = slots
            frameAddressStored = stored
        }

        /// Whether argument `k` of a call with `args` is the address of a slot that no
        /// other argument can lead to.
        func passesExclusively(_ args: [Operand], at k: Int) -> Bool {
            guard !frameAddressStored, k < args.count, case .reg(let r) = args[k], let slot = slotOfRegister[r] else { return false }
            return args.indices.allSatisfy { j in
                guard j != k, case .reg(let o) = args[j], frame.contains(o) else { return true }
                return slotOfRegister[o].map { $0 != slot } ?? false
            }
        }
    }
}
