/// Static sub-programs whose result no call reads return 0 instead (clang's dead argument
/// elimination drops an unused return value too): what computed the result then dies
/// with the rest of the dead code — a loop folding a value only returned, an inlined
/// helper called for its result. The `exit` still sets r0, as the verifier requires of
/// every sub-program. Only functions called directly and nowhere else (see
/// `Module.callSitesOfStaticFunctions`); their BTF keeps the C prototype.
public enum DeadReturns {
    /// The module with those results dropped, and the positions of the functions changed.
    public static func run(_ m: Module) -> (module: Module, changed: Set<Int>) {
        let callees = m.callSitesOfStaticFunctions()
        guard !callees.isEmpty else { return (m, []) }
        let names = Set(callees.map { m.functions[$0.callee].name })
        var read: Set<String> = []
        for f in m.functions {
            var uses: RegCounts? = nil
            f.forEachInstruction { _, inst in
                guard case .call(let d?, .function(let n), _) = inst, names.contains(n.string), !read.contains(n.string) else { return }
                if uses == nil { uses = f.useDefCounts().uses }
                if uses![d] > 0 { read.insert(n.string) }
            }
        }
        var g = m
        var changed: Set<Int> = []
        for (i, _) in callees where !read.contains(m.functions[i].name) {
            for bi in g.functions[i].blocks.indices {
                guard case .ret(let value?) = g.functions[i].blocks[bi].terminator, value != .imm(0) else { continue }
                g.functions[i].blocks[bi].terminator = .ret(.imm(0))
                changed.insert(i)
            }
        }
        return (g, changed)
    }
}
