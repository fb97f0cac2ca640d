extension Module {
    /// The calls of each sub-program only ever called directly, by the callee's position,
    /// with the caller's position and the arguments: a static function of `.text` (not a
    /// program, which the kernel runs) whose address neither code (`symbolAddr`) nor data
    /// (`addressTaken`) takes, since a callback's callers are in the kernel. Functions
    /// never called are left out; the list is in the order of `functions`.
    func callSitesOfStaticFunctions() -> [(callee: Int, sites: [(caller: Int, args: [Operand])])] {
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
        return functions.indices.compactMap { fi in
            let f = functions[fi]
            guard f.linkage == .static, f.section == ".text", !referenced.contains(f.name),
                  let sites = calls[f.name], !sites.isEmpty else { return nil }
            return (fi, sites)
        }
    }
}

extension Module {
    /// Without the static functions of `.text` that no call, code (`symbolAddr`) or data
    /// (`addressTaken`) reaches any more, as clang drops them: once the calls of a pure
    /// function whose results were unused went (`DeadControlFlow`), its body would be
    /// dead weight in the object. Repeated: a dropped function's own calls go with it.
    public func droppingUncalledStaticFunctions() -> Module {
        var m = self
        while true {
            var reached = m.addressTaken
            for f in m.functions {
                f.forEachInstruction { _, inst in
                    switch inst {
                    case .symbolAddr(_, let s): reached.insert(s.name)
                    case .call(_, .function(let name), _): reached.insert(name.string)
                    default: break
                    }
                }
            }
            let kept = m.functions.filter { $0.linkage != .static || $0.section != ".text" || reached.contains($0.name) }
            if kept.count == m.functions.count { return m }
            m.functions = kept
        }
    }
}
