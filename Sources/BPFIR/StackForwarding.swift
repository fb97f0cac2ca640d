/// Stack-slot clean-ups for locals that live in memory (their address is taken, or
/// they are aggregates):
/// - within a block, a load from a slot that was just stored to (same offset and
///   width, nothing in between that may write it) becomes a copy of the stored value,
///   and a load of bytes inside a constant store (a memset of a non-zero byte, a wide
///   initializer) becomes those bytes; a later store over some of them leaves the
///   others known. A block entered only from the block before it in the function
///   starts with what that block knew at its end;
/// - within a block, a store of what the bytes already hold (the register a load of
///   exactly them read, or a copy or extension of it keeping those bytes, or the value a
///   store of exactly them wrote, nothing in between that may write them: `x |= 0` of a
///   local in memory) goes; an arm of a branch left with nothing else becomes empty, and
///   the branch with it, so the verifier does not learn a value on one arm to tell its
///   states apart by;
/// - stores to a slot that is never read (no load, its address never escapes) go, and
///   so do stores a later store in the block overwrites before anything may read them.
///
/// A slot "escapes" when its address is materialized (`slotAddr`): it may then be
/// read or written through pointers, by helpers or by calls, so a store through a
/// register that may point into this frame, or a call passed such a register, forgets
/// what is known about escaped slots. Registers that may point into the frame are
/// those computed from a slot address (flow-insensitively); parameters, call results
/// of calls given none of them, and values loaded from memory when no frame address
/// is ever stored cannot (the verifier keeps frame addresses out of maps and globals).
public enum StackForwarding {
    public static func run(_ f: Function) -> Function {
        guard !f.slots.isEmpty else { return f }       // no frame memory to forward
        var f = f
        var escaped: Set<Int> = []
        var loaded: Set<Int> = []
        for b in f.blocks {
            for i in b.instructions {
                switch i.inst {
                case .slotAddr(_, let s, _): escaped.insert(s)
                case .load(_, .slot(let s), _, _, _): loaded.insert(s)
                case .atomic(_, .slot(let s), _, _, _, _), .cmpxchg(_, .slot(let s), _, _, _, _): loaded.insert(s)
                default: break
                }
            }
        }
        // A volatile local is read and written as the source says: treated as escaped
        // (its stores stay) and never forwarded.
        let volatile = Set(f.slots.indices.filter { f.slots[$0].isVolatile })
        escaped.formUnion(volatile)
        let frame = f.framePointerRegisters()
        // Stores nobody can observe.
        func unobserved(_ ins: Instruction) -> Bool {
            if case .store(.slot(let s), _, _, _) = ins.inst { return !loaded.contains(s) && !escaped.contains(s) }
            return false
        }
        // What a block knows at its end, for a block entered only from it (placed after it).
        let preds = f.flowGraph.predecessors
        var exits = [Memory?](repeating: nil, count: f.blocks.count)
        for bi in f.blocks.indices {
            // A copy of the block, so that the function's storage is copied only for a
            // block that changes.
            var block = f.blocks[bi]
            let entry = preds[bi].count == 1 && preds[bi][0] < bi ? exits[preds[bi][0]] ?? Memory() : Memory()
            exits[bi] = forward(in: &block, from: entry, escaped: escaped, volatile: volatile, frame: frame)
            removeOverwritten(in: &block, escaped: escaped, volatile: volatile, frame: frame)
            if block.instructions.contains(where: unobserved) { block.instructions.removeAll(where: unobserved) }
            if block != f.blocks[bi] { f.blocks[bi] = block }
        }
        return f
    }

    /// A stored value known to be in slot memory.
    struct Known { var slot: Int; var offset: Int; var width: Width; var value: Operand }

    /// What is known of slot memory and registers at a point of a block.
    struct Memory {
        var known: [Known] = []
        /// What loads read: the register holding exactly the bytes it was loaded from
        /// (only for stores of it back; a later load is not made a copy of it).
        var loaded: [Known] = []
        /// Byte ranges known to hold zeros (a memset, a zero-initialized local).
        var zeros: [(slot: Int, lo: Int, hi: Int)] = []
        /// Registers holding a constant.
        var constants: [VReg: UInt64] = [:]
    }

