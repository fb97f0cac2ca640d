/// A stack slot that is a whole copy of another is read from the original instead.
/// `BPF_CORE_READ(sk, __sk_common).skc_num` reads a struct with a helper into one local
/// (the statement expression's `__r`), copies it word by word into the expression's
/// value, then reads one member of the copy — at an offset the loader relocates, so no
/// forwarding of single words can see through it. When the copy `B` of slot `A` is made
/// in one block, covers all of `B`, `B` is written by nothing else and its address only
/// read through, and nothing writes `A` after the copy (every write of `A` comes before
/// it in that block), every read of `B` reads `A` at the same offset; the copy's stores
/// then go with dead store elimination, its loads with dead code elimination, as clang's
/// memcpy forwarding removes the copy.
public enum SlotCopyForwarding {
    public static func run(_ f: Function) -> Function {
        guard f.slots.count >= 2 else { return f }
        let (_, defs) = f.useDefCounts()
        // Registers holding an address in a slot, from `addr $s + k`, written once.
        var addressOf: [VReg: Int] = [:]
        for b in f.blocks {
            for i in b.instructions {
                if case .slotAddr(let d, let s, _) = i.inst, defs[d] == 1 { addressOf[d] = s }
            }
        }

        var forward: [Int: Int] = [:]          // copy slot → original slot
        for (bi, b) in f.blocks.enumerated() {
            for (target, source, first, last) in copies(in: b, f) {
                guard forward[target] == nil, forward[source] == nil, !f.slots[target].isVolatile, !f.slots[source].isVolatile,
                      f.slots[target].size == f.slots[source].size,
                      onlyCopyWrites(target, block: bi, range: first...last, f, addressOf: addressOf),
                      writesOnlyBefore(source, block: bi, start: first, f, addressOf: addressOf)
                else { continue }
                forward[target] = source
            }
        }
        guard !forward.isEmpty else { return f }
        var g = f
        for bi in g.blocks.indices {
            for ii in g.blocks[bi].instructions.indices {
                switch g.blocks[bi].instructions[ii].inst {
                case .load(let d, .slot(let s), let off, let w, let signed):
                    if let a = forward[s] { g.blocks[bi].instructions[ii].inst = .load(dst: d, base: .slot(a), offset: off, width: w, signed: signed) }
                case .slotAddr(let d, let s, let off):
                    if let a = forward[s] { g.blocks[bi].instructions[ii].inst = .slotAddr(dst: d, slot: a, offset: off) }
                default: break
                }
            }
        }
        return g
    }

    /// Copies made in a block: pairs `t = load [$A + k]; store [$B + k], t` of equal
    /// widths whose stores cover every byte of `B` (target, source, first and last
    /// instruction of the copy).
    static func copies(in b: Block, _ f: Function) -> [(Int, Int, Int, Int)] {
        var loaded: [VReg: (slot: Int, offset: Int, width: Width, at: Int)] = [:]
        var runs: [Int: (source: Int, bytes: Set<Int>, first: Int, last: Int)] = [:]
        var broken: Set<Int> = []
        for (ii, i) in b.instructions.enumerated() {
            // A register written again no longer holds what it loaded.
            i.inst.forEachDef { loaded[$0] = nil }
            switch i.inst {
            case .load(let d, .slot(let s), let off, let w, _):
                loaded[d] = (s, off, w, ii)
            case .store(.slot(let t), let off, .reg(let v), let w):
                guard let l = loaded[v], l.width == w, l.offset == off, l.slot != t else { broken.insert(t); continue }
                if var r = runs[t] {
                    guard r.source == l.slot else { broken.insert(t); continue }
                    r.bytes.formUnion(off..<(off + w.bytes))
                    r.first = min(r.first, l.at)
                    r.last = ii
                    runs[t] = r
                } else {
                    runs[t] = (l.slot, Set(off..<(off + w.bytes)), l.at, ii)
                }
            default:
                break
            }
        }
        return runs.compactMap { t, r in
            guard !broken.contains(t), r.bytes.count == f.slots[t].size, r.bytes.allSatisfy({ $0 >= 0 && $0 < f.slots[t].size })
            else { return nil }
            return (t, r.source, r.first, r.last)
        }
    }

    /// Whether slot `t` is written only by the copy's stores (in `range` of block `bi`)
    /// and its address is only a base of loads.
    static func onlyCopyWrites(_ t: Int, block bi: Int, range: ClosedRange<Int>, _ f: Function,
                               addressOf: [VReg: Int]) -> Bool {
        for (bj, b) in f.blocks.enumerated() {
            for (ii, i) in b.instructions.enumerated() {
                switch i.inst {
                case .store(.slot(t), _, _, _):
                    if bj != bi || !range.contains(ii) { return false }
                case .atomic(_, .slot(t), _, _, _, _), .cmpxchg(_, .slot(t), _, _, _, _):
                    return false
                case .slotAddr(let d, t, _):
                    if addressOf[d] != t { return false }
                default:
                    break
                }
                if !readsOnlyThrough(i.inst, slot: t, addressOf: addressOf) { return false }
            }
            // A branch comparing the copy's address would see it change.
            if b.terminator.usedRegs.contains(where: { addressOf[$0] == t }) { return false }
        }
        return true
    }

    /// Whether every write that may reach slot `s` comes before instruction `start` of
    /// block `bi`.
    static func writesOnlyBefore(_ s: Int, block bi: Int, start: Int, _ f: Function, addressOf: [VReg: Int]) -> Bool {
        for (bj, b) in f.blocks.enumerated() {
            for (ii, i) in b.instructions.enumerated() {
                var writes = false
                switch i.inst {
                case .store(.slot(s), _, _, _), .atomic(_, .slot(s), _, _, _, _), .cmpxchg(_, .slot(s), _, _, _, _):
                    writes = true
                case .slotAddr(let d, s, _):
                    writes = addressOf[d] != s
                default:
                    writes = !readsOnlyThrough(i.inst, slot: s, addressOf: addressOf)
                }
                if writes && (bj != bi || ii >= start) { return false }
            }
        }
        return true
    }

    /// Whether an instruction uses addresses in slot `s` only as the base of loads.
    static func readsOnlyThrough(_ inst: Inst, slot s: Int, addressOf: [VReg: Int]) -> Bool {
        var other = false
        inst.forEachUse { if addressOf[$0] == s && !isBase($0, of: inst) { other = true } }
        return !other
    }

    static func isBase(_ r: VReg, of inst: Inst) -> Bool {
        switch inst {
        case .load(_, .reg(let b), _, _, _): return b == r
        case .coreLoad(_, let b, _, _, _): return b == r
        default: return false
        }
    }
}
