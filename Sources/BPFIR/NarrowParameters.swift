/// Parameters of static sub-programs that every call gives a value without an upper half:
/// a constant below 2^32, or a register whose bound in the caller (`ValueBounds`: a
/// 32-bit result, a narrow unsigned load, a zero extension, a shift right...) is. In the callee a shift of such
/// a parameter right by 32 or more is 0 (clang sees it after inlining): ebpf_exporter's
/// `do_count(u64 backlog)`, called from two programs with a u32 field, tests
/// `backlog >> 32` in its inlined `log2l`, and the upper-half path goes.
///
/// Only parameters the callee never assigns count, and only functions whose every caller
/// is in the module (`callSitesOfStaticFunctions`).
public enum NarrowParameters {
    /// The module, and the positions of the functions it changed.
    public static func run(_ given: Module) -> (Module, [Int]) {
        var m = given
        var changed: [Int] = []
        // Per caller, the bounds of its registers, in the module as given (not as this
        // step leaves the callers it also narrows: every decision reads the same code).
        var bounds: [Int: ValueBounds] = [:]
        func withoutUpperHalf(_ a: Operand, in caller: Int) -> Bool {
            switch a {
            case .imm(let k): return k >= 0 && k <= Int64(UInt32.max)
            case .reg(let r):
                let f = given.functions[caller]
                if bounds[caller] == nil { bounds[caller] = ValueBounds(of: f) }
                return bounds[caller]!.upperBound(r).map { $0 <= UInt64(UInt32.max) } ?? false
            }
        }
        for (fi, sites) in given.callSitesOfStaticFunctions() {
            let f = given.functions[fi]
            let (_, defs) = f.useDefCounts()
            let narrow = Set(f.parameters.indices.filter { k in
                defs[f.parameters[k]] == 1 && sites.allSatisfy { k < $0.args.count && withoutUpperHalf($0.args[k], in: $0.caller) }
            }.map { f.parameters[$0] })
            guard !narrow.isEmpty else { continue }
            for b in f.blocks.indices {
                for i in f.blocks[b].instructions.indices {
                    guard case .binary(.lshr, let d, let p, .imm(let k), .w64) = f.blocks[b].instructions[i].inst,
                          narrow.contains(p), k >= 32, k < 64 else { continue }
                    m.functions[fi].blocks[b].instructions[i].inst = .mov(dst: d, src: .imm(0), width: .w64)
                    if changed.last != fi { changed.append(fi) }
                }
            }
        }
        return (m, changed)
    }
}