    /// Forwards within `block`, entered knowing `entry`; what is known at its end.
    static func forward(in block: inout Block, from entry: Memory, escaped: Set<Int>, volatile: Set<Int>, frame: RegSet) -> Memory {
        var known = entry.known, loaded = entry.loaded, zeros = entry.zeros, constants = entry.constants
        func constantBits(_ v: Operand) -> UInt64? {
            switch v {
            case .imm(let k): return UInt64(bitPattern: k)
            case .reg(let r): return constants[r]
            }
        }
        func forget(slot: Int, from lo: Int, to hi: Int) {
            // A constant's bytes outside [lo, hi) stay known, as pieces of 4, 2 or 1 bytes.
            var pieces: [Known] = []
            for k in known where k.slot == slot && k.offset < hi && lo < k.offset + k.width.bytes {
                guard let bits = constantBits(k.value) else { continue }
                for (from, to) in [(k.offset, min(lo, k.offset + k.width.bytes)), (max(hi, k.offset), k.offset + k.width.bytes)] {
                    var p = from
                    while p < to {
                        let w: Width = to - p >= 4 ? .w32 : to - p >= 2 ? .w16 : .w8
                        let piece = (bits >> UInt64(8 * (p - k.offset))) & w.mask
                        pieces.append(Known(slot: slot, offset: p, width: w, value: .imm(Int64(bitPattern: piece))))
                        p += w.bytes
                    }
                }
            }
            known.removeAll { $0.slot == slot && $0.offset < hi && lo < $0.offset + $0.width.bytes }
            known += pieces
            loaded.removeAll { $0.slot == slot && $0.offset < hi && lo < $0.offset + $0.width.bytes }
            var kept: [(slot: Int, lo: Int, hi: Int)] = []
            for z in zeros {
                guard z.slot == slot, z.lo < hi, lo < z.hi else { kept.append(z); continue }
                if z.lo < lo { kept.append((slot, z.lo, lo)) }
                if hi < z.hi { kept.append((slot, hi, z.hi)) }
            }
            zeros = kept
        }
        func forgetSlot(_ s: Int) {
            known.removeAll { $0.slot == s }; loaded.removeAll { $0.slot == s }; zeros.removeAll { $0.slot == s }
        }
        func forgetEscaped() {
            known.removeAll { escaped.contains($0.slot) }; loaded.removeAll { escaped.contains($0.slot) }
            zeros.removeAll { escaped.contains($0.slot) }
        }
        var out: [Instruction] = []
        var changed = false
        /// The instructions before `i` kept as they are, from the first one rewritten or dropped.
        func startRewriting(at i: Int) {
            guard !changed else { return }
            changed = true
            out.reserveCapacity(block.instructions.count)
            out += block.instructions[..<i]
        }
        for (i, ins) in block.instructions.enumerated() {
            var inst = ins.inst
            if case .load(let d, .slot(let s), let o, let w, let signed) = inst, !volatile.contains(s) {
                if let k = known.last(where: { $0.slot == s && $0.offset == o && $0.width == w }) {
                    inst = copy(k.value, to: d, width: w, signed: signed)
                } else if zeros.contains(where: { $0.slot == s && $0.lo <= o && o + w.bytes <= $0.hi }) {
                    inst = .mov(dst: d, src: .imm(0), width: .w64)     // inside a zeroed range (memset)
                } else if let k = known.last(where: { $0.slot == s && $0.offset <= o && o + w.bytes <= $0.offset + $0.width.bytes }),
                          let bits = constantBits(k.value) {
                    // Bytes of a wider constant store (a memset of a non-zero byte).
                    inst = copy(.imm(Int64(bitPattern: bits >> UInt64(8 * (o - k.offset)))), to: d, width: w, signed: signed)
                }
            }
            if case .store(.slot(let s), let o, let v, let w) = inst, !volatile.contains(s),
               known.last(where: { $0.slot == s && $0.offset == o && $0.width == w })?.value == v
                || loaded.contains(where: { $0.slot == s && $0.offset == o && $0.width == w && $0.value == v }) {
                startRewriting(at: i)
                continue
            }
            switch inst {
            case .store(.slot(let s), let o, let v, let w):
                forget(slot: s, from: o, to: o + w.bytes)
                known.append(Known(slot: s, offset: o, width: w, value: v))
                if v == .imm(0) { zeros.append((s, o, o + w.bytes)) }
            case .atomic(_, .slot(let s), _, _, _, _):
                forgetSlot(s)
            case .cmpxchg(_, .slot(let s), _, _, _, _):
                forgetSlot(s)
            case .store(.reg(let r), _, _, _):
                if frame.contains(r) { forgetEscaped() }
            case .atomic(_, .reg(let r), _, _, _, _):
                if frame.contains(r) { forgetEscaped() }
            case .cmpxchg(_, .reg(let r), _, _, _, _):
                if frame.contains(r) { forgetEscaped() }
            case .call:
                if inst.usedRegs.contains(where: { frame.contains($0) }) { forgetEscaped() }
            case .inlineAsm:
                forgetEscaped()
            default: break
            }
            // A redefined register no longer holds what was stored from it.
            for d in inst.definedRegs {
                // (What a constant register stored stays known as the constant.)
                if let c = constants[d] {
                    for k in known.indices where known[k].value == .reg(d) { known[k].value = .imm(Int64(bitPattern: c)) }
                }
                known.removeAll { $0.value == .reg(d) }
                loaded.removeAll { $0.value == .reg(d) }
                constants[d] = nil
            }
            if case .mov(let d, .imm(let k), let w) = inst { constants[d] = w.extend(UInt64(bitPattern: k), signed: false) }
            if case .load(let d, .slot(let s), let o, let w, _) = inst, !volatile.contains(s) {
                loaded.append(Known(slot: s, offset: o, width: w, value: .reg(d)))
            }
            // A copy, or an extension from at least the loaded width, holds the same low bytes.
            if let (t, bytes) = inst.lowBytesCopy, let x = inst.singleDef, x != t {
                let c = (to: x, from: t, bytes: bytes)
                for e in loaded where e.value == .reg(c.from) && e.width.bytes <= c.bytes {
                    loaded.append(Known(slot: e.slot, offset: e.offset, width: e.width, value: .reg(c.to)))
                }
            }
            guard changed || inst != ins.inst else { continue }
            startRewriting(at: i)
            var kept = ins
            kept.inst = inst
            out.append(kept)
        }
        if changed { block.instructions = out }
        return Memory(known: known, loaded: loaded, zeros: zeros, constants: constants)
    }

