/// Parameters a static sub-program never reads are not passed (clang's dead argument
/// elimination): libbpf-tools' `handle_block_rq_complete(rq, error, nr_bytes)`, called
/// from a tp_btf and a raw_tp program, needs only `rq`, and neither caller loads,
/// extends or moves the other two. The remaining parameters move up to the first
/// argument registers, at the function and at every call. Only functions called
/// directly and nowhere else: not programs, not global or weak functions, not ones
/// whose address data or code takes (callbacks). Their BTF keeps the C prototype, as
/// clang's does.
public enum DeadParameters {
    /// The module with dead parameters removed, and the positions of the functions
    /// whose calls changed (their argument computations may now be dead).
    public static func run(_ m: Module) -> (module: Module, callersChanged: Set<Int>) {
        var kept: [String: [Int]] = [:]
        var g = m
        for (i, sites) in m.callSitesOfStaticFunctions() {
            let f = m.functions[i]
            guard Set(sites.map(\.args.count)) == [f.parameters.count] else { continue }
            let (uses, _) = f.useDefCounts()
            let keep = f.parameters.indices.filter { uses[f.parameters[$0]] > 0 }
            guard keep.count < f.parameters.count else { continue }
            kept[f.name] = keep
            g.functions[i].parameters = keep.map { f.parameters[$0] }
            g.functions[i].exclusiveParameters.removeAll { p in !keep.contains { f.parameters[$0] == p } }
        }
        guard !kept.isEmpty else { return (m, []) }
        var changed: Set<Int> = []
        for fi in g.functions.indices {
            for bi in g.functions[fi].blocks.indices {
                for ii in g.functions[fi].blocks[bi].instructions.indices {
                    guard case .call(let d, .function(let n), let args) = g.functions[fi].blocks[bi].instructions[ii].inst,
                          let keep = kept[n.string] else { continue }
                    g.functions[fi].blocks[bi].instructions[ii].inst = .call(dst: d, callee: .function(n), args: OperandList(keep.map { args[$0] }))
                    changed.insert(fi)
                }
            }
        }
        return (g, changed)
    }
}
