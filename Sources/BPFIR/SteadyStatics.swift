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
/// without it (its loads no longer constants).
public enum SteadyStatics {
    /// `module` with the statics found steady read-only (`writtenBytes` and `storedBytes`
    /// no longer list them) and the functions writing them as folded by `fold` (given a
    /// function and the memory the supposition makes read-only), and the indices of the
    /// other functions naming them (their loads to fold). Nil when none is.
    public static func find(in module: Module, fold: (Function, ReadOnlyMemory) -> Function) -> (module: Module, readers: [Int])? {
        var candidates = Set(module.writtenBytes.keys)
        guard !candidates.isEmpty else { return nil }
        let bigEndian = module.functions.first?.bigEndian ?? false
        let writers = module.functions.indices.filter { i in
            UnwrittenGlobals.writes(candidates, in: [module.functions[i]], bigEndian: bigEndian).values.contains { !$0.ranges.isEmpty }
        }
        while !candidates.isEmpty {
            let memory = ReadOnlyMemory(data: module.readOnlyData, addresses: module.readOnlyAddresses,
                                        written: module.writtenBytes.filter { !candidates.contains($0.key) },
                                        stored: module.storedBytes.filter { !candidates.contains($0.key) })
            var functions = module.functions
            for i in writers { functions[i] = fold(functions[i], memory) }
            let now = UnwrittenGlobals.writes(candidates, in: functions, bigEndian: bigEndian)
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
            let readers = module.functions.indices.filter { i in
                !writers.contains(i) && module.functions[i].blocks.contains { b in
                    b.instructions.contains { if case .symbolAddr(_, let s) = $0.inst { return candidates.contains(s.name) }; return false }
                }
            }
            return (m, readers)
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
