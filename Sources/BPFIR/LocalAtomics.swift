/// Atomic operations on a stack slot whose address never escapes (no `slotAddr` of it
/// once addresses are folded into accesses) and that is not volatile become plain loads,
/// operations and stores: nothing else can see the slot, so there is nothing to be atomic
/// against, and clang makes them plain too (`__sync_fetch_and_xor(&local, x)` of a
/// local whose address goes nowhere else). The slot may then become registers
/// (`SlotPromotion`) and its computation die with its last reader; as atomics, its
/// accesses kept everything that fed them. Compare-and-exchange stays (it would need a
/// branch), and so do the atomics of a slot whose value a loop carries round by fetches
/// alone (`carriedByFetches`).
public enum LocalAtomics {
    public static func run(_ original: Function) -> Function {
        var atomic = Set<Int>()
        original.forEachInstruction { _, inst in if case .atomic(_, .slot(let s), _, _, _, _) = inst { atomic.insert(s) } }
        guard !atomic.isEmpty else { return original }
        // An address of the slot that nothing reads any more (`p = &v` whose reads were
        // folded into accesses of the slot) does not let it escape: gone first.
        var f = DeadCodeElimination.run(original)
        var kept = Set(f.slots.indices.filter { f.slots[$0].isVolatile })
        f.forEachInstruction { _, inst in if case .slotAddr(_, let s, _) = inst { kept.insert(s) } }
        kept.formUnion(carriedByFetches(f))
        let local = atomic.subtracting(kept)
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

    /// Slots a loop changes by an unknown amount only through atomics whose fetched value is
    /// read (`old = __sync_fetch_and_sub(&x, n)` in a loop, no plain store to `x` there).
    /// Plain, the local is a value the verifier follows round the loop, its range split by
    /// every test of what was fetched, and a result depending on it keeps the rounds' states
    /// apart (random seed 66096: over the verifier's limit; 292,334 instructions with the
    /// atomic kept, clang's build, which keeps it too, 76,901). An atomic's write leaves the
    /// slot unknown to the verifier, and the rounds' states alike. (A constant operand, an
    /// unread fetch or a plain store in the loop, and the value stays one worth knowing.)
    static func carriedByFetches(_ f: Function) -> Set<Int> {
        let inLoops = Set(Loops(f).all.flatMap(\.blocks))
        guard !inLoops.isEmpty else { return [] }
        let (uses, defs) = f.useDefCounts()
        var constants: Set<VReg> = []
        f.forEachInstruction { _, inst in if case .mov(let d, .imm, _) = inst, defs[d] == 1 { constants.insert(d) } }
        var stored: Set<Int> = [], carried: Set<Int> = []
        for b in inLoops {
            for ins in f.blocks[b].instructions {
                switch ins.inst {
                case .store(.slot(let s), _, _, _): stored.insert(s)
                case .atomic(_, .slot(let s), _, let v, _, let fetch?) where uses[fetch] > 0 && !constants.contains(v): carried.insert(s)
                default: break
                }
            }
        }
        return carried.subtracting(stored)
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
