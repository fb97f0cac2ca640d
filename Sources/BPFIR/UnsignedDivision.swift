/// A signed division or remainder of values that `ValueBounds` knows are non-negative at
/// the operation's width is the unsigned one, as clang's InstCombine makes it: C promotes
/// `u16 % u16` to `int % int`, and eBPF before cpu v4 has no signed division, so without
/// this such code does not compile for v3 (clang's build does).
public enum UnsignedDivision {
    public static func run(_ f: Function) -> Function {
        guard f.blocks.contains(where: { b in
            b.instructions.contains { if case .binary(.sdiv, _, _, _, _) = $0.inst { return true }; if case .binary(.srem, _, _, _, _) = $0.inst { return true }; return false }
        }) else { return f }
        var bounds = ValueBounds(definitions: f.definitionsByRegister, parameters: Set(f.parameters))
        /// Whether `o` is below the sign bit at `w`.
        func nonNegative(_ o: Operand, _ w: Width) -> Bool {
            let top = w.mask >> 1
            switch o {
            case .imm(let k): return w.extend(UInt64(bitPattern: k), signed: false) <= top
            case .reg(let r): return bounds.upperBound(r).map { $0 <= top } ?? false
            }
        }
        var f = f
        for bi in f.blocks.indices {
            for k in f.blocks[bi].instructions.indices {
                guard case .binary(let op, let d, let l, let r, let w) = f.blocks[bi].instructions[k].inst,
                      op == .sdiv || op == .srem, w == .w32 || w == .w64,
                      nonNegative(.reg(l), w), nonNegative(r, w) else { continue }
                f.blocks[bi].instructions[k].inst = .binary(op == .sdiv ? .udiv : .urem, dst: d, lhs: l, rhs: r, width: w)
            }
        }
        return f
    }
}
