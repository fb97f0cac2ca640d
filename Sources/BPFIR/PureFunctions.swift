/// The functions of a module whose calls have no effect but their result: no store or
/// atomic operation except on their own stack slots, no helper or kfunc call or inline
/// assembly, and calls only to such functions. (They may load: a call whose result is
/// unused may still go.) `DeadControlFlow` removes calls to them whose results nothing
/// live reads, as clang drops calls to `readonly` functions: a `__noinline` checksum
/// computed and thrown away is not called.
public enum PureFunctions {
    public static func find(_ m: Module) -> Set<SymbolName> {
        var pure = Set<SymbolName>()
        var callees: [SymbolName: Set<SymbolName>] = [:]
        for f in m.functions {
            var effectFree = true
            var calls = Set<SymbolName>()
            f.forEachInstruction { _, inst in
                switch inst {
                case .call(_, .function(let n), _): calls.insert(n)
                case .atomic(_, .slot, _, _, _, _), .cmpxchg(_, .slot, _, _, _, _): break     // on its own frame
                case .call, .atomic, .cmpxchg, .inlineAsm, .coreStore, .store(.reg, _, _, _): effectFree = false
                default: break
                }
            }
            let name = SymbolName(f.name)
            if effectFree { pure.insert(name) }
            callees[name] = calls
        }
        // Calling a function that is not pure (or not in the module) is an effect.
        var changed = true
        while changed {
            changed = false
            for n in pure where !(callees[n] ?? []).isSubset(of: pure) {
                pure.remove(n)
                changed = true
            }
        }
        return pure
    }
}

extension Inst {
    /// Whether this is a call of one of `functions` (the module's pure ones).
    func calls(oneOf functions: Set<SymbolName>) -> Bool {
        if case .call(_, .function(let n), _) = self { return functions.contains(n) }
        return false
    }
}
