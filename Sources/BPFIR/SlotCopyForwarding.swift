/// Reads of a stack slot that holds a whole copy of another read the original instead.
/// `BPF_CORE_READ(sk, __sk_common).skc_num` reads a struct with a helper into one local
/// (the statement expression's `__r`), copies it word by word into the expression's
/// value, then reads one member of the copy — at an offset the loader relocates, so no
/// forwarding of single words can see through it. After a copy of all of `B` from `A`
/// (pairs `t = load [$A + k]; store [$B + k], t` in one block), the reads of `B` that
/// follow it — in its block and in the blocks entered only from there — up to the first
/// instruction that may write `A` or `B` read `A` at the same offset. Reads elsewhere
/// keep reading `B`, whose copy stays; when none is left, dead store elimination removes
/// the copy's stores and dead code elimination its loads, as clang's memcpy forwarding
/// removes the copy. A copy of a copy then reads the first original (a few rounds).
public enum SlotCopyForwarding {
    public static func run(_ f: Function) -> Function {
        guard f.slots.count >= 2 else { return f }
        var g = f
        for _ in 0..<3 {
            guard let h = round(g) else { break }
            g = h
        }
        return g
    }

    /// Where registers holding a slot's address are used: the slots whose address goes
    /// anywhere but a load's base or a call's argument (kept as they are), and each such
    /// register's single defining slot.
    struct Addresses {
        var slotOf: [VReg: Int] = [:]
        var unsafe: Set<Int> = []

        init(_ f: Function) {
            slotOf = f.slotAddresses.mapValues(\.slot)
            for b in f.blocks {
                for i in b.instructions {
                    switch i.inst {
                    case .slotAddr(let d, let s, _):
                        // An address register written more than once is not followed.
                        if slotOf[d] == nil { unsafe.insert(s) }
                    case .load, .coreLoad, .call, .inlineAsm:
                        // Loads read through the address; a callee is handed it for the call
                        // only (helpers and subprograms keep no stack pointer): `mayWrite`.
                        continue
                    default:
                        // Stored, offset, copied or written through: not followed.
                        i.inst.forEachUse { r in if let s = slotOf[r] { unsafe.insert(s) } }
                    }
                }
                for r in b.terminator.usedRegs { if let s = slotOf[r] { unsafe.insert(s) } }
            }
        }
    }

    static func round(_ f: Function) -> Function? {
        let addresses = Addresses(f)
        let preds = f.flowGraph.predecessors
        let index = f.blockIndexByID
        var g = f
        var changed = false
        for bi in f.blocks.indices {
            for c in copies(in: f.blocks[bi], f) {
                let (b, a) = (c.target, c.source)
                guard !f.slots[b].isVolatile, !f.slots[a].isVolatile, f.slots[b].size == f.slots[a].size,
                      !addresses.unsafe.contains(a), !addresses.unsafe.contains(b) else { continue }
                // Walk forward from the copy through blocks entered only from the walk.
                var work: [(block: Int, from: Int)] = [(bi, c.last + 1)]
                var visited: Set<Int> = [bi]
                while let (wb, from) = work.popLast() {
                    let insts = g.blocks[wb].instructions
                    var stop = insts.count
                    for ii in from..<insts.count where mayWrite(insts[ii].inst, a, b, addresses) { stop = ii; break }
                    for ii in from..<stop {
                        switch insts[ii].inst {
                        case .load(let d, .slot(b), let off, let w, let signed):
                            g.blocks[wb].instructions[ii].inst = .load(dst: d, base: .slot(a), offset: off, width: w, signed: signed)
                            changed = true
                        case .slotAddr(let d, b, let off) where addresses.slotOf[d] == b
                                && usesStayWithin(d, block: wb, after: ii, before: stop, f):
                            g.blocks[wb].instructions[ii].inst = .slotAddr(dst: d, slot: a, offset: off)
                            changed = true
                        default:
                            break
                        }
                    }
                    guard stop == insts.count, visited.count < 16 else { continue }
                    for s in g.blocks[wb].terminator.successors {
                        guard let si = index[s], preds[si].count == 1, visited.insert(si).inserted else { continue }
                        work.append((si, 0))
                    }
                }
            }
        }
        return changed ? g : nil
    }

