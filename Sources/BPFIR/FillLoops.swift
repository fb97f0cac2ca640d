/// Loops that only fill a stack array with one value (`for (i = 0; i < 16; i++) flags[i]
/// = on;`, `on` computed before the loop, often only once `LoopInvariantHoisting` has
/// moved it out) become the stores of the bytes they fill, at the widest widths the
/// offsets allow: a value held in a register is repeated over the wider store by a
/// multiplication (`on * 0x0101010101010101` for bytes), a constant is repeated in place.
/// clang turns such a loop into a `memset` (LoopIdiomRecognize), which the BPF target
/// writes out the same way. The loop walked 16 rounds at run time and in the verifier;
/// the two stores walk once.
///
/// A loop qualifies when it is one block going round to itself and no loop holds it; its
/// instructions only compute registers and store; each round's stores are at addresses in
/// one stack slot that the values known on entry decide (the counter's definitions
/// outside the loop all one constant, as `LoopCounters` reads them), as is the exit test;
/// every store writes the same value, a register the loop does not define or a constant,
/// at one width, and together they cover consecutive bytes of the slot once or more.
/// What the loop leaves in its registers (the counter) is set by copies of the values the
/// last round left, where code after the loop reads them.
public enum FillLoops {
    /// At most this many rounds, and this many bytes filled.
    static let maxTrips = 256
    static let maxBytes = 256

    public static func run(_ f: Function) -> Function {
        guard f.blocks.indices.contains(where: { isCandidate(f.blocks[$0]) }) else { return f }
        let loops = Loops(f)
        var known: KnownValues? = nil
        var g = f
        for l in loops.all where l.blocks.count == 1 && loops.isOutermost(l) && isCandidate(f.blocks[l.header]) {
            if known == nil { known = KnownValues(f) }
            guard let (block, slot, alignment) = filled(f, l.header, known: known!, into: &g) else { continue }
            g.blocks[l.header] = block
            g.slots[slot].alignment = max(g.slots[slot].alignment, alignment)
        }
        return g
    }

    /// Whether `b` goes round to itself only through stores and register arithmetic.
    static func isCandidate(_ b: Block) -> Bool {
        guard case .branch(_, _, _, _, let t, let e) = b.terminator, (t == b.id) != (e == b.id) else { return false }
        var stores = false
        for i in b.instructions {
            switch i.inst {
            case .store: stores = true
            case .mov, .binary, .neg, .ext, .bswap, .slotAddr, .loadImm64: break
            default: return false
            }
        }
        return stores
    }

    struct Store { var slot: Int; var offset: Int; var value: Operand; var width: Width; var location: IRLocation? }

