/// Stores to one stack slot's bytes that end every block jumping to a join are one store
/// at the start of the join, of a register each of those blocks sets to its value:
/// `if (signed) val = (s64)val >> k; else val = val >> k; return val;` on a `val` whose
/// address a helper was given (`BPF_CORE_READ_BITFIELD_PROBED`) stores `val` once, right
/// before the load that reads it back, which `StackForwarding` then forwards, and the
/// store dies when nothing else reads the slot (clang sinks such stores into the join
/// the same way). Only where every predecessor of the join ends in a store to the same
/// bytes of a slot that is not volatile, and only jumps to the join, and where the join's
/// first access to memory is a load of those bytes.
public enum StoreSinking {
    public static func run(_ f: Function) -> Function {
        var f = f
        let preds = f.flowGraph.predecessors
        for j in f.blocks.indices where preds[j].count >= 2 {
            let from = preds[j]
            guard !from.contains(j), Set(from).count == from.count,
                  from.allSatisfy({ f.blocks[$0].terminator == .jump(f.blocks[j].id) }) else { continue }
            // One store per join: the store put at its start is then its first access.
            guard let first = f.blocks[from[0]].instructions.last,
                  case .store(.slot(let s), let off, _, let w) = first.inst, !f.slots[s].isVolatile else { continue }
            let values = from.compactMap { p -> Operand? in
                guard let last = f.blocks[p].instructions.last, case .store(.slot(s), off, let v, w) = last.inst else { return nil }
                return v
            }
            // Only when the join reads those bytes back first thing, so that the load then
            // reads the value (stores of different constants into a key a helper is given
            // would each become a copy, and one more store).
            let firstAccess = f.blocks[j].instructions.first { $0.inst.touchesMemory }
            guard values.count == from.count, case .load(_, .slot(s), off, w, _)? = firstAccess?.inst else { continue }
            var stored = values[0]
            if values.contains(where: { $0 != stored }) {
                let t = VReg(f.nextVReg)
                f.nextVReg += 1
                for (p, v) in zip(from, values) {
                    let location = f.blocks[p].instructions.last!.location
                    f.blocks[p].instructions[f.blocks[p].instructions.count - 1] = Instruction(.mov(dst: t, src: v, width: .w64), location: location)
                }
                stored = .reg(t)
            } else {
                for p in from { f.blocks[p].instructions.removeLast() }
            }
            f.blocks[j].instructions.insert(Instruction(.store(base: .slot(s), offset: off, value: stored, width: w), location: first.location), at: 0)
        }
        return f
    }
}
