/// Upper bounds of register values, read off their definitions: a value loaded as a byte is
/// below 256, `(byte + 1) * 8` below 2049, a constant is itself. A bound holds for every
/// definition of the register (registers of C locals assigned in several places count
/// every assignment); registers whose value depends on itself (loop variables) and
/// parameters have none.
///
/// Used to drop extensions that cannot change the value: a sign extension from 32 bits of a
/// value below 2^31 is the value (what clang knows from `nsw` arithmetic on small operands).
/// Lower bounds (`lowerBound`) are known for fewer definitions, for deciding branches.
struct ValueBounds {
    private let definitions: [VReg: [Inst]]
    private let parameters: Set<VReg>
    private var cache: [VReg: UInt64?] = [:]
    /// Registers being bounded, with the count of operations that may set new bits
    /// (`growingSteps`) on the way to them; registers met again through none of those.
    private var visiting: [VReg: Int] = [:]
    private var growingSteps = 0
    private var assumed: Set<VReg> = []
    /// Registers looked at by the outermost `upperBound` query under way. While an
    /// assumption stands nothing found is cached, and a web of registers each written in
    /// several places, reached from each other by many paths, would be walked once per
    /// path: past `maxSteps` the query has no bound (seed 60267: minutes).
    private var steps = 0
    static let maxSteps = 20_000
    private var rangeVisiting: Set<VReg> = []
    /// Whether quotients and remainders by constants are bounded (for deciding branches:
    /// `(c / 100) % 5` of a byte is at most 2), which the passes dropping extensions
    /// must not be told (below).
    private let boundsQuotients: Bool
    /// What the static sub-programs called return at most (`Function.returnBounds`).
    private let returns: [SymbolName: UInt64]

    /// `definitions`: every instruction defining each register.
    /// `known`: bounds found otherwise (`LoopCounters`), taken as they are.
    /// `returns`: what the functions called return at most.
    init(definitions: [VReg: [Inst]], parameters: Set<VReg>, returns: [SymbolName: UInt64], known: [VReg: UInt64] = [:], quotients: Bool = false) {
        self.definitions = definitions
        self.returns = returns
        self.parameters = parameters
        boundsQuotients = quotients
        for (v, b) in known { cache[v] = b }
    }

    /// The bounds of `f`'s registers, over every definition in it.
    init(of f: Function, known: [VReg: UInt64] = [:]) {
        self.init(definitions: f.definitionsByRegister, parameters: Set(f.parameters), returns: f.returnBounds, known: known)
    }

    /// The largest value `v` can hold (as an unsigned 64-bit number), if known.
    ///
    /// A register that depends on itself only through operations whose result has no bit
    /// its operands lack (copies, zero extensions, `and`, `or`, `xor`, logical right
    /// shifts: `in1 ^= in6` of a `u16` in a loop) is bounded by the bits its other
    /// definitions and operands may set: the cycle is taken as adding nothing, and the
    /// bound rounded up to all ones below its top bit, a set of values those operations
    /// cannot leave. What is found while such an assumption stands is not cached.
    mutating func upperBound(_ v: VReg) -> UInt64? {
        if let known = cache[v] { return known }
        guard !parameters.contains(v), let ds = definitions[v], !ds.isEmpty else { return nil }
        if visiting.isEmpty { steps = 0 }
        steps += 1
        guard steps <= Self.maxSteps else { return nil }
        if let entry = visiting[v] {
            guard entry == growingSteps else { return nil }
            assumed.insert(v)
            return 0
        }
        visiting[v] = growingSteps
        defer { visiting[v] = nil }
        var result: UInt64 = 0
        for d in ds {
            guard let b = bound(of: d) else {
                if assumed.isEmpty { cache[v] = .some(nil) }
                assumed.remove(v)
                return nil
            }
            result = max(result, b)
        }
        if assumed.remove(v) != nil { result = Self.possibleBits(result) }
        if assumed.isEmpty { cache[v] = result }
        return result
    }

    /// The smallest value `v` can hold (as an unsigned 64-bit number): a constant, or a
    /// sum of a value and a constant that cannot wrap (`(x >> 2) + 127` of a 16-bit `x` is
    /// at least 127), or an `or` with a constant; 0 where nothing is known.
    mutating func lowerBound(_ v: VReg, depth: Int = 0) -> UInt64 {
        guard depth < 8, !parameters.contains(v), let ds = definitions[v], !ds.isEmpty else { return 0 }
        var result = UInt64.max
        for d in ds {
            var low: UInt64 = 0
            switch d {
            case .mov(_, .imm(let k), let w):
                low = w.extend(UInt64(bitPattern: k), signed: false)
            case .binary(.add, _, let l, .imm(let k), let w) where k >= 0 && (w == .w64 || w == .w32):
                guard l != v, let top = upperBound(l), top <= w.mask, top <= w.mask - UInt64(k) else { return 0 }
                low = lowerBound(l, depth: depth + 1) + UInt64(k)
            case .binary(.or, _, _, .imm(let k), let w) where k >= 0 && (w == .w64 || w == .w32):
                low = UInt64(k) & w.mask
            case .mov(_, .reg(let s), .w64) where s != v:
                low = lowerBound(s, depth: depth + 1)
            // A quotient by a constant: at least the dividend's least over it.
            case .binary(.udiv, _, let l, .imm(let k), let w) where k > 0 && (w == .w64 || w == .w32) && l != v:
                guard let top = upperBound(l), top <= w.mask else { return 0 }
                low = lowerBound(l, depth: depth + 1) / UInt64(k)
            // A difference that cannot wrap: the first's least less the second's most.
            case .binary(.sub, _, let l, let r, let w) where (w == .w64 || w == .w32) && l != v:
                guard let top = upperBound(l), top <= w.mask else { return 0 }
                let least = lowerBound(l, depth: depth + 1)
                let most: UInt64?
                switch r {
                case .imm(let k): most = k >= 0 ? UInt64(k) : nil
                case .reg(let x): most = x == v ? nil : upperBound(x)
                }
                guard let m = most, m <= least else { return 0 }
                low = least - m
            default:
                return 0
            }
            result = min(result, low)
        }
        return result
    }