    /// The block replacing loop block `h` (the fill's stores, the copies setting what later
    /// code reads, a jump to the exit), the slot it fills and the alignment its widest
    /// store needs of it; nil when the loop does not qualify or the stores would not be
    /// fewer than 40.
    static func filled(_ f: Function, _ h: Int, known: KnownValues, into g: inout Function) -> (Block, slot: Int, alignment: Int)? {
        let block = f.blocks[h]
        guard case .branch(_, _, _, _, let thenB, let elseB) = block.terminator else { return nil }
        let exit = thenB == block.id ? elseB : thenB
        // Registers the loop defines, and those of them a round reads before defining.
        var defined: Set<VReg> = [], exposed: Set<VReg> = []
        for i in block.instructions {
            i.inst.forEachUse { if !defined.contains($0) { exposed.insert($0) } }
            i.inst.forEachDef { defined.insert($0) }
        }
        block.terminator.forEachUse { if !defined.contains($0) { exposed.insert($0) } }
        var state = known.entry[h].filter { !defined.contains($0.key) }
        for r in exposed where defined.contains(r) {
            guard let k = LoopCounters.entryConstant(r, f, [h]) else { return nil }
            state[r] = .int(UInt64(bitPattern: k))
        }
        // The rounds, walked until the exit test leaves.
        var stores: [Store] = []
        var trips = 0
        while true {
            trips += 1
            guard trips <= maxTrips else { return nil }
            for i in block.instructions {
                guard case .store(let base, let off, let value, let w) = i.inst else {
                    known.step(i.inst, &state)
                    continue
                }
                let slot: Int, offset: Int
                switch base {
                case .slot(let s): (slot, offset) = (s, off)
                case .reg(let r):
                    guard case .slot(let s, let o)? = known.value(.reg(r), in: state) else { return nil }
                    (slot, offset) = (s, o + off)
                }
                var stored = value
                if case .reg(let r) = value, defined.contains(r) {
                    guard case .int(let k)? = known.value(.reg(r), in: state) else { return nil }
                    stored = .imm(Int64(bitPattern: k))
                }
                stores.append(Store(slot: slot, offset: offset, value: stored, width: w, location: i.location))
            }
            guard let holds = known.decide(block.terminator, in: state) else { return nil }
            if (holds ? thenB : elseB) != block.id { break }
        }
        // One value at one width over consecutive bytes of one slot.
        guard let first = stores.first, !f.slots[first.slot].isVolatile,
              stores.allSatisfy({ $0.slot == first.slot && $0.value == first.value && $0.width == first.width }) else { return nil }
        let offsets = Set(stores.map(\.offset)).sorted()
        let w = first.width, start = offsets[0], bytes = offsets.count * w.bytes
        guard start >= 0, start + bytes <= f.slots[first.slot].size, bytes <= maxBytes,
              offsets.enumerated().allSatisfy({ $0.element == start + $0.offset * w.bytes }) else { return nil }
        // What code after the loop reads of the loop's registers: the values the last round left.
        var readAfter: Set<VReg> = []
        for (bi, b) in f.blocks.enumerated() where bi != h {
            for i in b.instructions { i.inst.forEachUse { if defined.contains($0) { readAfter.insert($0) } } }
            b.terminator.forEachUse { if defined.contains($0) { readAfter.insert($0) } }
        }
        var copies: [Instruction] = []
        for r in readAfter.sorted() {
            switch known.value(.reg(r), in: state) {
            case .int(let k)?: copies.append(Instruction(.mov(dst: r, src: .imm(Int64(bitPattern: k)), width: .w64), location: block.terminatorLocation))
            case .slot(let s, let o)?: copies.append(Instruction(.slotAddr(dst: r, slot: s, offset: o), location: block.terminatorLocation))
            case nil: return nil
            }
        }
        // The stores at the widths the first offset allows (the slot's alignment is raised
        // to match, as `StoreWidening` raises it).
        var alignment = 8
        while alignment > 1 && start % alignment != 0 { alignment /= 2 }
        let pieces = Width.pieces(size: bytes, alignment: alignment)
        guard let widest = StoreWidening.splatWidth(pieces, element: w) else { return nil }
        var out: [Instruction] = []
        let location = first.location
        let repeated: Operand
        switch first.value {
        case .imm(let k):
            let c = StoreWidening.repeated(UInt64(bitPattern: k) & w.mask, element: w)
            if widest == .w64 && !c.fitsImm32 {
                let t = g.newVReg()
                out.append(Instruction(.mov(dst: t, src: .imm(c), width: .w64), location: location))
                repeated = .reg(t)
            } else {
                repeated = .imm(c)
            }
        case .reg(let v):
            if widest.bytes > w.bytes {
                var bounds = ValueBounds(of: f)
                let (insts, t) = StoreWidening.splat(v, element: w, over: widest, fits: bounds.upperBound(v).map { $0 <= w.mask } ?? false,
                                                     in: &g, location: location)
                out += insts
                repeated = .reg(t)
            } else {
                repeated = first.value
            }
        }
        for (o, pw) in pieces {
            var value = repeated
            if case .imm(let c) = repeated, pw != .w64 { value = .imm(Int64(Int32(truncatingIfNeeded: UInt64(bitPattern: c) & pw.mask))) }
            out.append(Instruction(.store(base: .slot(first.slot), offset: start + o, value: value, width: pw), location: location))
        }
        out += copies
        guard out.count < 40 else { return nil }
        var b = block
        b.instructions = out
        b.terminator = .jump(exit)
        return (b, first.slot, widest.bytes)
    }
}
