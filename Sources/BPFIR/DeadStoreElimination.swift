/// Removes stores to stack slots whose bytes nothing reads before they are stored again
/// or the function returns, across blocks (backward liveness of frame bytes). What reads
/// a slot's bytes:
/// - loads and atomics on the slot (`[$s + k]`), the bytes they touch;
/// - loads, atomics and CO-RE loads through a register that may point into the frame:
///   the whole slot it points to when every definition of the register derives it from
///   one slot's address, otherwise every slot whose address is taken;
/// - calls given such a register: the slots those registers point to (a helper reads
///   only what it is given; a callee given a pointer to a slot reads that slot) — or
///   every slot whose address is taken when a frame address is stored to memory (a
///   callee could then follow it), when a BPF-to-BPF call or kfunc could find one that
///   way, or when a register's slot is not known;
/// - inline assembly: every slot.
/// A store to a slot kills the bytes it writes; so does a fixed-size `bpf_probe_read`
/// (kernel or user) into a known slot, which fills its destination (zeros on a fault),
/// and the whole family never reads its destination. Volatile slots keep every store.
/// `StackForwarding` removes stores to slots never read at all and stores overwritten
/// within a block; this pass finds the rest (a cursor struct whose fields were all read
/// back as the values stored, its slot shared with a buffer a helper filled earlier).
public enum DeadStoreElimination {
    public static func run(_ f: Function) -> Function {
        guard !f.slots.isEmpty, f.containsInstruction(where: { if case .store(.slot, _, _, _) = $0 { return true }; return false })
        else { return f }
        let facts = Facts(f)
        let (succs, _) = f.flowGraph
        let post = f.depthFirst.postOrder
        let empty = ByteSet(count: facts.totalBytes)
        var liveIn = Array(filled: empty, count: f.blocks.count)
        var changed = true
        while changed {
            changed = false
            for b in post {
                var live = empty
                for s in succs[b] { live.formUnion(liveIn[s]) }
                for ins in f.blocks[b].instructions.reversed() { _ = facts.step(ins.inst, &live) }
                if live != liveIn[b] { liveIn[b] = live; changed = true }
            }
        }
        var g = f
        for b in post {
            var live = empty
            for s in succs[b] { live.formUnion(liveIn[s]) }
            var keep = Array(filled: true, count: f.blocks[b].instructions.count)
            for (i, ins) in f.blocks[b].instructions.enumerated().reversed() {
                keep[i] = facts.step(ins.inst, &live)
            }
            if keep.contains(false) {
                g.blocks[b].instructions = zip(f.blocks[b].instructions, keep).filter(\.1).map(\.0)
            }
        }
        return g
    }

    /// What the function's slots and frame registers are, for the transfer function.
    struct Facts {
        let start: [Int]            // first byte of each slot in the byte set
        let totalBytes: Int
        let volatile: Set<Int>
        let frame: RegSet
        /// The slot each frame register points into, when one slot derives all its definitions.
        let slotOf: [VReg: Int]
        /// Registers written once with `addr $s + k`: exactly where they point.
        let exactAddress: [VReg: (slot: Int, offset: Int)]
        /// The bytes of every slot whose address is taken.
        let escaped: ByteSet
        let all: ByteSet
        let frameAddressStored: Bool

        init(_ f: Function) {
            var start: [Int] = [], total = 0
            for s in f.slots { start.append(total); total += max(s.size, 1) }
            self.start = start; totalBytes = total
            volatile = Set(f.slots.indices.filter { f.slots[$0].isVolatile })
            let frame = f.framePointerRegisters()
            self.frame = frame
            frameAddressStored = f.storesAnyOf(frame)
            var escapedSlots = Set<Int>()
            // Where each definition of a frame register points: a slot, the slot another
            // register points into (copies, offsets), or somewhere unknown.
            enum Source { case slot(Int), register(VReg), unknown }
            var sources: [(VReg, Source)] = []
            for b in f.blocks {
                for i in b.instructions {
                    let inst = i.inst
                    if case .slotAddr(_, let s, _) = inst { escapedSlots.insert(s) }
                    inst.forEachDef { d in
                        guard frame.contains(d) else { return }
                        switch inst {
                        case .slotAddr(_, let s, _): sources.append((d, .slot(s)))
                        case .mov(_, .reg(let r), .w64) where frame.contains(r): sources.append((d, .register(r)))
                        case .binary(let op, _, let l, let r, .w64) where op == .add || op == .sub:
                            var other: VReg?
                            if case .reg(let x) = r, frame.contains(x) { other = x }
                            if frame.contains(l) && other == nil { sources.append((d, .register(l))) }
                            else if op == .add, !frame.contains(l), let x = other { sources.append((d, .register(x))) }
                            else { sources.append((d, .unknown)) }
                        default: sources.append((d, .unknown))
                        }
                    }
                }
            }
            for p in f.parameters where frame.contains(p) { sources.append((p, .unknown)) }
            // A lattice per register: unset, one slot, unknown (-1); all definitions met.
            var slotOf: [VReg: Int] = [:]
            var changed = true
            while changed {
                changed = false
                for (d, source) in sources where slotOf[d] != -1 {
                    let v: Int?
                    switch source {
                    case .slot(let s): v = s
                    case .register(let r): v = slotOf[r]
                    case .unknown: v = -1
                    }
                    guard let v else { continue }
                    let met = slotOf[d] == nil || slotOf[d] == v ? v : -1
                    if slotOf[d] != met { slotOf[d] = met; changed = true }
                }
            }
            self.slotOf = slotOf.filter { $0.value >= 0 }
            exactAddress = f.slotAddresses
            var esc = ByteSet(count: total), all = ByteSet(count: total)
            for s in f.slots.indices {
                let hi = start[s] + max(f.slots[s].size, 1)
                all.insert(start[s]..<hi)
                if escapedSlots.contains(s) { esc.insert(start[s]..<hi) }
            }
            escaped = esc; self.all = all
        }

