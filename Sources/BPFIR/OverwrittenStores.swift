/// Removes a store through a register when a later store in the same block writes the
/// same bytes through the same register and nothing between may read them: a cursor
/// kept in a map value (`buf->pos += 4` after every field pushed into `buf->data`) is
/// stored once, at the end, once `ValueNumbering` has kept it in a register across the
/// stores into `buf->data` (`AddressRanges` shows they miss it).
///
/// What may read the bytes: loads through registers, unless their bytes are surely apart
/// (the same register at other offsets, or `AddressRanges`); CO-RE loads; atomics;
/// calls; inline assembly — including the empty statement after a volatile store, which
/// keeps that store. Loads of stack slots cannot: the stores removed go through
/// registers that never point into the frame. `DeadStoreElimination` handles slots.
public enum OverwrittenStores {
    public static func run(_ f: Function) -> Function {
        let (_, defs) = f.useDefCounts()
        var frame: RegSet?
        var addresses = AddressRanges(f, defs: defs)
        var g = f
        for b in f.blocks.indices {
            let insts = f.blocks[b].instructions
            // A quick look first: a block with fewer than two stores through registers has
            // nothing to remove.
            var storesThroughRegisters = 0
            for i in insts { if case .store(.reg, _, _, _) = i.inst { storesThroughRegisters += 1 } }
            guard storesThroughRegisters > 1 else { continue }
            if frame == nil { frame = f.framePointerRegisters() }
            // Stores met later in the block (walking back) whose bytes nothing read since.
            var pending: [(base: VReg, offset: Int, bytes: Int)] = []
            var keep = [Bool](filled: true, count: insts.count)
            for k in insts.indices.reversed() {
                switch insts[k].inst {
                case .store(.reg(let base), let off, _, let w):
                    guard defs[base] == 1, !frame!.contains(base) else { continue }
                    if pending.contains(where: { $0.base == base && $0.offset <= off && off + w.bytes <= $0.offset + $0.bytes }) {
                        keep[k] = false
                    } else {
                        pending.append((base, off, w.bytes))
                    }
                case .load(_, .reg(let base), let off, let w, _):
                    pending.removeAll { !addresses.disjoint(base, off, w.bytes, $0.base, $0.offset, $0.bytes) }
                case .coreLoad, .atomic, .cmpxchg, .call, .inlineAsm:
                    pending.removeAll()
                default:
                    break
                }
            }
            if keep.contains(false) {
                g.blocks[b].instructions = zip(insts, keep).filter(\.1).map(\.0)
            }
        }
        return g
    }
}