    /// The range of the low `w` bits of `v` read as a signed number: a sign-extended byte
    /// is in [-128, 127], that plus 256 in [128, 383], and so is its low half extended
    /// again (`(short)c + 256`); the union over every definition (a value chosen between
    /// a signed and an unsigned byte is in [-128, 255]); from `upperBound` where that is
    /// below the sign bit. Nil when unknown.
    mutating func signedRange(_ v: VReg, _ w: Width, depth: Int = 0) -> (lo: Int64, hi: Int64)? {
        guard depth < 8, !parameters.contains(v), let ds = definitions[v], !ds.isEmpty,
              rangeVisiting.insert(v).inserted else { return nil }
        defer { rangeVisiting.remove(v) }
        let top = Int64(bitPattern: w.mask >> 1), bottom = -top - 1
        var result: (lo: Int64, hi: Int64)? = nil
        for d in ds {
            var range: (lo: Int64, hi: Int64)? = nil
            switch d {
            case .mov(_, .imm(let k), let mw):
                let value = Int64(bitPattern: w.extend(mw.extend(UInt64(bitPattern: k), signed: false), signed: true))
                range = (value, value)
            case .mov(_, .reg(let s), let mw) where mw.bytes >= w.bytes:
                range = signedRange(s, w, depth: depth + 1)
            // Extensions that keep the low `w` bits: those of the source.
            case .ext(_, let s, let from, _, _) where from.bytes >= w.bytes:
                range = signedRange(s, w, depth: depth + 1)
            // A sign extension to at least `w` bits: the source's low `from` bits, signed.
            case .ext(_, let s, let from, let to, true) where to.bytes >= w.bytes:
                let half = Int64(1) << Int64(from.bits - 1)
                range = signedRange(s, from, depth: depth + 1) ?? (-half, half - 1)
            // An arithmetic right shift by k at the width: k + 1 copies of the sign bit on top
            // (a signed bitfield read, `(x << 41) >> 41`, is a 23-bit value).
            case .binary(.ashr, _, _, .imm(let k), let aw) where aw == w && k > 0 && k < Int64(w.bits):
                let half = Int64(1) << (Int64(w.bits) - 1 - k)
                range = (-half, half - 1)
            case .binary(.add, _, let l, .imm(let k), let aw) where aw.bytes >= w.bytes:
                guard let r = signedRange(l, w, depth: depth + 1) else { return nil }
                let c = Int64(bitPattern: w.extend(UInt64(bitPattern: k), signed: true))
                let (lo, o1) = r.lo.addingReportingOverflow(c), (hi, o2) = r.hi.addingReportingOverflow(c)
                if !o1 && !o2 && lo >= bottom && hi <= top { range = (lo, hi) }
            default:
                break
            }
            if range == nil, let hi = bound(of: d), hi <= w.mask >> 1 { range = (0, Int64(hi)) }   // below the sign bit
            guard let r = range else { return nil }
            result = result.map { (min($0.lo, r.lo), max($0.hi, r.hi)) } ?? r
        }
        return result
    }

    /// The unsigned range of `v` written once as a 64-bit sum or difference of a value
    /// with a signed range and a constant, where adding the constant moves that range
    /// without wrapping it around 2^64: `(s64)c - (-0x7fffffffffffffff)` of a signed byte
    /// `c` lies in [2^63 - 129, 2^63 + 126], which neither `upperBound` (a sign extension
    /// has none) nor `signedRange` (the sum overflows) says. Nil otherwise.
    mutating func offsetRange(_ v: VReg) -> (lo: UInt64, hi: UInt64)? {
        guard !parameters.contains(v), let ds = definitions[v], ds.count == 1,
              case .binary(let op, _, let l, let r, .w64) = ds[0], op == .add || op == .sub, l != v else { return nil }
        guard let k = constant(r), let range = signedRange(l, .w64) else { return nil }
        let c = op == .add ? UInt64(bitPattern: k) : 0 &- UInt64(bitPattern: k)
        let lo = UInt64(bitPattern: range.lo) &+ c, hi = UInt64(bitPattern: range.hi) &+ c
        return lo <= hi ? (lo, hi) : nil
    }

