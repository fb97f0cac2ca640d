/// Parameters of static sub-programs that every call gives one constant (`fn(ctx, 0)`
/// from each caller): before the pipeline, the callee reads a register set to that
/// constant at its entry instead, so folding decides the branches on it inside the
/// callee, as clang's interprocedural constant propagation does; the parameter, unread,
/// then goes with `DeadParameters`. (The verifier already walks a static sub-program
/// with its caller's values; what this saves is the code only other values would run.)
///
/// Only parameters the callee never assigns, and only functions whose every caller is in
/// the module (`callSitesOfStaticFunctions`). An argument counts when it is a constant
/// operand, or a register its caller sets once, to a constant (`singleConstants`) — as
/// a parameter made constant this way is, so a constant passed down through several
/// functions reaches the last (the functions are looked at again until nothing changes).
public enum ConstantArguments {
    public static func run(_ given: Module) -> Module {
        var m = given
        // Bounded: each round makes at least one more parameter unread.
        for _ in 0...m.functions.count {
            var constants: [Int: [VReg: Int64]] = [:]
            func constant(_ a: Operand, in caller: Int) -> Int64? {
                switch a {
                case .imm(let k): return k
                case .reg(let r):
                    if constants[caller] == nil { constants[caller] = m.functions[caller].singleConstants }
                    return constants[caller]![r]
                }
            }
            var changed = false
            for (fi, sites) in m.callSitesOfStaticFunctions() {
                let f = m.functions[fi]
                let (uses, defs) = f.useDefCounts()
                for (k, p) in f.parameters.enumerated() where defs[p] == 1 && uses[p] > 0 {
                    guard let v = sites.first.flatMap({ k < $0.args.count ? constant($0.args[k], in: $0.caller) : nil }),
                          sites.allSatisfy({ k < $0.args.count && constant($0.args[k], in: $0.caller) == v }) else { continue }
                    m.functions[fi] = reading(v, for: p, in: m.functions[fi])
                    changed = true
                }
            }
            if !changed { break }
        }
        return m
    }

    /// `f` reading a fresh register set to `value` at its entry wherever it read `p`.
    static func reading(_ value: Int64, for p: VReg, in f: Function) -> Function {
        var f = f
        let c = f.newVReg()
        for b in f.blocks.indices {
            for i in f.blocks[b].instructions.indices {
                f.blocks[b].instructions[i].inst = f.blocks[b].instructions[i].inst.replacingUses(of: p, with: c)
            }
            f.blocks[b].terminator = f.blocks[b].terminator.replacingUses(of: p, with: c)
        }
        f.blocks[0].instructions.insert(Instruction(.mov(dst: c, src: .imm(value), width: .w64)), at: 0)
        return f
    }
}
