/// Where registers written once point relative to another register written once, or to a
/// global symbol (their root): `root + [lo, hi]`, read off their definitions — copies,
/// symbol addresses, constant offsets, and the addition of an index whose upper bound is
/// known (`ValueBounds`). Two accesses from the same root whose byte ranges do not meet
/// cannot touch the same memory, nor can accesses of two different symbols (distinct
/// objects; each `ld_imm64` of a global is its own register until late passes share
/// them): a
/// store into `buf->data[pos & 0xffff]` leaves `buf->pos` (at offset 0x20000) as it was,
/// which lets passes keep `buf->pos` in a register across such stores, as clang's alias
/// analysis does from the same ranges.
///
/// The facts are about the values of registers written once, so they hold wherever those
/// registers are read, and they survive rewrites that keep each register's value.
/// Computed on demand and remembered; making the value costs nothing.
struct AddressRanges {
    enum Root: Hashable { case register(VReg), symbol(Int32) }
    struct Range: Hashable { var root: Root; var lo: Int64; var hi: Int64 }

    private let f: Function
    private let defs: RegCounts
    /// Made when an address is first followed (creating the value costs nothing).
    private lazy var definition: RegMap<Inst> = {
        var definition = RegMap<Inst>(capacity: f.nextVReg)
        f.forEachInstruction { [defs] _, inst in
            if let d = inst.singleDef, defs[d] == 1 { definition[d] = inst }
        }
        return definition
    }()
    /// Made when an index first needs a bound.
    private lazy var bounds = ValueBounds(of: f)
    private var known = RegMap<Range?>(capacity: 0)
    /// Offsets beyond this are not tracked (so no sum below can overflow).
    private static let limit: Int64 = 1 << 40

    init(_ f: Function, defs: RegCounts) {
        self.defs = defs
        self.f = f
    }

    /// The root and offset range of the address in `r`, nil unless `r` is written once.
    mutating func range(of r: VReg) -> Range? {
        if let cached = known[r] { return cached }
        guard defs[r] == 1 else { return nil }
        known[r] = .some(Range(root: .register(r), lo: 0, hi: 0))   // a cycle (none in single definitions) ends here
        let derived = definition[r].flatMap { derive($0) } ?? Range(root: .register(r), lo: 0, hi: 0)
        known[r] = .some(derived)
        return derived
    }

    private mutating func derive(_ inst: Inst) -> Range? {
        switch inst {
        case .mov(_, .reg(let x), .w64):
            return range(of: x)
        case .symbolAddr(_, let symbol):
            return shifted(Range(root: .symbol(symbol.nameNumber), lo: 0, hi: 0), by: symbol.offset, symbol.offset)
        case .binary(let op, _, let x, .imm(let k), .w64) where op == .add || op == .sub:
            let k = op == .add ? k : 0 &- k
            return range(of: x).flatMap { shifted($0, by: k, k) }
        case .binary(.add, _, let x, .reg(let y), .w64):
            if let u = bounds.upperBound(y), u < UInt64(Self.limit), let base = range(of: x) {
                return shifted(base, by: 0, Int64(u))
            }
            if let u = bounds.upperBound(x), u < UInt64(Self.limit), let base = range(of: y) {
                return shifted(base, by: 0, Int64(u))
            }
            return nil
        default:
            return nil
        }
    }

    private func shifted(_ r: Range, by lo: Int64, _ hi: Int64) -> Range? {
        guard lo.magnitude < Self.limit.magnitude, hi.magnitude < Self.limit.magnitude else { return nil }
        let out = Range(root: r.root, lo: r.lo + lo, hi: r.hi + hi)
        return out.lo.magnitude < Self.limit.magnitude && out.hi.magnitude < Self.limit.magnitude ? out : nil
    }

    /// Whether `width` bytes at `a + offset` and `otherWidth` bytes at `b + otherOffset`
    /// surely do not overlap: through one register written once, the offsets apart;
    /// otherwise the same root and the byte ranges apart, or two different symbols.
    mutating func disjoint(_ a: VReg, _ offset: Int, _ width: Int, _ b: VReg, _ otherOffset: Int, _ otherWidth: Int) -> Bool {
        if a == b && defs[a] == 1 { return offset + width <= otherOffset || otherOffset + otherWidth <= offset }
        guard let ra = range(of: a), let rb = range(of: b) else { return false }
        return Self.disjoint(ra, offset, width, rb, otherOffset, otherWidth)
    }

    /// `disjoint` for addresses already followed to their ranges.
    static func disjoint(_ ra: Range, _ offset: Int, _ width: Int, _ rb: Range, _ otherOffset: Int, _ otherWidth: Int) -> Bool {
        if ra.root != rb.root {
            if case .symbol = ra.root, case .symbol = rb.root { return true }
            return false
        }
        // a covers [ra.lo + offset, ra.hi + offset + width), b likewise.
        let aStart = ra.lo + Int64(offset), aEnd = ra.hi + Int64(offset) + Int64(width)
        let bStart = rb.lo + Int64(otherOffset), bEnd = rb.hi + Int64(otherOffset) + Int64(otherWidth)
        return aEnd <= bStart || bEnd <= aStart
    }
}
