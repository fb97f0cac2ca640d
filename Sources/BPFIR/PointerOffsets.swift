/// The constant part of a computed offset is added last: `p + (x + c) * k` becomes
/// `(p + x * k) + c * k`, and `p + (x + c)` becomes `(p + x) + c`, as clang's
/// reassociation leaves a header walk (`pos + (hdr->hdrlen + 1) * 8`).
///
/// The verifier keeps a pointer's offset as a fixed part and a variable range. With the
/// constant last, the fixed part is the same on every path that adds `c * k` (an IPv6
/// extension header of 8 bytes, `(len + 1) * 8` or `(len + 2) * 4`), and the variable
/// range starts at 0, so a path adding a constant only is within a path adding a
/// variable amount: the verifier prunes it at the paths' join, where it walked every
/// path again for every loop iteration. The instruction count stays (a multiply or shift
/// and two adds either way); the last add may then fold into an access's offset.
///
/// The offset tree must be single-use registers written once, with a positive `c`; a
/// 32-bit step (whose result is zero-extended) only when `ValueBounds` shows it cannot
/// wrap, so that the 64-bit sum is the same. An unscaled `x + c` must be a 32-bit sum
/// (a 64-bit one may be the pointer itself, `data + 14`).
public enum PointerOffsets {
    public static func run(_ f: Function) -> Function {
        let (uses, defs) = f.useDefCounts()
        lazy var definitions = f.definitionsByRegister
        lazy var bounds = ValueBounds(definitions: definitions, parameters: Set(f.parameters), returns: f.returnBounds)
        var g = f
        var changed = false
        /// The single instruction of a register written once and read once.
        func ownStep(_ r: VReg) -> Inst? {
            guard uses[r] == 1, defs[r] == 1, let d = definitions[r]?.first else { return nil }
            return d
        }
        /// Whether `(x + c) * scale` is below 2^32 for every value of x (x's whole register
        /// included), so that 32-bit steps computing it do not wrap.
        func fits32(_ x: VReg, _ c: Int64, scale: Int64) -> Bool {
            guard let bx = bounds.upperBound(x) else { return false }
            let (sum, o1) = bx.addingReportingOverflow(UInt64(c))
            let (scaled, o2) = sum.multipliedReportingOverflow(by: UInt64(scale))
            return !o1 && !o2 && scaled <= Width.w32.mask
        }
        for b in f.blocks.indices {
            // Most blocks have no candidate: only those that do are rebuilt.
            guard f.blocks[b].instructions.contains(where: { i in
                guard case .binary(.add, _, let l, .reg(let r), .w64) = i.inst else { return false }
                return uses[r] == 1 || uses[l] == 1
            }) else { continue }
            var out: [Instruction] = []
            out.reserveCapacity(f.blocks[b].instructions.count)
            for i in f.blocks[b].instructions {
                guard case .binary(.add, let d, let l, let r, .w64) = i.inst,
                      let (base, offset) = splitting(l, r, ownStep),
                      let rewrite = rewritten(offset, ownStep: ownStep, defs: defs, fits32: fits32) else {
                    out.append(i)
                    continue
                }
                // rewrite: (scaled x or x itself, the constant) → d = (base + that) + constant.
                var scaled = rewrite.x
                if let (op, k, w) = rewrite.scale {
                    scaled = g.newVReg()
                    out.append(Instruction(.binary(op, dst: scaled, lhs: rewrite.x, rhs: .imm(k), width: w), location: i.location))
                }
                let sum = g.newVReg()
                out.append(Instruction(.binary(.add, dst: sum, lhs: base, rhs: .reg(scaled), width: .w64), location: i.location))
                out.append(Instruction(.binary(.add, dst: d, lhs: sum, rhs: .imm(rewrite.constant), width: .w64), location: i.location))
                changed = true
            }
            g.blocks[b].instructions = out
        }
        return changed ? DeadCodeElimination.run(g) : f
    }

    /// The register added to and the offset register (an own step of the form), from an
    /// add's operands either way round.
    private static func splitting(_ l: VReg, _ r: Operand, _ ownStep: (VReg) -> Inst?) -> (VReg, Inst)? {
        guard case .reg(let rr) = r, l != rr else { return nil }
        if let s = ownStep(rr) { return (l, s) }
        if let s = ownStep(l) { return (rr, s) }
        return nil
    }

    /// The offset `(x + c) * k` / `(x + c) << n` / `x + c` as x, its scaling step and the
    /// constant `c * k`, when the constant can go last: c positive, x written once, and
    /// each 32-bit step free of wrapping.
    private static func rewritten(_ offset: Inst, ownStep: (VReg) -> Inst?, defs: RegCounts,
                                  fits32: (VReg, Int64, Int64) -> Bool)
        -> (x: VReg, scale: (BinOp, Int64, Width)?, constant: Int64)? {
        func plusConstant(_ inst: Inst) -> (x: VReg, c: Int64, w: Width)? {
            guard case .binary(.add, _, let x, .imm(let c), let w) = inst, c > 0, defs[x] == 1 else { return nil }
            return (x, c, w)
        }
        if let p = plusConstant(offset) {
            // Only a 32-bit sum is surely an offset: a 64-bit `x + c` may be the pointer.
            guard p.w == .w32, fits32(p.x, p.c, 1) else { return nil }
            return (p.x, nil, p.c)
        }
        guard case .binary(let op, _, let t, .imm(let k), let w) = offset,
              (op == .mul && k > 1 && k < 1 << 31) || (op == .shl && k > 0 && k < 32),
              let inner = ownStep(t), let p = plusConstant(inner) else { return nil }
        let factor: Int64 = op == .mul ? k : 1 << k
        guard p.w == .w64 || fits32(p.x, p.c, 1), w == .w64 || fits32(p.x, p.c, factor) else { return nil }
        let (constant, overflow) = p.c.multipliedReportingOverflow(by: factor)
        guard !overflow else { return nil }
        return (p.x, (op, k, w), constant)
    }
}
