/// Narrow stores that write the consecutive pieces of one value, or constants, become the
/// widest stores the address is known to be aligned for (`KnownAlignment`). A member of a
/// packed struct (`#pragma pack(1)`, falco's event header) is written a byte at a time,
/// `store.w8 [p + 16], v; t = lshr v, 8; store.w8 [p + 17], t; ...`; when `p` is a map
/// value, or the block reads `*(u64 *)(p + 8)`, `p + 16` is 4-aligned and the four stores
/// are one `store.w32 [p + 16], v` (clang writes the same). In a stack slot the stores
/// take the widths the offset allows, and the slot's alignment is raised to match.
///
/// A run: stores of one width below 64 bits through one base at consecutive offsets,
/// with only instructions that touch no memory between them, none redefining the base
/// or a stored register; the k-th stores either the constant of its bytes, or the
/// value `v >> (8 * width * k)` (the first `v` itself, the others a `lshr` of `v` defined
/// once). The run's stores are replaced, at the place of its last, by stores of the new
/// widths, of `v` or of the piece registers that hold `v` shifted to them.
///
/// A run whose stores all write one register `v` (a flag set in every element of an array,
/// each store of an unrolled loop) writes `v`'s low bytes repeated: `v * 0x0101010101010101`
/// for bytes (its other bits cleared first unless `ValueBounds` knows them clear), stored
/// at the wider widths, when that is fewer instructions (the constant multiplier of a
/// 64-bit store takes an `ld_imm64`).
public enum StoreWidening {
    public static func run(_ f: Function) -> Function {
        let (_, defs) = f.useDefCounts()
        let known = KnownAlignment(f, defs: defs)
        // Registers written once as `lshr v, s`: (v, s, width of the shift).
        var shifts: [VReg: (value: VReg, by: Int, width: Width)] = [:]
        f.forEachInstruction { _, inst in
            if case .binary(.lshr, let d, let v, .imm(let s), let w) = inst, defs[d] == 1, s > 0, s < 64 {
                shifts[d] = (v, Int(s), w)
            }
        }
        var g = f
        var bounds: ValueBounds? = nil
        for bi in f.blocks.indices {
            let insts = f.blocks[bi].instructions
            guard insts.count > 1 else { continue }
            var facts: [VReg: (modulus: Int, residue: Int)]? = nil
            var out: [Instruction] = []
            var changed = false
            var k = 0
            while k < insts.count {
                guard let run = Self.run(at: k, insts, shifts: shifts, defs: defs) else { out.append(insts[k]); k += 1; continue }
                if facts == nil { facts = known.accessFacts(f.blocks[bi]) }
                let first = run.stores[0]
                var alignment = known.alignment(first.base, first.offset, facts: facts!)
                if case .slot(let s) = first.base, !f.slots[s].isVolatile {
                    // A stack slot is placed at its alignment (`FrameLayout`), which can be
                    // raised: a packed struct's member at an even offset of a local is
                    // stored whole, as clang does (LLVM raises an alloca's alignment).
                    var a = 8
                    while a > 1 && first.offset % a != 0 { a /= 2 }
                    alignment = max(alignment, a)
                }
                let pieces = Width.pieces(size: run.stores.count * run.width.bytes, alignment: alignment)
                let wide: [Instruction]
                if run.splat {
                    guard case .reg(let v) = first.value, let widest = splatWidth(pieces, element: run.width), widest.bytes > run.width.bytes else {
                        out.append(insts[k]); k += 1; continue
                    }
                    if bounds == nil { bounds = ValueBounds(of: f) }
                    let fits = bounds!.upperBound(v).map { $0 <= run.width.mask } ?? false
                    // The splat's instructions (a constant beyond 32 bits takes two) and the stores.
                    let cost = (fits ? 0 : 1) + (widest == .w64 ? 3 : 1) + pieces.count
                    guard cost < run.stores.count else { out.append(insts[k]); k += 1; continue }
                    let location = insts[run.last].location
                    let (made, t) = splat(v, element: run.width, over: widest, fits: fits, in: &g, location: location)
                    wide = made + pieces.map { Instruction(.store(base: first.base, offset: first.offset + $0.offset, value: .reg(t), width: $0.width),
                                                           location: location) }
                } else {
                    guard pieces.count < run.stores.count, let w = widened(run, pieces, location: insts[run.last].location) else {
                        out.append(insts[k]); k += 1; continue
                    }
                    wide = w
                }
                if case .slot(let s) = first.base, let widest = pieces.map(\.width.bytes).max(), g.slots[s].alignment < widest {
                    g.slots[s].alignment = widest
                }
                // Everything between the run's stores stays in order; the stores go where
                // the last one was.
                for j in k...run.last where !run.stores.contains(where: { $0.index == j }) { out.append(insts[j]) }
                out += wide
                k = run.last + 1
                changed = true
            }
            if changed { g.blocks[bi].instructions = out }
        }
        return g
    }

    struct Piece { var index: Int; var base: Address; var offset: Int; var value: Operand }
    /// `splat`: every store writes the first one's register.
    struct Run { var stores: [Piece]; var width: Width; var last: Int; var splat: Bool }

