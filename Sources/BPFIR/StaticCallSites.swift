extension Module {
    /// The calls of each sub-program only ever called directly, by the callee's position,
    /// with the caller's position and the arguments: a static function of `.text` (not a
    /// program, which the kernel runs) whose address neither code (`symbolAddr`) nor data
    /// (`addressTaken`) takes, since a callback's callers are in the kernel. Functions
    /// never called are left out.
    func callSitesOfStaticFunctions() -> [Int: [(caller: Int, args: [Operand])]] {
        var referenced = addressTaken
        var calls: [String: [(caller: Int, args: [Operand])]] = [:]
        for (fi, f) in functions.enumerated() {
            f.forEachInstruction { _, inst in
                switch inst {
                case .symbolAddr(_, let s): referenced.insert(s.name)
                case .call(_, .function(let name), let args): calls[name.string, default: []].append((fi, Array(args)))
                default: break
                }
            }
        }
        var out: [Int: [(caller: Int, args: [Operand])]] = [:]
        for (fi, f) in functions.enumerated() where f.linkage == .static && f.section == ".text" && !referenced.contains(f.name) {
            if let sites = calls[f.name], !sites.isEmpty { out[fi] = sites }
        }
        return out
    }
}
