/// Bits of a value known whatever its inputs are, read off the definitions of registers
/// written once: `x | 0xffff` has its low 16 bits set, `x << 4` its low 4 clear, a byte
/// load every bit above 7 clear. A mask whose every bit is known gives a constant:
/// `(inx | 65535) & 1` is 1, as clang's known-bits analysis finds (a random program's
/// `switch (((inx | 65535) & c) % 6)` kept four cases it could never take, and the
/// inlined functions behind them). So does an `or` setting every bit not known, and an
/// equality test, or a test of bits, that known bits contradict is decided: `(5 | x) !=
/// (b >> 9)` of a byte `b` always holds. A register written more than once has the bits
/// above its `ValueBounds` upper bound clear.
public enum KnownBits {
    /// `ones`: bits known set; `zeros`: bits known clear (of the 64-bit register).
    struct Bits: Equatable {
        var ones: UInt64
        var zeros: UInt64
        static let unknown = Bits(ones: 0, zeros: 0)
        static func constant(_ v: UInt64) -> Bits { Bits(ones: v, zeros: ~v) }
        var known: UInt64 { ones | zeros }
        func and(_ o: Bits) -> Bits { Bits(ones: ones & o.ones, zeros: zeros | o.zeros) }
        func or(_ o: Bits) -> Bits { Bits(ones: ones | o.ones, zeros: zeros & o.zeros) }
        func xor(_ o: Bits) -> Bits { Bits(ones: ones & o.zeros | zeros & o.ones, zeros: zeros & o.zeros | ones & o.ones) }
        /// The low 32 bits, the upper ones clear (a 32-bit operation's result).
        var low32: Bits { Bits(ones: ones & 0xffff_ffff, zeros: zeros | 0xffff_ffff_0000_0000) }
    }

    public static func run(_ f: Function) -> Function {
        let (_, defs) = f.useDefCounts()
        // What may change: masks by constants, and equality or bit tests.
        var candidates = f.blocks.contains {
            if case .branch(let cc, _, _, _, _, _) = $0.terminator { return cc == .eq || cc == .ne || cc == .set }
            return false
        }
        var definition = RegMap<Inst>(capacity: f.nextVReg)
        f.forEachInstruction { _, inst in
            guard let d = inst.singleDef, defs[d] == 1 else { return }
            definition[d] = inst
            if case .binary(let op, _, _, .imm, let w) = inst, op == .and || op == .or, w == .w32 || w == .w64 { candidates = true }
        }
        guard candidates else { return f }
        var memo = RegMap<Bits>(capacity: f.nextVReg)
        // Registers written more than once: the bits above their upper bound are clear.
        var bounds: ValueBounds? = nil
        func bounded(_ r: VReg) -> Bits {
            if bounds == nil { bounds = ValueBounds(definitions: f.definitionsByRegister, parameters: Set(f.parameters)) }
            guard let ub = bounds!.upperBound(r) else { return .unknown }
            return Bits(ones: 0, zeros: ~ValueBounds.possibleBits(ub))
        }
        func bits(_ o: Operand, depth: Int) -> Bits {
            switch o {
            case .imm(let k): return .constant(UInt64(bitPattern: k))
            case .reg(let r): return bits(r, depth: depth)
            }
        }
        func bits(_ r: VReg, depth: Int) -> Bits {
            if let b = memo[r] { return b }
            guard depth > 0 else { return .unknown }
            guard let inst = definition[r] else {
                let b = defs[r] > 1 ? bounded(r) : .unknown
                memo[r] = b
                return b
            }
            let b = evaluate(inst, depth: depth - 1)
            memo[r] = b
            return b
        }
        func evaluate(_ inst: Inst, depth: Int) -> Bits {
            switch inst {
            case .mov(_, .imm(let k), .w64), .loadImm64(_, let k):
                return .constant(UInt64(bitPattern: k))
            case .mov(_, let s, let w):
                let b = bits(s, depth: depth)
                return w == .w64 ? b : w == .w32 ? b.low32 : .unknown
            case .load(_, _, _, let w, false) where w != .w64:
                return Bits(ones: 0, zeros: ~w.mask)
            case .ext(_, let s, let from, let to, false) where from.bits <= to.bits:
                let b = bits(.reg(s), depth: depth)
                return Bits(ones: b.ones & from.mask, zeros: b.zeros | ~from.mask)
            case .binary(let op, _, let l, let r, let w) where w == .w32 || w == .w64:
                let a = bits(.reg(l), depth: depth), c = bits(r, depth: depth)
                var out: Bits
                switch op {
                case .or: out = a.or(c)
                case .and: out = a.and(c)
                case .xor: out = a.xor(c)
                case .shl, .lshr, .ashr:
                    guard case .imm(let k) = r else { return .unknown }
                    let n = UInt64(k) & (w == .w64 ? 63 : 31)
                    let src = w == .w64 ? a : a.low32
                    // The bits a right shift brings in at the top of the width.
                    let vacated = w.mask & ~(w.mask >> n)
                    let sign: UInt64 = 1 << UInt64(w.bits - 1)
                    switch op {
                    case .shl:
                        out = Bits(ones: src.ones << n, zeros: src.zeros << n | ((1 << n) - 1))
                    case .lshr:
                        out = Bits(ones: src.ones >> n, zeros: src.zeros >> n | vacated | ~w.mask)
                    default:
                        // Copies of the sign bit, where it is known.
                        out = Bits(ones: src.ones >> n | (src.ones & sign != 0 ? vacated : 0),
                                   zeros: (src.zeros & w.mask) >> n | (src.zeros & sign != 0 ? vacated : 0) | ~w.mask)
                    }
                default: return .unknown
                }
                return w == .w32 ? out.low32 : out
            default:
                return .unknown
            }
        }
        var g = f
        var changed = false
        for bi in g.blocks.indices {
            for k in g.blocks[bi].instructions.indices {
                guard case .binary(let op, let d, let l, .imm(let m), let w) = g.blocks[bi].instructions[k].inst,
                      op == .and || op == .or, w == .w32 || w == .w64 else { continue }
                let a = bits(.reg(l), depth: 12)
                let mask = UInt64(bitPattern: m) & w.mask
                // `and`: the mask's bits all known; `or`: every bit outside it known.
                let needed = op == .and ? mask : ~mask & w.mask
                guard a.known & needed == needed else { continue }
                let value = (op == .and ? a.ones & mask : (a.ones | mask)) & w.mask
                g.blocks[bi].instructions[k].inst = .mov(dst: d, src: .imm(Int64(bitPattern: value)), width: .w64)
                changed = true
            }
            guard case .branch(let cc, let x, let y, let w, let thenB, let elseB) = g.blocks[bi].terminator,
                  cc == .eq || cc == .ne || cc == .set, w == .w32 || w == .w64 else { continue }
            let a = bits(.reg(x), depth: 12), c = bits(y, depth: 12)
            let decided: Bool?
            if cc == .set {
                let both = a.and(c)
                decided = both.ones & w.mask != 0 ? true : (both.zeros & w.mask == w.mask ? false : nil)
            } else {
                // A bit known set on one side and clear on the other.
                let contradicts = (a.ones & c.zeros | a.zeros & c.ones) & w.mask != 0
                decided = contradicts ? (cc == .ne) : nil
            }
            if let taken = decided {
                g.blocks[bi].terminator = .jump(taken ? thenB : elseB)
                changed = true
            }
        }
        return changed ? CFGSimplify.run(g) : f
    }
}