    /// The widest of `pieces` when none is narrower than `element` (a value repeated in
    /// `element`-sized steps then fills each piece whole); nil otherwise.
    static func splatWidth(_ pieces: [(offset: Int, width: Width)], element: Width) -> Width? {
        guard pieces.allSatisfy({ $0.width.bytes >= element.bytes }) else { return nil }
        return pieces.map(\.width).max(by: { $0.bytes < $1.bytes })
    }

    /// `element`'s bytes of `low` repeated over 64 bits.
    static func repeated(_ low: UInt64, element: Width) -> Int64 {
        var c: UInt64 = 0
        for i in 0..<(8 / element.bytes) { c |= low << UInt64(8 * element.bytes * i) }
        return Int64(bitPattern: c)
    }

    /// The instructions putting `v`'s low `element` bytes, repeated over `width` bytes, in a
    /// new register of `f`, and that register. `fits`: `v` has no bit set above them.
    static func splat(_ v: VReg, element: Width, over width: Width, fits: Bool, in f: inout Function,
                      location: IRLocation?) -> ([Instruction], VReg) {
        var out: [Instruction] = []
        var low = v
        let w: Width = width == .w64 ? .w64 : .w32
        if !fits {
            low = f.newVReg()
            out.append(Instruction(element == .w32 ? .mov(dst: low, src: .reg(v), width: .w32)
                                                    : .binary(.and, dst: low, lhs: v, rhs: .imm(Int64(element.mask)), width: w), location: location))
        }
        let t = f.newVReg()
        let multiplier = repeated(1, element: element) & Int64(bitPattern: width.mask)
        out.append(Instruction(.binary(.mul, dst: t, lhs: low, rhs: .imm(multiplier), width: w), location: location))
        return (out, t)
    }

    /// The run of piece stores starting with the store at `k`, if it has two or more. A
    /// shift read by the run must have read the value the run's first store writes: the
    /// value is written once, or the shift comes after that store.
    static func run(at k: Int, _ insts: [Instruction], shifts: [VReg: (value: VReg, by: Int, width: Width)],
                    defs: RegCounts) -> Run? {
        guard case .store(let base, let off, let value, let w) = insts[k].inst, w != .w64 else { return nil }
        var stores = [Piece(index: k, base: base, offset: off, value: value)]
        // The stored value's pieces: the value itself first, then its shifts.
        let whole: VReg?
        if case .reg(let v) = value { whole = v } else { whole = nil }
        var j = k + 1
        var last = k
        var definedInRun: Set<VReg> = []
        var splat = false
        scan: while j < insts.count {
            let inst = insts[j].inst
            switch inst {
            case .store(base, let o, let v, w) where o == off + stores.count * w.bytes:
                let n = stores.count
                switch (v, whole) {
                case (.imm, nil): break
                case (.reg(let r), let whole?) where r == whole && (n == 1 || splat):
                    splat = true
                case (.reg(let r), let whole?):
                    guard !splat, let s = shifts[r], s.value == whole, s.by == 8 * w.bytes * n,
                          s.width == .w64 || (n + 1) * w.bytes <= 4,
                          defs[whole] == 1 || definedInRun.contains(r) else { break scan }
                default: break scan
                }
                stores.append(Piece(index: j, base: base, offset: o, value: v))
                last = j
            case _ where !inst.touchesMemory:
                // No memory touched; the base and the stored registers stay as they were.
                var clobbers = false
                inst.forEachDef { d in
                    if case .reg(d) = base { clobbers = true }
                    if d == whole { clobbers = true }
                    if stores.contains(where: { $0.value == .reg(d) }) { clobbers = true }
                }
                if clobbers { break scan }
                inst.forEachDef { definedInRun.insert($0) }
            default: break scan
            }
            j += 1
        }
        return stores.count > 1 ? Run(stores: stores, width: w, last: last, splat: splat) : nil
    }

    /// The stores of the run at the widths `pieces` gives; nil when a constant piece does
    /// not fit a store's immediate.
    static func widened(_ run: Run, _ pieces: [(offset: Int, width: Width)], location: IRLocation?) -> [Instruction]? {
        let first = run.stores[0]
        var out: [Instruction] = []
        for (o, w) in pieces {
            let at = o / run.width.bytes       // the run's store holding this piece's first byte
            let value: Operand
            switch first.value {
            case .reg:
                value = run.stores[at].value
            case .imm:
                var bits: UInt64 = 0
                for i in 0..<(w.bytes / run.width.bytes) {
                    guard case .imm(let c) = run.stores[at + i].value else { return nil }
                    let mask: UInt64 = run.width == .w8 ? 0xff : run.width == .w16 ? 0xffff : 0xffff_ffff
                    bits |= (UInt64(bitPattern: c) & mask) << UInt64(8 * run.width.bytes * i)
                }
                let c: Int64
                if w == .w64 {
                    c = Int64(bitPattern: bits)
                    guard c.fitsImm32 else { return nil }
                } else {
                    c = Int64(Int32(truncatingIfNeeded: Int64(bitPattern: bits)))
                }
                value = .imm(c)
            }
            out.append(Instruction(.store(base: first.base, offset: first.offset + o, value: value, width: w), location: location))
        }
        return out
    }
}
