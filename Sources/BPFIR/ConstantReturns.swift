/// Static sub-programs that return one constant on every path (`return (g - g) >> n;`,
/// folded): a call's result is that constant, as clang's interprocedural constant
/// propagation makes it. Functions are optimized in source order, so a callee defined
/// before its caller is already folded when the caller's pipeline starts: the caller
/// reads the constant instead of the call's result, and folds with it (the call itself
/// stays for what else it does; `DeadControlFlow` drops a pure one whose result nothing
/// reads any more).
///
/// Only `static` functions (a weak or global one may be replaced when objects are
/// linked) of `.text`.
public enum ConstantReturns {
    /// The constant `f` returns on every path, when it is a static sub-program that does.
    public static func value(of f: Function) -> Int64? {
        guard f.linkage == .static, f.section == ".text" else { return nil }
        var value: Int64? = nil
        for b in f.blocks {
            switch b.terminator {
            case .ret(.imm(let k)?):
                if let v = value, v != k { return nil }
                value = k
            case .ret: return nil
            default: continue
            }
        }
        return value
    }

    /// `f` with the results of its calls of `returns`' functions replaced by their
    /// constants (the calls kept, their results unused).
    public static func use(_ returns: [SymbolName: Int64], in f: Function) -> Function {
        var f = f
        for b in f.blocks.indices {
            guard f.blocks[b].instructions.contains(where: { if case .call(_?, .function(let n), _) = $0.inst { return returns[n] != nil }; return false })
            else { continue }
            var out: [Instruction] = []
            out.reserveCapacity(f.blocks[b].instructions.count + 2)
            for var i in f.blocks[b].instructions {
                guard case .call(let d?, .function(let n), let args) = i.inst, let k = returns[n] else { out.append(i); continue }
                i.inst = .call(dst: nil, callee: .function(n), args: args)
                out.append(i)
                out.append(Instruction(.mov(dst: d, src: .imm(k), width: .w64), location: i.location))
            }
            f.blocks[b].instructions = out
        }
        return f
    }
}
