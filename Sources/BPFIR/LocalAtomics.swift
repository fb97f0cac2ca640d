/// Atomic operations on a stack slot whose address never escapes (no `slotAddr` of it
/// once addresses are folded into accesses) and that is not volatile become plain loads,
/// operations and stores: nothing else can see the slot, so there is nothing to be atomic
/// against, and clang makes them plain too (`__sync_fetch_and_xor(&local, x)` of a
/// local whose address goes nowhere else). The slot may then become registers
/// (`SlotPromotion`) and its computation die with its last reader; as atomics, its
/// accesses kept everything that fed them. Compare-and-exchange stays (it would need a
/// branch).
public enum LocalAtomics {
    public static func run(_ original: Function) -> Function {
        var atomic = Set<Int>()
        original.forEachInstruction { _, inst in if case .atomic(_, .slot(let s), _, _, _, _) = inst { atomic.insert(s) } }
        guard !atomic.isEmpty else { return original }
        // An address of the slot that nothing reads any more (`p = &v` whose reads were
        // folded into accesses of the slot) does not let it escape: gone first.
        var f = DeadCodeElimination.run(original)
        var escaped = Set(f.slots.indices.filter { f.slots[$0].isVolatile })
        f.forEachInstruction { _, inst in if case .slotAddr(_, let s, _) = inst { escaped.insert(s) } }
        let local = atomic.subtracting(escaped)
        guard !local.isEmpty else { return original }
        func isLocal(_ inst: Inst) -> Bool {
            if case .atomic(_, .slot(let s), _, _, _, _) = inst { return local.contains(s) }
            return false
        }
        for bi in f.blocks.indices where f.blocks[bi].instructions.contains(where: { isLocal($0.inst) }) {
            var out: [Instruction] = []
            for ins in f.blocks[bi].instructions {
                guard isLocal(ins.inst), let plain = plain(ins.inst, &f) else { out.append(ins); continue }
                out += plain.map { Instruction($0, location: ins.location) }
            }
            f.blocks[bi].instructions = out
        }
        return f
    }

    /// The loads, operation, store and copy that do what `inst`, an atomic operation on a
    /// slot, does when nothing else reads or writes the slot; nil for one kept as it is.
    /// (The old value is read into a fresh register and copied to the fetch register
    /// last: the fetch register may be the operand's.)
    static func plain(_ inst: Inst, _ f: inout Function) -> [Inst]? {
        guard case .atomic(let op, let base, let off, let value, let w, let fetch) = inst else { return nil }
        switch op {
        case .loadAcquire:
            return fetch.map { [.load(dst: $0, base: base, offset: off, width: w, signed: false)] } ?? []
        case .storeRelease:
            return [.store(base: base, offset: off, value: .reg(value), width: w)]
        case .xchg, .add, .or, .and, .xor:
            guard w == .w32 || w == .w64 else { return nil }
            var out: [Inst] = []
            let old = f.newVReg()
            out.append(.load(dst: old, base: base, offset: off, width: w, signed: false))
            if op == .xchg {
                out.append(.store(base: base, offset: off, value: .reg(value), width: w))
            } else {
                let new = f.newVReg()
                let binary: BinOp = op == .add ? .add : op == .or ? .or : op == .and ? .and : .xor
                out.append(.binary(binary, dst: new, lhs: old, rhs: .reg(value), width: w))
                out.append(.store(base: base, offset: off, value: .reg(new), width: w))
            }
            if let d = fetch { out.append(.mov(dst: d, src: .reg(old), width: .w64)) }
            return out
        }
    }
}