    /// An immediate, or a register only ever set to one constant.
    func constant(_ o: Operand) -> Int64? {
        switch o {
        case .imm(let c): return c
        case .reg(let r):
            guard !parameters.contains(r), let ds = definitions[r], ds.count == 1 else { return nil }
            return ds[0].movedConstant
        }
    }

    /// Every bit a value at most `bound` may have set.
    static func possibleBits(_ bound: UInt64) -> UInt64 { bound == 0 ? 0 : UInt64.max >> UInt64(bound.leadingZeroBitCount) }

    private static func mask(_ w: Width) -> UInt64 { w.mask }

    /// The bound of an operand as an operation of width `w` reads it.
    private mutating func bound(_ o: Operand, _ w: Width) -> UInt64? {
        let m = Self.mask(w)
        switch o {
        case .imm(let k):
            if w == .w64 { return k >= 0 ? UInt64(k) : nil }
            return UInt64(bitPattern: k) & m
        case .reg(let r):
            if let b = upperBound(r) { return min(b, m) }
            return w == .w64 ? nil : m
        }
    }

    private mutating func bound(of d: Inst) -> UInt64? {
        switch d {
        case .mov(_, let src, let w): return bound(src, w)
        case .load(_, _, _, let w, false), .coreLoad(_, _, _, let w, _):
            return w == .w64 ? nil : Self.mask(w)
        case .bswap(_, _, let w): return w == .w64 ? nil : Self.mask(w)
        case .ext(_, let s, let from, let to, false):
            return min(Self.mask(from), upperBound(s) ?? .max, Self.mask(to))
        case .ext(_, let s, let from, let to, true):
            growingSteps += 1
            defer { growingSteps -= 1 }
            if let b = upperBound(s), b < 1 << UInt64(from.bits - 1) { return b }
            return to == .w64 ? nil : Self.mask(to)
        case .binary(let op, _, let l, let r, let w):
            let m = Self.mask(w)
            let closed = op == .and || op == .or || op == .xor || op == .lshr
            if !closed { growingSteps += 1 }
            let a = bound(.reg(l), w), b = bound(r, w)
            if !closed { growingSteps -= 1 }
            switch op {
            case .and:
                guard a != nil || b != nil else { return nil }
                return min(a ?? m, b ?? m)
            case .or, .xor:
                guard let a = a, let b = b else { return w == .w64 ? nil : m }
                if a == 0 || b == 0 { return max(a, b) }
                return min(m, Self.possibleBits(max(a, b)))
            case .add:
                guard let a = a, let b = b else { return w == .w64 ? nil : m }
                let (s, o) = a.addingReportingOverflow(b)
                return o || s > m ? (w == .w64 ? nil : m) : s
            case .mul:
                guard let a = a, let b = b else { return w == .w64 ? nil : m }
                let (p, o) = a.multipliedReportingOverflow(by: b)
                return o || p > m ? (w == .w64 ? nil : m) : p
            case .lshr:
                guard case .imm(let k) = r, k >= 0, k < w.bits else { return w == .w64 ? nil : m }
                return (a ?? m) >> UInt64(k)
            case .shl:
                guard case .imm(let k) = r, k >= 0, k < w.bits, let a = a, a <= m >> UInt64(k) else { return w == .w64 ? nil : m }
                return a << UInt64(k)
            // Division and remainder: no bound is claimed, so that no extension of their
            // results is dropped (the verifier does not know a 32-bit quotient's upper half
            // is zero; see RedundancyElimination) — unless asked for deciding branches: an
            // unsigned quotient by a constant k is at most the dividend's bound over k, a
            // remainder below k and at most the dividend (eBPF's `x % 0` is x); a quotient
            // by a register at most the dividend (`x / 0` is 0).
            case .udiv:
                guard boundsQuotients else { return nil }
                guard case .imm(let k) = r else { return a ?? (w == .w64 ? nil : m) }
                guard UInt64(bitPattern: k) & m != 0 else { return nil }
                return (a ?? m) / (UInt64(bitPattern: k) & m)
            case .urem:
                guard boundsQuotients else { return nil }
                if case .imm(let k) = r, UInt64(bitPattern: k) & m != 0 { return min(a ?? m, (UInt64(bitPattern: k) & m) - 1) }
                return a
            case .sdiv, .srem:
                return nil
            // An arithmetic shift of a value below the sign bit is a logical one; taking 0
            // leaves the value (the sign fix-ups of a signed division of a byte).
            case .ashr:
                guard case .imm(let k) = r, k >= 0, k < w.bits, let a = a, a <= m >> 1 else { return w == .w64 ? nil : m }
                return a >> UInt64(k)
            case .sub:
                if let a = a, b == 0 { return a }
                return w == .w64 ? nil : m
            }
        case .neg(_, _, let w): return w == .w64 ? nil : Self.mask(w)
        case .call(_, .function(let n), _): return returns[n]
        default: return nil
        }
    }
}
