/// Removes a store through a register when, on every path from it, a later store writes
/// the same bytes before anything may read them or the function returns (backward flow
/// of "surely overwritten" bytes, met over successors). A cursor kept in a map value
/// (`buf->pos += 4` after every field pushed into `buf->data`) is stored once, at the
/// end, once `ValueNumbering` has kept it in a register across the stores into
/// `buf->data` (`AddressRanges` shows they miss it); a global word a run of bitfield
/// assignments rewrites (`bfv.lo += a; bfv.flag = !bfv.flag;`, a branch between them) is
/// stored once, as clang stores it. Addresses are compared by `AddressRanges`: the same
/// register written once, or the same root (a register or a symbol: each `ld_imm64` of
/// a global is a register of its own) at the same exact offset.
///
/// What may read the bytes: loads through registers, unless their bytes are surely apart;
/// CO-RE loads; atomics; calls; inline assembly — including the empty statement after a
/// volatile store, which keeps that store. Loads of stack slots cannot: the stores
/// removed go through registers that never point into the frame. `DeadStoreElimination`
/// handles slots.
public enum OverwrittenStores {
    /// Bytes at an exact address: `root + offset`, `bytes` long.
    struct Written: Hashable { var root: AddressRanges.Root; var offset: Int64; var bytes: Int }

    public static func run(_ f: Function) -> Function {
        // A quick look first: a function with fewer than two stores through registers has
        // nothing to remove.
        var storesThroughRegisters = 0
        f.forEachInstruction { _, inst in if case .store(.reg, _, _, _) = inst { storesThroughRegisters += 1 } }
        guard storesThroughRegisters > 1 else { return f }
        let (_, defs) = f.useDefCounts()
        let frame = f.framePointerRegisters()
        var addresses = AddressRanges(f, defs: defs)

        /// The exact bytes a store or load through `base` touches, if known.
        func written(_ base: VReg, _ offset: Int, _ width: Width) -> Written? {
            guard defs[base] == 1, !frame.contains(base), let r = addresses.range(of: base), r.lo == r.hi else { return nil }
            return Written(root: r.root, offset: r.lo + Int64(offset), bytes: width.bytes)
        }
        /// `surely` as it is before `inst` (walking back); whether `inst` is a store
        /// whose bytes `surely` already holds.
        func step(_ inst: Inst, _ surely: inout [Written]) -> Bool {
            switch inst {
            case .store(.reg(let base), let off, _, let w):
                guard let bytes = written(base, off, w) else { return false }
                if surely.contains(where: { $0.root == bytes.root && $0.offset <= bytes.offset
                                            && bytes.offset + Int64(bytes.bytes) <= $0.offset + Int64($0.bytes) }) {
                    return true
                }
                surely.append(bytes)
            case .load(_, .reg(let base), let off, let w, _):
                guard !surely.isEmpty else { break }
                guard defs[base] == 1, let r = addresses.range(of: base) else { surely.removeAll(); break }
                surely.removeAll { !AddressRanges.disjoint(r, off, w.bytes, AddressRanges.Range(root: $0.root, lo: $0.offset, hi: $0.offset), 0, $0.bytes) }
            case .coreLoad, .atomic, .cmpxchg, .call, .inlineAsm:
                surely.removeAll()
            default:
                break
            }
            return false
        }

        // Another quick look: some store's bytes must be covered by another store's (the
        // same root), or nothing can go.
        var byRoot: [AddressRanges.Root: [Written]] = [:]
        var covered = false
        f.forEachInstruction { _, inst in
            guard !covered, case .store(.reg(let base), let off, _, let w) = inst, let bytes = written(base, off, w) else { return }
            let others = byRoot[bytes.root, default: []]
            if others.contains(where: { o in
                (o.offset <= bytes.offset && bytes.offset + Int64(bytes.bytes) <= o.offset + Int64(o.bytes))
                    || (bytes.offset <= o.offset && o.offset + Int64(o.bytes) <= bytes.offset + Int64(bytes.bytes)) }) {
                covered = true
            }
            byRoot[bytes.root, default: []].append(bytes)
        }
        guard covered else { return f }

        // Per block, what is surely overwritten at its start. The least solution, grown
        // from nothing: a block not yet reached holds nothing, so the sets only grow and
        // the walk ends (a store in a loop overwritten only by the next iteration stays).
        // Blocks that return, or end unreachable, start from nothing.
        let (succs, _) = f.flowGraph
        let post = f.depthFirst.postOrder
        var atStart = [[Written]?](filled: nil, count: f.blocks.count)
        func atEnd(_ b: Int) -> [Written] {
            var out: [Written]?
            for s in succs[b] {
                let there = atStart[s] ?? []
                out = out.map { mine in mine.filter { there.contains($0) } } ?? there
            }
            return out ?? []
        }
        var changed = true
        while changed {
            changed = false
            for b in post {   // successors first
                var surely = atEnd(b)
                for i in f.blocks[b].instructions.reversed() { _ = step(i.inst, &surely) }
                // (Sets only grow: a different count is a different set.)
                if atStart[b].map({ $0.count != surely.count }) ?? true {
                    atStart[b] = surely
                    changed = true
                }
            }
        }
        var g = f
        for b in post {
            let insts = f.blocks[b].instructions
            var surely = atEnd(b)
            var keep = [Bool](filled: true, count: insts.count)
            for k in insts.indices.reversed() where step(insts[k].inst, &surely) { keep[k] = false }
            if keep.contains(false) {
                g.blocks[b].instructions = zip(insts, keep).filter(\.1).map(\.0)
            }
        }
        return g
    }
}
