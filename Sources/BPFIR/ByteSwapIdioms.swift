/// Byte swaps written with shifts, masks and `or`s become one `bswap`:
/// `((x >> 8) & 0xff) | ((x & 0xff) << 8)` (glibc's `__bswap_constant_16`, which programs
/// define `ntohs` with) is `bswap16(x)`, and the four-term `__bswap_constant_32` is
/// `bswap32(x)`, as clang folds them. Six instructions become one, and the verifier sees
/// a 16-bit value.
///
/// Each register written once is followed to where each of its bytes comes from: a byte
/// of a source register, zero, or unknown (`ByteOrigins`). Masks by whole bytes, shifts by
/// whole bytes, `or`s of such pieces, narrow loads and zero extensions keep the track;
/// anything else makes the register its own source. An `or` whose bytes are a source's low
/// bytes in reverse order, the rest zero, is that source swapped.
///
/// `storedPieces`: a store of a value's low bytes that one register's low bytes make up
/// stores that register (a packed struct's misaligned `u64` read a byte at a time and
/// assembled with shifts and `or`s, then stored a byte at a time: each store takes the byte
/// it was loaded as, and the assembly dies).
public enum ByteSwapIdioms {
    public static func run(_ f: Function) -> Function {
        let (_, defs) = f.useDefCounts()
        var roots: [(block: Int, index: Int, dst: VReg)] = []
        for (b, blk) in f.blocks.enumerated() {
            for (k, i) in blk.instructions.enumerated() {
                guard case .binary(.or, let d, _, .reg, let w) = i.inst, w == .w32 || w == .w64, defs[d] == 1 else { continue }
                roots.append((b, k, d))
            }
        }
        guard !roots.isEmpty else { return f }
        var origins = ByteOrigins(f, defs: defs, oneSource: true)
        var g = f
        for (b, k, d) in roots {
            let r = origins.bytes(of: d)
            guard let x = r.soleSource, x != d else { continue }
            for w in [Width.w16, .w32, .w64] {
                let n = w.bytes
                guard r.bytes == (0..<8).map({ $0 < n ? .of(x, Int8(n - 1 - $0)) : .zero }) else { continue }
                g.blocks[b].instructions[k].inst = .bswap(dst: d, src: x, width: w)
                break
            }
        }
        return g
    }

    /// Stores of a value whose low bytes, as many as are stored, are one register's low
    /// bytes store that register instead (see the type's comment), where the store is the
    /// value's only reader: the value then dies, and with the pieces a byte at a time, the
    /// whole assembly (rounds with dead code removed between, up to four).
    public static func storedPieces(_ f: Function) -> Function {
        // (Pieces come together through an `or` of registers.)
        guard f.blocks.contains(where: { $0.instructions.contains { if case .binary(.or, _, _, .reg, _) = $0.inst { return true }; return false } })
        else { return f }
        var g = f
        for _ in 0..<4 {
            let (uses, defs) = g.useDefCounts()
            var origins = ByteOrigins(g, defs: defs, oneSource: false)
            var changed = false
            for b in g.blocks.indices {
                for k in g.blocks[b].instructions.indices {
                    guard case .store(let base, let off, .reg(let t), let w) = g.blocks[b].instructions[k].inst,
                          uses[t] == 1, defs[t] == 1, origins.isAssembled(t) else { continue }
                    let r = origins.bytes(of: t)
                    guard case .of(let x, 0) = r.bytes[0], x != t,
                          (0..<w.bytes).allSatisfy({ r.bytes[$0] == .of(x, Int8($0)) }) else { continue }
                    g.blocks[b].instructions[k].inst = .store(base: base, offset: off, value: .reg(x), width: w)
                    changed = true
                }
            }
            guard changed else { break }
            g = DeadCodeElimination.run(g)
        }
        return g
    }
}

/// Where each byte of the registers written once comes from (least significant first):
/// a byte of a source register, zero, or unknown. Masks by whole bytes, shifts by whole
/// bytes, `or`s of pieces whose non-zero bytes do not overlap (of one source only, with
/// `oneSource`), narrow loads and zero extensions are followed; any other definition
/// makes the register its own source. Each source is a register written once, so it
/// holds the same value wherever it is read.
struct ByteOrigins {
    enum Byte: Equatable { case zero, unknown, of(VReg, Int8) }

    struct Bytes: Equatable {
        var bytes: [Byte]

        static func itself(_ v: VReg, keeping count: Int = 8) -> Bytes {
            Bytes(bytes: (0..<8).map { $0 < count ? .of(v, Int8($0)) : .zero })
        }

        /// Bytes from `count` up made zero (a result of that many bytes).
        func truncated(to count: Int) -> Bytes {
            var out = self
            for i in count..<8 { out.bytes[i] = .zero }
            return out
        }

        /// The register all the bytes that come from one come from, when there is one.
        var soleSource: VReg? {
            var source: VReg? = nil
            for case .of(let r, _) in bytes {
                if source != nil && source != r { return nil }
                source = r
            }
            return source
        }
    }

