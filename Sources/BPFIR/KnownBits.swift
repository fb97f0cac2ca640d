/// Bits of a value known whatever its inputs are, read off the definitions of registers
/// written once: `x | 0xffff` has its low 16 bits set, `x << 4` its low 4 clear, a byte
/// load every bit above 7 clear. A value whose every bit is known is a constant:
/// `(inx | 65535) & 1` is 1, as clang's known-bits analysis finds (a random program's
/// `switch (((inx | 65535) & c) % 6)` kept four cases it could never take, and the
/// inlined functions behind them), and a byte shifted right by `(62 | flag) & 31` is 0.
/// An equality test, or a test of bits, that known bits contradict is decided: `(5 | x)
/// != (b >> 9)` of a byte `b` always holds. A register written more than once has the bits
/// above its `ValueBounds` upper bound clear, and the bits all its definitions agree on known:
/// `(a <= b) + 105`, a choice between 105 and 106, has bits 3, 5 and 6 set; where it is
/// read, it has what its block's last definition before the read writes, or what the
/// definitions reaching the block agree on (`hit = (x != y)` is 0 or 1 where it is tested,
/// though a later `hit += 3` writes it again). Sums and differences have the bits their
/// operands and carries determine; products, remainders and quotients by constants the
/// bits their factors or divisor decide. A load of a `static`
/// only ever stored constants has the bits its initializer and those agree on
/// (`ReadOnlyMemory.knownBits`): clang's global optimizer shrinks such a global to a
/// choice between its values.
public enum KnownBits {
    /// The most blocks one walk back to a register's definitions visits.
    static let searchLimit = 16

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
        var complement: Bits { Bits(ones: zeros, zeros: ones) }
        /// `self + o + carry`: a bit of the sum is known where both operands' bits and the
        /// carry into it are. Carries only grow as unknown bits go from clear to set, so
        /// the carries with every unknown bit set are the most there can be, and with every
        /// one clear the fewest.
        func plus(_ o: Bits, carry: UInt64) -> Bits {
            let most = ~zeros, other = ~o.zeros
            let carriesAtMost = (most &+ other &+ carry) ^ most ^ other
            let carriesAtLeast = (ones &+ o.ones &+ carry) ^ ones ^ o.ones
            let known = self.known & o.known & (~carriesAtMost | carriesAtLeast)
            let value = ones ^ o.ones ^ carriesAtLeast
            return Bits(ones: value & known, zeros: ~value & known)
        }
        /// What is known of a value that is either of two.
        func meet(_ o: Bits) -> Bits { Bits(ones: ones & o.ones, zeros: zeros & o.zeros) }
        /// `self * o` at width `w`: a product of 0 or 1 and a constant is one of the two
        /// (`popcount` of a truth value multiplies it by 0x0101...01); the low bits both
        /// factors have clear are clear; the bits above the largest product, when it fits.
        func times(_ o: Bits, _ w: Width) -> Bits {
            for (x, k) in [(self, o), (o, self)] where k.known == ~0 && x.zeros | 1 == ~0 {
                return Bits.constant(0).meet(.constant(k.ones & w.mask))
            }
            let clearLow = min(64, (~zeros).trailingZeroBitCount + (~o.zeros).trailingZeroBitCount)
            var out = Bits(ones: 0, zeros: clearLow == 64 ? ~0 : (1 << UInt64(clearLow)) - 1)
            let (largest, overflow) = (~zeros & w.mask).multipliedReportingOverflow(by: ~o.zeros & w.mask)
            if !overflow && largest <= w.mask { out.zeros |= ~ValueBounds.possibleBits(largest) }
            return out
        }
        /// The low 32 bits, the upper ones clear (a 32-bit operation's result).
        var low32: Bits { Bits(ones: ones & 0xffff_ffff, zeros: zeros | 0xffff_ffff_0000_0000) }
    }

    public static func run(_ f: Function) -> Function { run(f, memory: ReadOnlyMemory()) }

    /// With `memory`, loads of a `static` whose bytes are written only with constants have
    /// the bits its initializer and those constants agree on.
    public static func run(_ f: Function, memory: ReadOnlyMemory) -> Function {
        let (_, defs) = f.useDefCounts()
        // The definition of each register written once, and its site (block << 32 | index):
        // a register written more than once is read there as its block last wrote it.
        var definition = RegMap<Inst>(capacity: f.nextVReg)
        var definitionSite = RegMap<Int>(capacity: f.nextVReg)
        for bi in f.blocks.indices {
            for (k, instruction) in f.blocks[bi].instructions.enumerated() {
                guard let d = instruction.inst.singleDef, defs[d] == 1 else { continue }
                definition[d] = instruction.inst
                definitionSite[d] = bi << 32 | k
            }
        }
        var memo = RegMap<Bits>(capacity: f.nextVReg)
        /// What a register written more than once holds where its block wrote it before
        /// the read: that definition's value, not what every definition agrees on (`v =
        /// (x != 0)` read at once as a byte, though a later `++v` writes it again). By the
        /// site of the definition (block << 32 | index).
        var siteMemo: [Int: Bits] = [:]
        // Registers written more than once: the bits above their upper bound are clear,
        // and the bits every definition agrees on are known.
        var written: (definitions: [VReg: [Inst]], bounds: ValueBounds, parameters: Set<VReg>)? = nil
        func multiplyWritten(_ r: VReg, depth: Int) -> Bits {
            if written == nil {
                let definitions = f.definitionsByRegister, parameters = Set(f.parameters)
                written = (definitions, ValueBounds(definitions: definitions, parameters: parameters, returns: f.returnBounds), parameters)
            }
            guard !written!.parameters.contains(r) else { return .unknown }
            let bound = written!.bounds.upperBound(r).map { Bits(ones: 0, zeros: ~ValueBounds.possibleBits($0)) } ?? .unknown
            // A definition reading the register back sees a value within its bound.
            memo[r] = bound
            guard let definitions = written!.definitions[r], let first = definitions.first else { return bound }
            var agreed = evaluate(first, depth: depth, at: nil)
            for inst in definitions.dropFirst() where agreed.known != 0 {
                agreed = agreed.meet(evaluate(inst, depth: depth, at: nil))
            }
            return Bits(ones: agreed.ones | bound.ones, zeros: agreed.zeros | bound.zeros)
        }
        /// The bits of `o` read at `site` (block << 32 | index; nil: anywhere).
        func bits(_ o: Operand, depth: Int, at site: Int?) -> Bits {
            switch o {
            case .imm(let k): return .constant(UInt64(bitPattern: k))
            case .reg(let r): return bits(r, depth: depth, at: site)
            }
        }
        /// The bits the definition at `site` writes.
        func definitionBits(at site: Int, depth: Int) -> Bits {
            if let b = siteMemo[site] { return b }
            guard depth > 0 else { return .unknown }
            // (A definition reached again through a loop reads what it wrote unknown.)
            siteMemo[site] = .unknown
            let b = evaluate(f.blocks[site >> 32].instructions[site & 0xffff_ffff].inst, depth: depth - 1, at: site)
            siteMemo[site] = b
            return b
        }
        /// What the definitions of `r` reaching the start of `block` agree on, found by
        /// walking back through predecessors to each one's last definition (at most
        /// `searchLimit` blocks; a path coming round to a block on the walk, a loop, brings
        /// what all of `r`'s definitions agree on; one reaching the entry, a parameter's
        /// arrival, any value, and none for another register, not yet written there); nil
        /// when no definition reaches. Memoized by block and register.
        let preds = f.flowGraph.predecessors
        let parameters = Set(f.parameters)
        var startMemo: [Int: Bits?] = [:]
        func reachingBits(_ r: VReg, block: Int, depth: Int) -> Bits? {
            var onWalk = Set<Int>(), visited = 0
            func walk(_ b: Int) -> Bits? {
                let key = b << 32 | r.id
                if let known = startMemo[key] { return known }
                // (The entry block: the function's arguments arrive there, whatever else jumps to it.)
                guard b != 0 else { return parameters.contains(r) ? .unknown : nil }
                // Round a loop, or too far: what every definition agrees on.
                guard onWalk.insert(b).inserted, visited < Self.searchLimit else { return registerBits(r, depth: depth) }
                visited += 1
                defer { onWalk.remove(b) }
                var agreed: Bits? = nil
                for p in preds[b] {
                    let here = f.blocks[p].instructions.lastDefinition(of: r).map { definitionBits(at: p << 32 | $0, depth: depth) } ?? walk(p)
                    guard let h = here else { continue }
                    agreed = agreed.map { $0.meet(h) } ?? h
                    if agreed!.known == 0 { break }
                }
                startMemo[key] = agreed
                return agreed
            }
            return walk(block)
        }
        func bits(_ r: VReg, depth: Int, at site: Int?) -> Bits {
            if defs[r] > 1, let site {
                let block = site >> 32
                if let k = f.blocks[block].instructions.lastDefinition(of: r, before: site & 0xffff_ffff) {
                    return definitionBits(at: block << 32 | k, depth: depth)
                }
                if let reached = reachingBits(r, block: block, depth: depth) {
                    // With what every definition agrees on (the register's bound).
                    let whole = registerBits(r, depth: depth)
                    let conflicting = reached.ones & whole.zeros | reached.zeros & whole.ones
                    return Bits(ones: (reached.ones | whole.ones) & ~conflicting, zeros: (reached.zeros | whole.zeros) & ~conflicting)
                }
            }
            return registerBits(r, depth: depth)
        }
        /// The bits of `r` wherever it is read.
        func registerBits(_ r: VReg, depth: Int) -> Bits {
            if let b = memo[r] { return b }
            guard depth > 0 else { return .unknown }
            guard let inst = definition[r] else {
                let b = defs[r] > 1 ? multiplyWritten(r, depth: depth - 1) : .unknown
                memo[r] = b
                return b
            }
            let b = evaluate(inst, depth: depth - 1, at: definitionSite[r])
            memo[r] = b
            return b
        }
        /// `src` (the operand's bits at width `w`) shifted by the amount `n`.
        func shifted(_ src: Bits, _ op: BinOp, by n: UInt64, _ w: Width) -> Bits {
            // The bits a right shift brings in at the top of the width.
            let vacated = w.mask & ~(w.mask >> n)
            let sign: UInt64 = 1 << UInt64(w.bits - 1)
            switch op {
            case .shl:
                return Bits(ones: src.ones << n, zeros: src.zeros << n | ((1 << n) - 1))
            case .lshr:
                return Bits(ones: src.ones >> n, zeros: src.zeros >> n | vacated | ~w.mask)
            default:
                // Copies of the sign bit, where it is known.
                return Bits(ones: src.ones >> n | (src.ones & sign != 0 ? vacated : 0),
                            zeros: (src.zeros & w.mask) >> n | (src.zeros & sign != 0 ? vacated : 0) | ~w.mask)
            }
        }
        /// The bits `inst` writes, its operands read at `site` (nil: wherever it is).
        func evaluate(_ inst: Inst, depth: Int, at site: Int?) -> Bits {
            switch inst {
            case .mov(_, .imm(let k), .w64), .loadImm64(_, let k):
                return .constant(UInt64(bitPattern: k))
            case .mov(_, let s, let w):
                let b = bits(s, depth: depth, at: site)
                return w == .w64 ? b : w == .w32 ? b.low32 : .unknown
            case .load(_, let base, let off, let w, false):
                guard case .reg(let b) = base else { return Bits(ones: 0, zeros: ~w.mask) }
                if case .symbolAddr(_, let sym)? = definition[b],
                   let k = memory.knownBits(sym.name, at: Int(sym.offset) + off, width: w, bigEndian: f.bigEndian) {
                    return Bits(ones: k.ones, zeros: k.zeros)
                }
                // At an index into constant data whose bits bound it (a table lookup, as
                // `__builtin_ctz` is lowered): what every entry it can read agrees on.
                if case .binary(.add, _, let l, .reg(let r), .w64)? = definition[b], !memory.isEmpty {
                    for (a, i) in [(l, r), (r, l)] {
                        guard case .symbolAddr(_, let sym)? = definition[a] else { continue }
                        let index = bits(i, depth: depth, at: site)
                        let low = index.ones, high = ~index.zeros
                        guard high >= low, high - low < 256, let start = Int(exactly: sym.offset).map({ $0 + off }) else { break }
                        var agreed: Bits? = nil
                        for k in low...high where k & index.zeros == 0 && k & index.ones == index.ones {
                            guard let e = memory.knownBits(sym.name, at: start + Int(k), width: w, bigEndian: f.bigEndian) else { agreed = nil; break }
                            agreed = agreed.map { $0.meet(Bits(ones: e.ones, zeros: e.zeros)) } ?? Bits(ones: e.ones, zeros: e.zeros)
                        }
                        if let agreed { return agreed }
                        break
                    }
                }
                return Bits(ones: 0, zeros: ~w.mask)
            case .ext(_, let s, let from, let to, let signed) where from.bits <= to.bits:
                let b = bits(.reg(s), depth: depth, at: site)
                // The bits above `from` copy its top bit (signed), where that is known.
                let sign: UInt64 = 1 << UInt64(from.bits - 1)
                let above = signed ? ~from.mask & to.mask : 0
                return Bits(ones: b.ones & from.mask | (b.ones & sign != 0 ? above : 0),
                            zeros: b.zeros & from.mask | ~to.mask | (signed ? (b.zeros & sign != 0 ? above : 0) : ~from.mask))
            case .neg(_, let s, let w) where w == .w32 || w == .w64:
                let out = Bits.constant(0).plus(bits(.reg(s), depth: depth, at: site).complement, carry: 1)
                return w == .w32 ? out.low32 : out
            case .binary(let op, _, let l, let r, let w) where w == .w32 || w == .w64:
                let a = bits(.reg(l), depth: depth, at: site), c = bits(r, depth: depth, at: site)
                var out: Bits
                switch op {
                case .or: out = a.or(c)
                case .and: out = a.and(c)
                case .xor: out = a.xor(c)
                case .add: out = a.plus(c, carry: 0)
                case .sub: out = a.plus(c.complement, carry: 1)
                case .mul: out = a.times(c, w)
                // By a constant d = 2^k * m: a remainder below d, its low k bits the
                // dividend's (`((x | 1) - 1) % 10` is even: never 3); a quotient at most the
                // dividend's largest over d.
                case .urem, .udiv:
                    guard c.known == ~0, case let d = c.ones & w.mask, d != 0 else { return w == .w32 ? Bits.unknown.low32 : .unknown }
                    let src = w == .w64 ? a : a.low32
                    if op == .udiv {
                        out = Bits(ones: 0, zeros: ~ValueBounds.possibleBits((~src.zeros & w.mask) / d))
                    } else {
                        let low: UInt64 = (1 << UInt64(d.trailingZeroBitCount)) - 1
                        out = Bits(ones: src.ones & low, zeros: src.zeros & low | ~ValueBounds.possibleBits(d - 1))
                    }
                case .shl, .lshr, .ashr:
                    let src = w == .w64 ? a : a.low32
                    let amountBits = UInt64(w.bits - 1)
                    if c.known & amountBits == amountBits {
                        out = shifted(src, op, by: c.ones & amountBits, w)
                    } else {
                        // At least the amount's known ones: that many more low bits clear
                        // (left), or high bits clear (right, of a value whose sign is clear).
                        let least = c.ones & amountBits
                        switch op {
                        case .shl:
                            let clear = min(UInt64((~src.zeros).trailingZeroBitCount) + least, 64)
                            out = Bits(ones: 0, zeros: clear == 64 ? ~0 : (1 << clear) - 1)
                        case .ashr where src.zeros & (1 << UInt64(w.bits - 1)) == 0:
                            out = .unknown
                        default:
                            let top = (src.zeros & w.mask) | ~w.mask
                            let clear = min(UInt64((~top).leadingZeroBitCount) + least, 64)
                            out = Bits(ones: 0, zeros: clear == 64 ? ~0 : ~(~0 >> clear))
                        }
                    }
                default: return .unknown
                }
                return w == .w32 ? out.low32 : out
            // A static sub-program's result: the bits above what it returns at most are clear.
            case .call(_, .function(let n), _):
                return f.returnBounds[n].map { Bits(ones: 0, zeros: ~ValueBounds.possibleBits($0)) } ?? .unknown
            default:
                return .unknown
            }
        }
        var g = f
        var changed = false
        for bi in g.blocks.indices {
            for k in g.blocks[bi].instructions.indices {
                let inst = g.blocks[bi].instructions[k].inst
                switch inst {
                case .binary, .ext, .neg, .mov(_, .reg, _): break
                default: continue
                }
                guard let d = inst.singleDef, defs[d] > 0 else { continue }
                // (Read just after: the value this instruction writes.)
                let value = bits(d, depth: 12, at: bi << 32 | (k + 1))
                if value.known == ~0 {
                    g.blocks[bi].instructions[k].inst = .mov(dst: d, src: .imm(Int64(bitPattern: value.ones)), width: .w64)
                    changed = true
                } else if definition[d] != nil, case .binary(.and, _, let l, .reg(let r), let w) = inst, w == .w32 || w == .w64 {
                    // One side's possible bits all set in the other: the `and` is that side
                    // (`(x | 0xffff) & flag` is the flag). A mask that is a constant is left
                    // to the passes that read `and` with a constant (field updates).
                    let a = bits(l, depth: 12, at: bi << 32 | k), c = bits(r, depth: 12, at: bi << 32 | k)
                    let kept: VReg? = a.known == ~0 || c.known == ~0 ? nil
                        : ~c.zeros & w.mask & ~a.ones == 0 ? r : (~a.zeros & w.mask & ~c.ones == 0 ? l : nil)
                    if let x = kept {
                        g.blocks[bi].instructions[k].inst = .mov(dst: d, src: .reg(x), width: w)
                        changed = true
                    }
                }
            }
            guard case .branch(let cc, let x, let y, let w, let thenB, let elseB) = g.blocks[bi].terminator,
                  cc == .eq || cc == .ne || cc == .set, w == .w32 || w == .w64 else { continue }
            let end = bi << 32 | g.blocks[bi].instructions.count
            let a = bits(.reg(x), depth: 12, at: end), c = bits(y, depth: 12, at: end)
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
