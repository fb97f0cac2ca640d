/// Sums, differences and constant multiples of one value computed as one
/// `x * k + c`: `a*1000000 + b*10000 + c*100 + d` where `a`, `b`, `c`, `d` are `i`,
/// `i + 2`, `i + 2`, `i` is `i * 1010101 + 20200`, as clang's reassociation finds. An
/// expression is rewritten when its tree of single-use adds, subtracts, negations,
/// multiplications and left shifts by constants costs more instructions than the one
/// or two of its form; the tree then dies.
///
/// Arithmetic modulo 2^32 follows the low 32 bits of 64-bit operands, so a 32-bit
/// expression looks through 64-bit steps too; a 64-bit one stops at 32-bit results
/// (their zero extension is not linear). Every register looked through is written once
/// (its value is the same wherever it is read), and so is the base `x`.
public enum LinearForms {
    /// `base * scale + offset`, modulo 2^width (`base` nil: a constant).
    struct Form: Equatable {
        var base: VReg?
        var scale: Int64
        var offset: Int64
        /// Single-use steps of the tree (the root not counted), which die with it.
        var ownSteps: Int

        static func constant(_ c: Int64) -> Form { Form(base: nil, scale: 0, offset: c, ownSteps: 0) }
        static func value(_ v: VReg) -> Form { Form(base: v, scale: 1, offset: 0, ownSteps: 0) }

        func plus(_ o: Form, sign: Int64) -> Form? {
            guard base == nil || o.base == nil || base == o.base else { return nil }
            return Form(base: base ?? o.base, scale: scale &+ sign &* o.scale, offset: offset &+ sign &* o.offset,
                        ownSteps: ownSteps + o.ownSteps)
        }

        func times(_ k: Int64) -> Form { Form(base: base, scale: scale &* k, offset: offset &* k, ownSteps: ownSteps) }
    }

    /// Rewrites until nothing changes (a rewritten tree frees steps another tree shares),
    /// the dead code of a round removed before the next so that use counts are those of
    /// live code (the pipeline runs this pass right after dead code elimination).
    public static func run(_ f: Function) -> Function {
        var g = f
        for round in 0..<3 {
            guard let h = rewritten(round == 0 ? g : DeadCodeElimination.run(g)) else { break }
            g = h
        }
        return g
    }