    /// Removes stores to a slot that a later store in the block overwrites whole before
    /// anything can read them (`struct s g = { .a = 3 }; g.a = x;`, a key rewritten
    /// between unrolled iterations). What may read: loads and atomics on the slot, and
    /// for slots whose address escaped, calls, inline assembly and accesses through
    /// registers that may point into the frame. Stores still pending at the block's end
    /// stay (a successor may read them).
    public static func removeOverwritten(in block: inout Block, escaped: Set<Int>, volatile: Set<Int>, frame: RegSet) {
        var pending: [(index: Int, slot: Int, lo: Int, hi: Int)] = []
        var dead: Set<Int> = []
        func read(_ s: Int, _ lo: Int = Int.min, _ hi: Int = Int.max) { pending.removeAll { $0.slot == s && $0.lo < hi && lo < $0.hi } }
        func readEscaped() { pending.removeAll { escaped.contains($0.slot) } }
        for (i, ins) in block.instructions.enumerated() {
            switch ins.inst {
            case .store(.slot(let s), let o, _, let w) where !volatile.contains(s):
                let lo = o, hi = o + w.bytes
                for p in pending where p.slot == s && lo <= p.lo && p.hi <= hi { dead.insert(p.index) }
                read(s, lo, hi)
                pending.append((i, s, lo, hi))
            case .load(_, .slot(let s), let o, let w, _): read(s, o, o + w.bytes)
            case .atomic(_, .slot(let s), _, _, _, _), .cmpxchg(_, .slot(let s), _, _, _, _), .slotAddr(_, let s, _): read(s)
            case .load(_, .reg(let r), _, _, _), .store(.reg(let r), _, _, _), .atomic(_, .reg(let r), _, _, _, _),
                 .cmpxchg(_, .reg(let r), _, _, _, _), .coreLoad(_, let r, _, _, _), .coreStore(let r, _, _, _, _):
                if frame.contains(r) { readEscaped() }
            case .call, .inlineAsm: readEscaped()
            default: break
            }
        }
        guard !dead.isEmpty else { return }
        block.instructions = block.instructions.enumerated().filter { !dead.contains($0.offset) }.map(\.element)
    }

    /// `dst = value` as the load of `width` bytes (zero- or sign-extended) would give it.
    static func copy(_ value: Operand, to d: VReg, width w: Width, signed: Bool) -> Inst {
        switch value {
        case .imm(let k):
            return .mov(dst: d, src: .imm(Int64(bitPattern: w.extend(UInt64(bitPattern: k), signed: signed))), width: .w64)
        case .reg(let r):
            if w == .w64 { return .mov(dst: d, src: .reg(r), width: .w64) }
            if signed { return .ext(dst: d, src: r, from: w, to: .w64, signed: true) }
            if w == .w32 { return .mov(dst: d, src: .reg(r), width: .w32) }
            return .ext(dst: d, src: r, from: w, to: .w32, signed: false)
        }
    }
}
