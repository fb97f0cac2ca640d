/// `static` objects whose every write is reachable only once they have changed: a
/// `static __s64 g;` updated only in `switch (g & 1) { case 1: g ^= x; }` stays 0, its
/// update never runs. Found optimistically, as clang's interprocedural constant
/// propagation finds them: supposing the candidates (the statics `Module.writtenBytes`
/// lists: written only at known places, address escaping nowhere) always hold their
/// initializers, the functions writing them are folded with their loads as constants;
/// where that leaves every write of a candidate gone or storing the bytes it already
/// holds, the supposition is true of the program — no run can write another value first,
/// each write that could was folded away on the supposition holding until then. A
/// candidate some folded write still changes is dropped, and the others are tried again
/// without it (its loads no longer constants). Writes in a static sub-program that no
/// call reaches once the others are folded do not count: it never runs. A static
/// sub-program folded to return one constant gives its callers that constant.
public enum SteadyStatics {
    /// `module` with the statics found steady read-only (`writtenBytes` and `storedBytes`
    /// no longer list them) and the functions naming them as folded by `fold` (given a
    /// function and the memory the supposition makes read-only), their writes of those
    /// statics gone. Nil when none is.
    public static func find(in module: Module, fold: (Function, ReadOnlyMemory) -> Function) -> Module? {
        var candidates = Set(module.writtenBytes.keys)
        guard !candidates.isEmpty else { return nil }
        let bigEndian = module.functions.first?.bigEndian ?? false
        let writers = module.functions.indices.filter { i in
            UnwrittenGlobals.writes(candidates, in: [module.functions[i]], bigEndian: bigEndian).values.contains { !$0.ranges.isEmpty }
        }
        // Every function naming one is folded on the supposition (a reader's call of a
        // writer may go with a branch it decides); the writers are among them.
        let namers = module.functions.indices.filter { module.functions[$0].takesAddress(ofAnyOf: candidates) }
        while !candidates.isEmpty {
            let memory = ReadOnlyMemory(data: module.readOnlyData, addresses: module.readOnlyAddresses,
                                        written: module.writtenBytes.filter { !candidates.contains($0.key) },
                                        stored: module.storedBytes.filter { !candidates.contains($0.key) })
            var functions = module.functions
            // In source order: a sub-program that returns one constant on the supposition
            // (`return g;`) has its callers defined after it read that constant.
            var returns: [SymbolName: Int64] = [:]
            for i in namers {
                let folded = fold(returns.isEmpty ? functions[i] : ConstantReturns.use(returns, in: functions[i]), memory)
                functions[i] = folded
                if let k = ConstantReturns.value(of: folded) { returns[SymbolName(folded.name)] = k }
            }
            // A static sub-program whose calls all went with the folding never runs: its
            // writes do not count (`g = 0` steady, the only call of the function bumping
            // it in a `switch` case `g` never selects).
            var running = module
            running.functions = functions
            let now = UnwrittenGlobals.writes(candidates, in: running.droppingUncalledStaticFunctions().functions, bigEndian: bigEndian)
            let changing = candidates.filter { name in
                guard let w = now[name], let initial = module.readOnlyData[name] else { return true }
                return !w.ranges.allSatisfy { r in
                    r.allSatisfy { k in k < initial.count && (w.constants[k]?.allSatisfy { $0 == initial[k] } ?? false) }
                }
            }
            guard changing.isEmpty else {
                candidates.subtract(changing)
                continue
            }
            var m = module
            // The writes left store what the statics hold: no-ops, gone.
            for i in writers { functions[i] = droppingStores(to: candidates, in: functions[i]) }
            m.functions = functions
            for name in candidates {
                m.writtenBytes[name] = nil
                m.storedBytes[name] = nil
            }
            return m
        }
        return nil
    }

    /// `f` without its stores through an address of one of `names`.
    static func droppingStores(to names: Set<String>, in f: Function) -> Function {
        let derived = UnwrittenGlobals.addressRegisters(of: names, in: f).derived
        guard !derived.isEmpty else { return f }
        var f = f
        for bi in f.blocks.indices {
            f.blocks[bi].instructions.removeAll { i in
                if case .store(.reg(let r), _, _, _) = i.inst { return derived[r] != nil }
                return false
            }
        }
        return DeadCodeElimination.run(f)
    }
}
