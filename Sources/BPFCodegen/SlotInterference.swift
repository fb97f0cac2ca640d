import BPFIR

/// Which of a function's plain 8-byte slots hold values needed at the same time, by
/// liveness over the flow graph rather than by spans in block order: a slot is live
/// where a load of it can be reached before a store to it, and two slots interfere when
/// one is stored while the other is live. A plain slot is one only whole 64-bit loads and
/// stores at offset 0 touch (spill slots, locals kept in memory): its address is never
/// taken, so no access is hidden. Inside a long loop every span covers the whole loop,
/// while the spilled values of its different stretches are live one after another.
struct SlotInterference {
    /// The plain slots, in slot order.
    var slots: [Int]
    /// Index of each plain slot in `slots` (nil: not plain).
    var indexOf: [Int?]
    /// `interferes[i]` holds the plain slots live where slot `slots[i]` is stored, or
    /// stored while it is live (plain slot `j` as `VReg(j)`: a set of small numbers).
    var interferes: [RegSet]

    init(_ f: Function) {
        var plain = [Bool](filled: true, count: f.slots.count)
        var used = [Bool](filled: false, count: f.slots.count)
        for k in f.slots.indices where f.slots[k].isVolatile || f.slots[k].size != 8 { plain[k] = false }
        f.forEachInstruction { _, inst in
            guard let s = inst.slotReferenced, s < plain.count else { return }
            used[s] = true
            switch inst {
            case .load(_, .slot, 0, .w64, false), .store(.slot, 0, _, .w64): break
            default: plain[s] = false
            }
        }
        slots = f.slots.indices.filter { plain[$0] && used[$0] }
        indexOf = [Int?](filled: nil, count: f.slots.count)
        for (i, s) in slots.enumerated() { indexOf[s] = i }
        let n = slots.count
        interferes = [RegSet](filled: RegSet(capacity: n), count: n)
        guard n > 1 else { return }
        let indexOf = self.indexOf
        /// The plain slot an instruction loads or stores, and whether it stores.
        func access(_ inst: Inst) -> (slot: VReg, stores: Bool)? {
            switch inst {
            case .load(_, .slot(let s), _, _, _): return indexOf[s].map { (VReg($0), false) }
            case .store(.slot(let s), _, _, _): return indexOf[s].map { (VReg($0), true) }
            default: return nil
            }
        }
        // Per block: slots loaded before any store in it, slots it stores.
        let blockIndex = f.blockIndexByID
        var upward = [RegSet](filled: RegSet(capacity: n), count: f.blocks.count)
        var stored = upward
        for (bi, b) in f.blocks.enumerated() {
            for i in b.instructions {
                guard let (s, stores) = access(i.inst) else { continue }
                if stores { stored[bi].insert(s) } else if !stored[bi].contains(s) { upward[bi].insert(s) }
            }
        }
        let successors = f.blocks.map { $0.terminator.successors.compactMap { blockIndex[$0] } }
        // Backward: what is live out of a block flows from its successors.
        let liveOut = GenKillFlow.solve(order: Array(f.blocks.indices.reversed()), from: successors, gen: upward, kill: stored,
                                        capacity: n).input
        for (bi, b) in f.blocks.enumerated() {
            var live = liveOut[bi]
            for i in b.instructions.reversed() {
                guard let (s, stores) = access(i.inst) else { continue }
                if stores {
                    live.remove(s)
                    interferes[s.id].formUnion(live)
                    for t in live { interferes[t.id].insert(s) }
                } else {
                    live.insert(s)
                }
            }
        }
    }
}
