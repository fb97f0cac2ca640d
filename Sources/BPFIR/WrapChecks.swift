/// `a - b <= a` (unsigned, at the subtraction's width) is `b <= a`, and `a - b > a` is
/// `b > a`: the usual test that a subtraction did not wrap, made on its operands so the
/// verifier learns a bound on them (clang's InstCombine rewrites it the same way). Both
/// sides hold in modular arithmetic: `a - b` wraps exactly when `b > a`. The subtraction
/// must be in the branch's block with neither operand written after it.
public enum WrapChecks {
    public static func run(_ f: Function) -> Function {
        var f = f
        for bi in f.blocks.indices {
            guard case .branch(let cc, let l, .reg(let r), let w, let thenB, let elseB) = f.blocks[bi].terminator else { continue }
            // (a - b) cc a, or a cc' (a - b) with the operands swapped.
            let (diff, a, c): (VReg, VReg, CondCode) = (cc == .ule || cc == .ugt) ? (l, r, cc) : (r, l, cc.swapped)
            guard c == .ule || c == .ugt,
                  let k = f.blocks[bi].instructions.lastIndex(where: { $0.inst.definedRegs.contains(diff) }),
                  case .binary(.sub, diff, a, .reg(let b), w) = f.blocks[bi].instructions[k].inst, b != diff, a != diff,
                  !f.blocks[bi].instructions[(k + 1)...].contains(where: { $0.inst.definedRegs.contains { $0 == a || $0 == b } })
            else { continue }
            f.blocks[bi].terminator = .branch(c, lhs: b, rhs: .reg(a), width: w, then: thenB, else: elseB)
        }
        return f
    }
}