        func bytes(_ s: Int, _ lo: Int, _ width: Int) -> Range<Int> {
            let size = (s + 1 < start.count ? start[s + 1] : totalBytes) - start[s]
            let a = start[s] + max(0, min(lo, size)), b = start[s] + max(0, min(lo + width, size))
            return a..<b
        }

        /// The bytes a pointer held in `r` may reach.
        func reach(_ r: VReg) -> ByteSet {
            guard let s = slotOf[r] else { return escaped }
            var set = ByteSet(count: totalBytes)
            set.insert(bytes(s, 0, Int.max / 2))
            return set
        }

        /// Applies `inst` backwards to `live`; false when it is a store nothing reads.
        func step(_ inst: Inst, _ live: inout ByteSet) -> Bool {
            switch inst {
            case .store(.slot(let s), let o, _, let w):
                let range = bytes(s, o, w.bytes)
                if volatile.contains(s) { return true }
                if !live.intersects(range) { return false }
                live.remove(range)
            case .load(_, .slot(let s), let o, let w, _):
                live.insert(bytes(s, o, w.bytes))
            case .atomic(_, .slot(let s), let o, _, let w, _), .cmpxchg(_, .slot(let s), let o, _, _, let w):
                live.insert(bytes(s, o, w.bytes))
            case .load(_, .reg(let r), _, _, _), .atomic(_, .reg(let r), _, _, _, _),
                 .cmpxchg(_, .reg(let r), _, _, _, _), .coreLoad(_, let r, _, _, _):
                if frame.contains(r) { live.formUnion(reach(r)) }
            case .call(_, let callee, let args):
                var given = args.compactMap { a -> VReg? in if case .reg(let r) = a, frame.contains(r) { return r }; return nil }
                var helper = false
                if case .helper(let n) = callee {
                    helper = true
                    // The probe_read family writes its destination and never reads it; the
                    // fixed-size ones write all of it (zeros on a fault): a kill.
                    if MemoryKinds.helpersWritingFirstArgument.contains(n), case .reg(let dst)? = args.first {
                        if args.dropFirst().allSatisfy({ $0 != .reg(dst) }) { given.removeAll { $0 == dst } }
                        if MemoryKinds.helpersFillingFirstArgument.contains(n), args.count > 1, case .imm(let size) = args[1],
                           size > 0, let at = exactAddress[dst] {
                            live.remove(bytes(at.slot, at.offset, Int(size)))
                        }
                    }
                }
                if frameAddressStored && (!given.isEmpty || !helper) { live.formUnion(escaped) }
                for r in given { live.formUnion(reach(r)) }
            case .inlineAsm(let t, _, _):
                if t.role != .volatileLoadStart && t.role != .volatileAccessEnd { live.formUnion(all) }
            default:
                break
            }
            return true
        }
    }
}

/// A set of byte positions as a bit vector.
struct ByteSet: Equatable {
    var words: [UInt64]
    init(count: Int) { words = Array(filled: 0, count: (count + 63) >> 6) }

    mutating func insert(_ r: Range<Int>) { for i in r { words[i >> 6] |= 1 << UInt64(i & 63) } }
    mutating func remove(_ r: Range<Int>) { for i in r { words[i >> 6] &= ~(1 << UInt64(i & 63)) } }
    func intersects(_ r: Range<Int>) -> Bool { r.contains { words[$0 >> 6] & (1 << UInt64($0 & 63)) != 0 } }
    mutating func formUnion(_ o: ByteSet) { for i in words.indices { words[i] |= o.words[i] } }
}