    /// One round of rewriting, nil when no expression is cheaper as its form.
    static func rewritten(_ f: Function) -> Function? {
        let (uses, defs) = f.useDefCounts()
        var definition: [VReg: Inst] = [:]
        for b in f.blocks {
            for i in b.instructions { if let d = i.inst.singleDef, defs[d] == 1 { definition[d] = i.inst } }
        }
        var memo: [Width: [VReg: Form?]] = [.w32: [:], .w64: [:]]

        /// What a register read by a `width` operation is, as a form.
        func form(of v: VReg, _ width: Width, depth: Int) -> Form? {
            guard defs[v] == 1 else { return nil }
            if let known = memo[width]![v] { return known }
            var r = Form.value(v)
            if depth < 16, let inst = definition[v], let step = form(ofStep: inst, width, depth: depth + 1) {
                r = step
                if uses[v] == 1, countsAsStep(inst) { r.ownSteps += 1 }
            }
            memo[width]![v] = r
            return r
        }

        /// What one instruction computes, as read by a `width` operation (nil: not linear).
        func form(ofStep inst: Inst, _ width: Width, depth: Int) -> Form? {
            func operand(_ o: Operand) -> Form? {
                switch o {
                case .imm(let k): return .constant(k)
                case .reg(let r): return form(of: r, width, depth: depth)
                }
            }
            // A step at 32 bits is linear modulo 2^32 only: a 64-bit reader stops there.
            func fits(_ w: Width) -> Bool { w == width || (w == .w64 && width == .w32) }
            switch inst {
            case .mov(_, let s, let w) where fits(w) || (w == .w32 && width == .w32):
                return operand(s)
            // An extension from 32 bits, read at 32 bits, is its operand.
            case .ext(_, let s, .w32, _, _) where width == .w32:
                return form(of: s, width, depth: depth)
            case .binary(.add, _, let a, let b, let w) where fits(w):
                guard let x = form(of: a, width, depth: depth), let y = operand(b) else { return nil }
                return x.plus(y, sign: 1)
            case .binary(.sub, _, let a, let b, let w) where fits(w):
                guard let x = form(of: a, width, depth: depth), let y = operand(b) else { return nil }
                return x.plus(y, sign: -1)
            case .binary(.mul, _, let a, .imm(let k), let w) where fits(w):
                return form(of: a, width, depth: depth)?.times(k)
            case .binary(.shl, _, let a, .imm(let k), let w) where fits(w) && k >= 0 && k < Int64(w.bits):
                return form(of: a, width, depth: depth)?.times(Int64(bitPattern: UInt64(1) << UInt64(k)))
            case .neg(_, let a, let w) where fits(w):
                return form(of: a, width, depth: depth)?.times(-1)
            default:
                return nil
            }
        }

        var g = f, changed = false
        for bi in g.blocks.indices {
            var out: [Instruction] = []
            out.reserveCapacity(g.blocks[bi].instructions.count)
            for i in g.blocks[bi].instructions {
                guard case .binary(let op, let d, _, _, let w) = i.inst, [.add, .sub, .mul, .shl].contains(op),
                      w == .w32 || w == .w64, defs[d] == 1,
                      let fm = form(ofStep: i.inst, w, depth: 0), let base = fm.base,
                      let code = emit(fm, base: base, into: d, width: w, next: &g),
                      code.count < 1 + fm.ownSteps
                else { out.append(i); continue }
                out += code.map { Instruction($0, location: i.location) }
                changed = true
            }
            g.blocks[bi].instructions = out
        }
        return changed ? g : nil
    }

    /// Whether an instruction costs one when it stays (a 64-bit copy is coalesced away,
    /// a constant becomes its reader's immediate).
    static func countsAsStep(_ inst: Inst) -> Bool {
        switch inst {
        case .mov(_, .reg, .w64), .mov(_, .imm, _): return false
        default: return true
        }
    }

    /// `d = base * scale + offset` in at most two instructions with 32-bit immediates.
    static func emit(_ fm: Form, base: VReg, into d: VReg, width w: Width, next g: inout Function) -> [Inst]? {
        func imm(_ k: Int64) -> Int64? {
            if w == .w32 { return Int64(Int32(truncatingIfNeeded: k)) }
            return k.fitsImm32 ? k : nil
        }
        let bits = UInt64(w.bits)
        let mask: UInt64 = w == .w64 ? .max : (1 << bits) - 1
        let scale = UInt64(bitPattern: fm.scale) & mask
        guard let offset = imm(fm.offset) else { return nil }
        if scale == 0 { return [.mov(dst: d, src: .imm(offset), width: w)] }
        if scale == 1 && offset == 0 { return [.mov(dst: d, src: .reg(base), width: w)] }
        var code: [Inst] = []
        var scaled = base
        if scale != 1 {
            scaled = offset == 0 ? d : g.newVReg()
            if scale.nonzeroBitCount == 1 {
                code.append(.binary(.shl, dst: scaled, lhs: base, rhs: .imm(Int64(scale.trailingZeroBitCount)), width: w))
            } else if scale == mask {
                code.append(.neg(dst: scaled, src: base, width: w))
            } else {
                guard let k = imm(Int64(bitPattern: scale)) else { return nil }
                code.append(.binary(.mul, dst: scaled, lhs: base, rhs: .imm(k), width: w))
            }
        }
        if offset != 0 {
            code.append(.binary(.add, dst: d, lhs: scaled, rhs: .imm(offset), width: w))
        }
        return code
    }
}
