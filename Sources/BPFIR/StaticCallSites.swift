extension Module {
    /// The calls of each sub-program only ever called directly, by the callee's position,
    /// with the caller's position and the arguments: a static function of `.text` (not a
    /// program, which the kernel runs) whose address neither code (`symbolAddr`) nor data
    /// (`addressTaken`) takes, since a callback's callers are in the kernel. Functions
    /// never called are left out; the list is in the order of `functions`.
    func callSitesOfStaticFunctions() -> [(callee: Int, sites: [(caller: Int, args: [Operand])])] {
        let (referenced, calls) = references()
        return functions.indices.compactMap { fi in
            let f = functions[fi]
            guard f.linkage == .static, f.section == ".text", !referenced.contains(f.name),
                  let sites = calls[f.name], !sites.isEmpty else { return nil }
            return (fi, sites)
        }
    }

    /// The symbols whose address data (`addressTaken`) or code (`symbolAddr`) takes, and
    /// the calls of each function by name, with the caller's position and the arguments.
    private func references() -> (addressed: Set<String>, calls: [String: [(caller: Int, args: [Operand])]]) {
        var addressed = addressTaken
        var calls: [String: [(caller: Int, args: [Operand])]] = [:]
        for (fi, f) in functions.enumerated() {
            f.forEachInstruction { _, inst in
                switch inst {
                case .symbolAddr(_, let s): addressed.insert(s.name)
                case .call(_, .function(let name), let args): calls[name.string, default: []].append((fi, Array(args)))
                default: break
                }
            }
        }
        return (addressed, calls)
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
            let (addressed, calls) = m.references()
            let kept = m.functions.filter { f in
                f.linkage != .static || f.section != ".text" || addressed.contains(f.name) || calls[f.name] != nil
            }
            if kept.count == m.functions.count { return m }
            m.functions = kept
        }
    }
}