    /// Whole copies made in a block: pairs `t = load [$A + k]; store [$B + k], t` of
    /// equal widths whose stores cover every byte of `B` (the last store's position).
    static func copies(in b: Block, _ f: Function) -> [(target: Int, source: Int, last: Int)] {
        var loaded: [VReg: (slot: Int, offset: Int, width: Width)] = [:]
        var runs: [Int: CopyRun] = [:]
        var out: [(target: Int, source: Int, last: Int)] = []
        for (ii, i) in b.instructions.enumerated() {
            // A register written again no longer holds what it loaded.
            i.inst.forEachDef { loaded[$0] = nil }
            // A call or inline assembly may write a slot whose address it is given: what
            // was loaded before it and copies in progress no longer describe one moment.
            switch i.inst {
            case .call, .inlineAsm:
                loaded.removeAll()
                runs.removeAll()
                continue
            default:
                break
            }
            // A write to a slot: registers loaded from the bytes it writes no longer hold
            // them (`t = in3; in3 = t + 1; w = t` copies the old value, not `in3`), and a
            // copy in progress from it is spoiled.
            var written: (slot: Int, bytes: Range<Int>)? = nil
            switch i.inst {
            case .store(.slot(let s), let off, _, let w), .atomic(_, .slot(let s), let off, _, let w, _),
                 .cmpxchg(_, .slot(let s), let off, _, _, let w):
                written = (s, off..<(off + w.bytes))
            default:
                break
            }
            if let (s, bytes) = written {
                loaded = loaded.filter { $0.value.slot != s || !bytes.overlaps($0.value.offset..<($0.value.offset + $0.value.width.bytes)) }
                if runs.values.contains(where: { $0.source == s }) { runs = runs.filter { $0.value.source != s } }
            }
            switch i.inst {
            case .load(let d, .slot(let s), let off, let w, _):
                loaded[d] = (s, off, w)
            case .store(.slot(let t), let off, let value, let w):
                let size = f.slots[t].size
                guard case .reg(let v) = value, let l = loaded[v], l.width == w, l.offset == off, l.slot != t,
                      runs[t] == nil || runs[t]!.source == l.slot, off >= 0, off + w.bytes <= size else {
                    runs[t] = nil
                    continue
                }
                if runs[t] == nil { runs[t] = CopyRun(source: l.slot, size: size) }
                // (Changed in place: a copy taken out of the table would copy its bytes.)
                runs[t]!.cover(off..<(off + w.bytes))
                if runs[t]!.covered == size {
                    out.append((t, l.slot, ii))
                    runs[t] = nil
                }
            default:
                break
            }
        }
        return out
    }

    /// A copy into a slot in progress: the bytes its stores have covered so far.
    struct CopyRun {
        let source: Int
        var bytes: [Bool]
        var covered = 0
        init(source: Int, size: Int) { self.source = source; bytes = Array(filled: false, count: size) }
        mutating func cover(_ r: Range<Int>) {
            for k in r where !bytes[k] { bytes[k] = true; covered += 1 }
        }
    }

    /// Whether an instruction may write slot `a` or `b`: a store or atomic on either, or
    /// a call or inline assembly given an address in either.
    static func mayWrite(_ inst: Inst, _ a: Int, _ b: Int, _ addresses: Addresses) -> Bool {
        switch inst {
        case .store(.slot(let s), _, _, _), .atomic(_, .slot(let s), _, _, _, _), .cmpxchg(_, .slot(let s), _, _, _, _):
            return s == a || s == b
        case .call, .inlineAsm:
            var touches = false
            inst.forEachUse { r in if let s = addresses.slotOf[r], s == a || s == b { touches = true } }
            return touches
        default:
            return false
        }
    }

    /// Whether every use of `d` is in block `bi` strictly between `after` and `before`.
    static func usesStayWithin(_ d: VReg, block bi: Int, after: Int, before: Int, _ f: Function) -> Bool {
        for (bj, blk) in f.blocks.enumerated() {
            if blk.terminator.usedRegs.contains(d) { return false }
            for (ii, i) in blk.instructions.enumerated() {
                var uses = false
                i.inst.forEachUse { if $0 == d { uses = true } }
                if uses && (bj != bi || ii <= after || ii >= before) { return false }
            }
        }
        return true
    }

}
