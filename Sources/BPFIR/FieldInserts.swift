/// A word whose fields are set one after another — each step clears a field with a mask
/// and ors the new bits in, `w = (w & ~M1) | v1; w = (w & ~M2) | v2; ...` — clears all
/// the fields at once: `(w & ~(M1 | M2 | ...)) | v1 | v2 | ...`. A later mask leaves an
/// earlier field's bits alone when they cannot reach it (the bits each `v` may have,
/// from its masks and shifts). A struct of bitfields assigned field by field (each
/// store forwarded to the next field's read of the word) then takes one mask, where it
/// took one per field — each a 64-bit constant, an `ld_imm64` — as clang folds it.
///
/// A one-bit field set to its own negation (`s.flag = !s.flag`) is the word with that
/// bit flipped (`w ^ B`), and the word's top field added to (`s.top += 5`) is the word
/// added to (`w + (5 << k)`), as clang makes them.
///
/// In place: the first step's mask becomes all the masks together, and each later mask
/// a copy (what it masks no longer has bits it clears); the `or`s stay where they were,
/// so no field value lives longer than it did. Every register on the chain is written
/// once and read only by the next step (their values change).
public enum FieldInserts {
    /// `(word & keep) | parts...`, masked by the `and`s `steps` (the first reads the word).
    struct Form { var keep: UInt64; var parts: [VReg]; var steps: [VReg] }