    private let defs: RegCounts
    private let oneSource: Bool
    private var definition: RegMap<Inst>
    private var memo: RegMap<Bytes>

    init(_ f: Function, defs: RegCounts, oneSource: Bool) {
        self.defs = defs
        self.oneSource = oneSource
        definition = RegMap<Inst>(capacity: f.nextVReg)
        memo = RegMap<Bytes>(capacity: f.nextVReg)
        for b in f.blocks {
            for i in b.instructions {
                if let d = i.inst.singleDef, defs[d] == 1 { definition[d] = i.inst }
            }
        }
    }

    mutating func bytes(of v: VReg, depth: Int = 0) -> Bytes {
        if let known = memo[v] { return known }
        // A register written more than once may hold another value where it is read.
        guard defs[v] == 1 else { return Bytes(bytes: Array(filled: .unknown, count: 8)) }
        guard depth < 12, let inst = definition[v] else { return .itself(v) }
        let result = derive(inst, depth: depth + 1) ?? .itself(v, keeping: Self.resultBytes(inst))
        memo[v] = result
        return result
    }

    /// Whether `v` is an `or` of pieces, or shifted, masked or copied from one: a value put
    /// together from others (whose pieces, stored instead, leave it unused) rather than
    /// one narrowed from a register that stays live.
    func isAssembled(_ v: VReg) -> Bool {
        var r = v
        for _ in 0..<12 {
            guard defs[r] == 1, let inst = definition[r] else { return false }
            switch inst {
            case .binary(.or, _, _, .reg, _): return true
            case .binary(.lshr, _, let s, .imm, _), .binary(.ashr, _, let s, .imm, _), .binary(.shl, _, let s, .imm, _),
                 .binary(.and, _, let s, .imm, _), .mov(_, .reg(let s), _), .ext(_, let s, _, _, false):
                r = s
            default: return false
            }
        }
        return false
    }

    /// How many low bytes of its result `inst` may make non-zero.
    static func resultBytes(_ inst: Inst) -> Int {
        switch inst {
        case .load(_, _, _, let w, false), .bswap(_, _, let w): return w.bytes
        case .binary(_, _, _, _, .w32), .mov(_, _, .w32), .neg(_, _, .w32): return 4
        case .ext(_, _, let from, let to, false): return min(from.bytes, to.bytes)
        default: return 8
        }
    }

    private mutating func derive(_ inst: Inst, depth: Int) -> Bytes? {
        switch inst {
        case .mov(_, .reg(let s), .w64):
            return bytes(of: s, depth: depth)
        case .mov(_, .reg(let s), .w32):
            return bytes(of: s, depth: depth).truncated(to: 4)
        case .ext(_, let s, let from, let to, false):
            return bytes(of: s, depth: depth).truncated(to: min(from.bytes, to.bytes))
        case .binary(let op, _, let s, let rhs, let w) where w == .w32 || w == .w64:
            let n = w.bytes
            let x = bytes(of: s, depth: depth).truncated(to: n)
            switch (op, rhs) {
            case (.and, .imm(let k)):
                var out = x
                for i in 0..<n {
                    switch (UInt64(bitPattern: k) >> UInt64(8 * i)) & 0xff {
                    case 0xff: break
                    case 0: out.bytes[i] = .zero
                    default: out.bytes[i] = .unknown
                    }
                }
                return out
            case (.lshr, .imm(let k)), (.ashr, .imm(let k)):
                guard k > 0, k % 8 == 0, k < 8 * n else { return nil }
                let j = Int(k / 8)
                var out = x
                // An arithmetic shift fills with copies of the sign: zero when the top byte is.
                let fill: Byte = op == .lshr || x.bytes[n - 1] == .zero ? .zero : .unknown
                for i in 0..<n { out.bytes[i] = i + j < n ? x.bytes[i + j] : fill }
                return out
            case (.shl, .imm(let k)):
                guard k > 0, k % 8 == 0, k < 8 * n else { return nil }
                let j = Int(k / 8)
                var out = x
                for i in 0..<n { out.bytes[i] = i >= j ? x.bytes[i - j] : .zero }
                return out
            case (.or, .reg(let t)):
                let y = bytes(of: t, depth: depth).truncated(to: n)
                return merged(x, y)
            default:
                return nil
            }
        default:
            return nil
        }
    }

    /// `x | y`, when every byte has at most one side not zero, and that side's byte is
    /// known (and, with `oneSource`, all come from one register).
    private func merged(_ x: Bytes, _ y: Bytes) -> Bytes? {
        var out = Bytes(bytes: Array(filled: .zero, count: 8))
        for i in 0..<8 {
            let (a, b) = (x.bytes[i], y.bytes[i])
            let side = a == .zero ? b : a
            guard a == .zero || b == .zero, side != .unknown else { return nil }
            out.bytes[i] = side
        }
        if oneSource, case .none = out.soleSource, out.bytes.contains(where: { if case .of = $0 { return true }; return false }) { return nil }
        return out
    }
}
