/// The largest value a static sub-program returns, read off what each `return` gives back
/// (`ValueBounds` in the callee: `return (unsigned char)x;` is at most 255). A caller's
/// `ValueBounds` takes it as the bound of the call's result, so `K > f()` folds for a
/// large `K` and a pure call whose result only decided that goes, as clang's
/// interprocedural range propagation does it. The verifier walks a static callee with the
/// caller's state and carries what it learnt of r0 back, so the caller's bounds are the
/// verifier's too.
///
/// Functions are optimized in source order (`Optimizer`): a callee defined before its
/// caller is bounded before the caller's pipeline starts. Only `static` functions of
/// `.text` (a global one may be replaced when objects are linked, and the verifier checks
/// it on its own, knowing nothing of its result in the caller).
public enum ReturnBounds {
    /// The largest value `f` returns (as an unsigned 64-bit number), when every path
    /// returns a value with a bound.
    public static func bound(of f: Function) -> UInt64? {
        guard f.linkage == .static, f.section == ".text" else { return nil }
        var bounds: ValueBounds? = nil
        var result: UInt64? = nil
        for b in f.blocks {
            guard case .ret(let value) = b.terminator else { continue }
            let bound: UInt64?
            switch value {
            case .imm(let k)?: bound = k >= 0 ? UInt64(k) : nil
            case .reg(let r)?:
                if bounds == nil { bounds = ValueBounds(of: f) }
                bound = bounds!.upperBound(r)
            case nil: bound = nil
            }
            guard let bound else { return nil }
            result = max(result ?? 0, bound)
        }
        return result
    }
}