    public static func run(_ f: Function) -> Function {
        let (uses, defs) = f.useDefCounts()
        var definition = RegMap<Inst>(capacity: f.nextVReg)
        var masks = 0
        f.forEachInstruction { _, inst in
            guard let d = inst.singleDef, defs[d] == 1 else { return }
            definition[d] = inst
            if case .binary(.and, _, _, _, .w64) = inst { masks += 1 }
        }
        guard masks > 1 else { return f }
        /// An immediate, or a register written once with a constant.
        func constant(_ o: Operand) -> UInt64? {
            switch o {
            case .imm(let k): return UInt64(bitPattern: k)
            case .reg(let r): return definition[r]?.movedConstant.map { UInt64(bitPattern: $0) }
            }
        }
        var possibleMemo = RegMap<UInt64>(capacity: f.nextVReg)
        /// The bits `r` may have set (all where nothing is known).
        func possible(_ r: VReg, depth: Int = 0) -> UInt64 {
            if let known = possibleMemo[r] { return known }
            guard depth < 16, let inst = definition[r] else { return ~0 }
            func of(_ o: Operand) -> UInt64 {
                switch o { case .imm(let k): return UInt64(bitPattern: k); case .reg(let x): return possible(x, depth: depth + 1) }
            }
            var bits: UInt64 = ~0
            switch inst {
            case .mov(_, .imm(let k), .w64), .loadImm64(_, let k): bits = UInt64(bitPattern: k)
            case .mov(_, .reg(let x), .w64): bits = of(.reg(x))
            case .binary(.and, _, let x, let y, .w64): bits = of(.reg(x)) & of(y)
            case .binary(let op, _, let x, let y, .w64) where op == .or || op == .xor: bits = of(.reg(x)) | of(y)
            case .binary(.shl, _, let x, .imm(let k), .w64) where (0..<64).contains(k): bits = of(.reg(x)) << UInt64(k)
            case .binary(.lshr, _, let x, .imm(let k), .w64) where (0..<64).contains(k): bits = of(.reg(x)) >> UInt64(k)
            case .ext(_, _, let from, _, false): bits = from == .w64 ? ~0 : (1 << UInt64(from.bits)) - 1
            case .load(_, _, _, let w, false): bits = w == .w64 ? ~0 : (1 << UInt64(w.bits)) - 1
            case .binary(_, _, _, _, .w32), .mov(_, _, .w32): bits = 0xffff_ffff
            default: break
            }
            possibleMemo[r] = bits
            return bits
        }
        // A one-bit field set to its own negation, `w = (w & ~B) | (!((w >> k) & 1) << k)`
        // (`s.flag = !s.flag`), is `w ^ B`.
        var toggles = RegMap<Inst>(capacity: f.nextVReg)
        /// The definition of `r` read only once, through copies read only once.
        func single(_ r: VReg) -> Inst? {
            guard uses[r] == 1, let inst = definition[r] else { return nil }
            if case .mov(_, .reg(let s), .w64) = inst, s != r { return single(s) }
            return inst
        }
        f.forEachInstruction { _, inst in
            guard case .binary(.or, let d, let x, .reg(let y), .w64) = inst, defs[d] == 1 else { return }
            for (cleared, bit) in [(x, y), (y, x)] {
                guard case .binary(.and, _, let w, let m, .w64)? = definition[cleared], let keep = constant(m),
                      (~keep).nonzeroBitCount == 1, f.holdsOneValue(w, defs: defs) else { continue }
                let k = Int64((~keep).trailingZeroBitCount)
                guard case .binary(.shl, _, let c, .imm(k), .w64)? = single(bit),
                      case .binary(.xor, _, let one, .imm(1), .w64)? = single(c),
                      case .binary(.and, _, let shifted, .imm(1), .w64)? = single(one),
                      case .binary(.lshr, _, w, .imm(k), .w64)? = single(shifted) else { continue }
                toggles[d] = .binary(.xor, dst: d, lhs: w, rhs: .imm(Int64(bitPattern: ~keep)), width: .w64)
                break
            }
            // The top field added to, `w = (w & (2^k - 1)) | (((w >> k) + c) & (2^(64-k) - 1)) << k`
            // (`s.top += 5`), is `w + (c << k)`: what carries out of the field leaves the word.
            for (cleared, field) in [(x, y), (y, x)] where toggles[d] == nil {
                guard case .binary(.and, _, let w, let m, .w64)? = definition[cleared], let keep = constant(m),
                      keep & (keep &+ 1) == 0, keep != 0, keep != ~0,
                      f.holdsOneValue(w, defs: defs) else { continue }
                let k = Int64(keep.trailingZeroBitCount == 0 ? (~keep).trailingZeroBitCount : 0)
                guard k >= 32, case .binary(.shl, _, let masked, .imm(k), .w64)? = single(field),
                      case .binary(.and, _, let sum, .imm(let fm), .w64)? = single(masked), UInt64(bitPattern: fm) == ~keep >> UInt64(k),
                      case .binary(.add, _, let shifted, .imm(let c), _)? = single(sum),
                      case .binary(.lshr, _, w, .imm(k), .w64)? = single(shifted) else { continue }
                toggles[d] = .binary(.add, dst: d, lhs: w, rhs: .imm(Int64(bitPattern: UInt64(bitPattern: c) << UInt64(k))), width: .w64)
            }
        }
        var formMemo = RegMap<Form?>(capacity: f.nextVReg)
        var absorbed = RegSet()
        /// `r` as a chain of masking steps and or-ed parts, when it is one (not a rewritten
        /// toggle or top-field sum: it no longer reads the steps before it).
        func form(_ r: VReg, depth: Int = 0) -> Form? {
            if let known = formMemo[r] { return known }
            guard depth < 64, toggles[r] == nil, let inst = definition[r] else { return nil }
            var result: Form?
            switch inst {
            case .binary(.and, _, let x, let m, .w64):
                guard let keep = constant(m) else { break }
                if uses[x] == 1, var inner = form(x, depth: depth + 1), inner.parts.allSatisfy({ possible($0) & ~keep == 0 }) {
                    absorbed.insert(x)
                    inner.keep &= keep
                    inner.steps.append(r)
                    result = inner
                } else {
                    result = Form(keep: keep, parts: [], steps: [r])
                }
            case .binary(.or, _, let x, .reg(let y), .w64):
                if uses[x] == 1, var inner = form(x, depth: depth + 1) {
                    absorbed.insert(x)
                    inner.parts.append(y)
                    result = inner
                } else if uses[y] == 1, var inner = form(y, depth: depth + 1) {
                    absorbed.insert(y)
                    inner.parts.append(x)
                    result = inner
                }
            default:
                break
            }
            formMemo[r] = .some(result)
            return result
        }
        var chains: [(end: VReg, shape: Form)] = []
        f.forEachInstruction { _, inst in
            guard let d = inst.singleDef, defs[d] == 1, case .binary(let op, _, _, _, .w64) = inst,
                  op == .and || op == .or, let shape = form(d), shape.steps.count > 1 else { return }
            chains.append((d, shape))
        }
        // Each chain once, whole: from the register that ends it (no later step reads it).
        var rewrite = toggles
        var any = false
        f.forEachInstruction { _, inst in if let d = inst.singleDef, toggles[d] != nil { any = true } }
        for (end, shape) in chains where !absorbed.contains(end) {
            guard case .binary(.and, let first, let word, _, .w64)? = definition[shape.steps[0]] else { continue }
            rewrite[first] = .binary(.and, dst: first, lhs: word, rhs: .imm(Int64(bitPattern: shape.keep)), width: .w64)
            for step in shape.steps.dropFirst() {
                guard case .binary(.and, step, let x, _, .w64)? = definition[step] else { continue }
                rewrite[step] = .mov(dst: step, src: .reg(x), width: .w64)
            }
            any = true
        }
        guard any else { return f }
        var g = f
        for b in g.blocks.indices {
            for k in g.blocks[b].instructions.indices {
                guard let d = g.blocks[b].instructions[k].inst.singleDef, defs[d] == 1, let new = rewrite[d] else { continue }
                g.setInst(b, k, new)
            }
        }
        return g
    }
}
