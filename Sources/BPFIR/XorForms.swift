/// Values that are one register xor-ed with a constant, followed through a block:
/// `x ^ (0x7fffffff - x)` is `0x7fffffff` in 32 bits, whatever `x` is, as clang's
/// instruction combining finds. Subtracting from a constant whose bits below the top one
/// are all ones borrows nowhere, so `C - x` is `C ^ x`; adding or subtracting the top bit
/// alone is xor-ing it; and two forms of one register xor-ed together leave a constant.
///
/// Forms are taken at an operation's width: the low 32 bits of a 64-bit operation or
/// extension follow its operands' low 32 bits, so `(int)(x ^ ((long)0x7fffffff - x))` is
/// seen too. Each definition in the block is numbered, so a register written several
/// times (a loop's variable) is the same value in two forms only when no write came
/// between; a register written before the block is one value throughout it.
///
/// An `xor`, `add` or `sub` whose form is a constant becomes a `mov` of it (then the
/// verifier tracks a constant that depends on no earlier register: a loop carrying
/// `x ^= C - x` keeps no history in it), and one whose form is a register still holding
/// that value becomes a copy of it.
public enum XorForms {
    /// A definition: the register and which of its writes in the block (0: its value
    /// coming into the block).
    struct Def: Hashable { var reg: VReg; var index: Int }

    /// The value's low bits at some width are `base ^ bits` (no base: the constant `bits`).
    struct Form: Equatable {
        var base: Def?
        var bits: UInt64

        func xor(_ o: Form, mask: UInt64) -> Form? {
            switch (base, o.base) {
            case (nil, _): return Form(base: o.base, bits: (bits ^ o.bits) & mask)
            case (_, nil): return Form(base: base, bits: (bits ^ o.bits) & mask)
            case (let a?, let b?) where a == b: return Form(base: nil, bits: (bits ^ o.bits) & mask)
            default: return nil
            }
        }
    }

    public static func run(_ f: Function) -> Function {
        func hasXor(_ b: Block) -> Bool { b.instructions.contains { isXor($0.inst) } }
        guard f.blocks.contains(where: hasXor) else { return f }
        var g = f
        for bi in g.blocks.indices where hasXor(g.blocks[bi]) {
            rewrite(&g.blocks[bi].instructions)
        }
        return g
    }

    static func isXor(_ inst: Inst) -> Bool {
        if case .binary(.xor, _, _, _, let w) = inst { return w == .w32 || w == .w64 }
        return false
    }

    /// One block's walk: each definition recorded with the writes its operands read
    /// (register arithmetic and copies: what a form may look through).
    static func rewrite(_ insts: inout [Instruction]) {
        var current: [VReg: Int] = [:]               // register -> its latest write's number
        var recorded: [Def: (inst: Inst, reads: [(VReg, Int)])] = [:]
        var next = 1

        func def(_ r: VReg, in reads: [(VReg, Int)]) -> Def { Def(reg: r, index: reads.first { $0.0 == r }?.1 ?? 0) }

        /// The form of `d`'s value in its low `width` bits, looking through at most
        /// `depth` more definitions.
        func form(_ d: Def, width: Width, depth: Int) -> Form {
            let itself = Form(base: d, bits: 0)
            guard depth > 0, d.index > 0, let (inst, reads) = recorded[d] else { return itself }
            let mask = width.mask
            func of(_ o: Operand) -> Form {
                switch o {
                case .imm(let k): return Form(base: nil, bits: UInt64(bitPattern: k) & mask)
                case .reg(let r): return form(def(r, in: reads), width: width, depth: depth - 1)
                }
            }
            let topBit: UInt64 = 1 << UInt64(width.bits - 1)
            switch inst {
            case .mov(_, .imm(let k), let w):
                let v = w == .w32 ? UInt64(UInt32(truncatingIfNeeded: k)) : UInt64(bitPattern: k)
                return Form(base: nil, bits: v & mask)
            case .loadImm64(_, let k):
                return Form(base: nil, bits: UInt64(bitPattern: k) & mask)
            case .mov(_, let s, let w) where w.bits >= width.bits:
                return of(s)
            case .ext(_, let s, let from, let to, _) where min(from.bits, to.bits) >= width.bits:
                return of(.reg(s))
            case .binary(let op, _, let l, let r, let w) where w.bits >= width.bits && (w == .w32 || w == .w64):
                let a = of(.reg(l)), b = of(r)
                switch op {
                case .xor:
                    return a.xor(b, mask: mask) ?? itself
                case .sub where a.base == nil && a.bits | topBit == mask:
                    return b.xor(a, mask: mask) ?? itself        // C - x, no borrow below the top bit
                case .sub where b.base == nil && b.bits == topBit, .add where b.base == nil && b.bits == topBit:
                    return a.xor(b, mask: mask) ?? itself
                case .add where a.base == nil && a.bits == topBit:
                    return b.xor(a, mask: mask) ?? itself
                default:
                    return itself
                }
            default:
                return itself
            }
        }

        for k in insts.indices {
            let inst = insts[k].inst
            guard inst.isArithmeticOrCopy else {
                for d in inst.definedRegs { current[d] = next; next += 1 }
                continue
            }
            var reads: [(VReg, Int)] = []
            inst.forEachUse { r in if let n = current[r] { reads.append((r, n)) } }
            if case .binary(let op, let d, _, _, let w) = inst, op == .xor || op == .sub || op == .add, w == .w32 || w == .w64 {
                recorded[Def(reg: d, index: next)] = (inst, reads)    // (its own number: it is defined next)
                let found = form(Def(reg: d, index: next), width: w, depth: 8)
                if found.base == nil {
                    insts[k].inst = .mov(dst: d, src: .imm(Int64(bitPattern: found.bits)), width: .w64)
                } else if found.bits == 0, let b = found.base, b.reg != d, (current[b.reg] ?? 0) == b.index {
                    insts[k].inst = .mov(dst: d, src: .reg(b.reg), width: w)
                }
            }
            for d in insts[k].inst.definedRegs {
                recorded[Def(reg: d, index: next)] = (insts[k].inst, reads)
                current[d] = next
                next += 1
            }
        }
    }
}
