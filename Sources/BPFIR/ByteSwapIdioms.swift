/// Byte swaps written with shifts, masks and `or`s become one `bswap`:
/// `((x >> 8) & 0xff) | ((x & 0xff) << 8)` (glibc's `__bswap_constant_16`, which programs
/// define `ntohs` with) is `bswap16(x)`, and the four-term `__bswap_constant_32` is
/// `bswap32(x)`, as clang folds them. Six instructions become one, and the verifier sees
/// a 16-bit value.
///
/// Each register written once is followed to where each of its bytes comes from: a byte
/// of one source register, zero, or unknown. Masks by whole bytes, shifts by whole
/// bytes, `or`s of such pieces, narrow loads and zero extensions keep the track; anything
/// else makes the register its own source. An `or` whose bytes are a source's low bytes
/// in reverse order, the rest zero, is that source swapped.
public enum ByteSwapIdioms {
    /// Where each byte of a value comes from (least significant first).
    struct Bytes: Equatable {
        static let zero: Int8 = -1, unknown: Int8 = -2
        var source: VReg?
        /// For each byte: the index of the source's byte, `zero` or `unknown`.
        var bytes: [Int8]

        static func itself(_ v: VReg, keeping count: Int = 8) -> Bytes {
            Bytes(source: v, bytes: (0..<8).map { $0 < count ? Int8($0) : zero })
        }

        /// Bytes from `count` up made zero (a result of that many bytes).
        func truncated(to count: Int) -> Bytes {
            var out = self
            for i in count..<8 { out.bytes[i] = Self.zero }
            return out
        }
    }

    public static func run(_ f: Function) -> Function {
        let (_, defs) = f.useDefCounts()
        var definition = RegMap<Inst>(capacity: f.nextVReg)
        var roots: [(block: Int, index: Int, dst: VReg)] = []
        for (b, blk) in f.blocks.enumerated() {
            for (k, i) in blk.instructions.enumerated() {
                guard let d = i.inst.singleDef, defs[d] == 1 else { continue }
                definition[d] = i.inst
                if case .binary(.or, _, _, .reg, let w) = i.inst, w == .w32 || w == .w64 { roots.append((b, k, d)) }
            }
        }
        guard !roots.isEmpty else { return f }
        var memo = RegMap<Bytes>(capacity: f.nextVReg)

        func bytes(of v: VReg, depth: Int) -> Bytes {
            if let known = memo[v] { return known }
            // A register written more than once may hold another value where the swap reads it.
            guard defs[v] == 1 else { return Bytes(source: nil, bytes: Array(filled: Bytes.unknown, count: 8)) }
            guard depth < 12, let inst = definition[v] else { return .itself(v) }
            let result = derive(inst, v, depth: depth + 1) ?? .itself(v, keeping: resultBytes(inst))
            memo[v] = result
            return result
        }

        /// How many low bytes of its result `inst` may make non-zero.
        func resultBytes(_ inst: Inst) -> Int {
            switch inst {
            case .load(_, _, _, let w, false), .bswap(_, _, let w): return w.bytes
            case .binary(_, _, _, _, .w32), .mov(_, _, .w32), .neg(_, _, .w32): return 4
            case .ext(_, _, let from, let to, false): return min(from.bytes, to.bytes)
            default: return 8
            }
        }

        func derive(_ inst: Inst, _ v: VReg, depth: Int) -> Bytes? {
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
                        case 0: out.bytes[i] = Bytes.zero
                        default: out.bytes[i] = Bytes.unknown
                        }
                    }
                    return out
                case (.lshr, .imm(let k)), (.ashr, .imm(let k)):
                    guard k > 0, k % 8 == 0, k < 8 * n else { return nil }
                    let j = Int(k / 8)
                    var out = x
                    // An arithmetic shift fills with copies of the sign: zero when the top byte is.
                    let fill = op == .lshr || x.bytes[n - 1] == Bytes.zero ? Bytes.zero : Bytes.unknown
                    for i in 0..<n { out.bytes[i] = i + j < n ? x.bytes[i + j] : fill }
                    return out
                case (.shl, .imm(let k)):
                    guard k > 0, k % 8 == 0, k < 8 * n else { return nil }
                    let j = Int(k / 8)
                    var out = x
                    for i in 0..<n { out.bytes[i] = i >= j ? x.bytes[i - j] : Bytes.zero }
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

        /// `x | y`, when every byte has at most one side not zero and they share a source.
        func merged(_ x: Bytes, _ y: Bytes) -> Bytes? {
            var out = Bytes(source: nil, bytes: Array(filled: Bytes.zero, count: 8))
            for (side, other) in [(x, y), (y, x)] {
                for i in 0..<8 where side.bytes[i] != Bytes.zero {
                    guard other.bytes[i] == Bytes.zero, side.bytes[i] != Bytes.unknown else { return nil }
                    guard out.source == nil || out.source == side.source else { return nil }
                    out.source = side.source
                    out.bytes[i] = side.bytes[i]
                }
            }
            return out
        }

        var g = f
        for (b, k, d) in roots {
            let r = bytes(of: d, depth: 0)
            guard let x = r.source, x != d else { continue }
            for w in [Width.w16, .w32, .w64] {
                let n = w.bytes
                guard r.bytes == (0..<8).map({ $0 < n ? Int8(n - 1 - $0) : Bytes.zero }) else { continue }
                g.blocks[b].instructions[k].inst = .bswap(dst: d, src: x, width: w)
                break
            }
        }
        return g
    }
}
