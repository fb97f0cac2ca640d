import BPFIR

/// Values the register allocator can load again from the stack slot they were loaded
/// from, instead of spilling them: registers written once, by a load of a non-volatile
/// slot, whose slot bytes nothing may write on any path from the load to a use. What may
/// write them: stores and atomics on the slot's bytes, and whatever `MemoryKinds` says
/// writes the frame, unless it reaches only other slots (a store through an address in
/// another slot, a helper given only other slots' addresses).
///
/// Asked about the value chosen to spill; each answer is one forward pass over the
/// function.
struct SlotReloads {
    private let f: Function
    private let definition: [VReg: Inst]
    private var answers: [VReg: Bool] = [:]
    private lazy var kinds = MemoryKinds(f)
    private lazy var flow = f.flowGraph

    init(_ f: Function) {
        self.f = f
        let (_, defs) = f.useDefCounts()
        var definition: [VReg: Inst] = [:]
        f.forEachInstruction { _, inst in
            if case .load(let d, .slot(let s), _, _, _) = inst, defs[d] == 1, !f.slots[s].isVolatile { definition[d] = inst }
        }
        self.definition = definition
    }

    /// The load defining `v`, when loading it again at each use reads the same value.
    mutating func definition(_ v: VReg) -> Inst? { reloadable(v) ? definition[v] : nil }

    mutating func reloadable(_ v: VReg) -> Bool {
        guard let def = definition[v] else { return false }
        if let known = answers[v] { return known }
        let answer = unchanged(v, def)
        answers[v] = answer
        return answer
    }

    /// Whether instruction `inst` may write bytes `[lo, hi)` of slot `s` (`MemoryKinds`:
    /// what writes the frame, and which slots when that is known).
    private mutating func writes(_ inst: Inst, slot s: Int, _ lo: Int, _ hi: Int) -> Bool {
        switch inst {
        case .store(.slot(let t), let off, _, let w), .atomic(_, .slot(let t), let off, _, let w, _),
             .cmpxchg(_, .slot(let t), let off, _, _, let w):
            return t == s && off < hi && lo < off + w.bytes
        default:
            guard kinds.writes(inst, kind: MemoryKinds.frame) else { return false }
            return kinds.slotsWritten(inst)?.contains(s) ?? true
        }
    }

    /// A forward pass: is the slot unchanged since `v` was loaded, at every use of `v`?
    private mutating func unchanged(_ v: VReg, _ def: Inst) -> Bool {
        guard case .load(_, .slot(let s), let off, let w, _) = def else { return false }
        let (lo, hi) = (off, off + w.bytes)
        let blocks = f.blocks.count
        let preds = flow.predecessors
        // outValid[b]: at the end of b, v is defined and the bytes unchanged since.
        var outValid = [Bool](filled: true, count: blocks)
        func run(_ b: Int, _ valid: Bool, check: Bool) -> Bool? {
            var valid = valid
            for i in f.blocks[b].instructions {
                if check && !valid && i.inst.usedRegs.contains(v) { return nil }
                if i.inst.defines(v) { valid = true; continue }
                if valid && writes(i.inst, slot: s, lo, hi) { valid = false }
            }
            if check && !valid && f.blocks[b].terminator.usedRegs.contains(v) { return nil }
            return valid
        }
        var changed = true
        while changed {
            changed = false
            for b in 0..<blocks {
                let entry = b == 0 ? false : preds[b].allSatisfy { outValid[$0] } && !preds[b].isEmpty
                let out = run(b, entry, check: false)!
                if out != outValid[b] { outValid[b] = out; changed = true }
            }
        }
        for b in 0..<blocks {
            let entry = b == 0 ? false : preds[b].allSatisfy { outValid[$0] } && !preds[b].isEmpty
            if run(b, entry, check: true) == nil { return false }
        }
        return true
    }
}
