/// Within a block, a load that repeats an earlier load of the same memory (same base
/// register, offset, width and signedness; a CO-RE load with the same relocation)
/// with nothing in between that may write memory reuses the first result:
/// `ctx[0]` read in every iteration of an unrolled loop is read once. A block whose only
/// predecessor comes before it starts with what was available at that predecessor's end
/// (the path between them is unique).
///
/// Stores through registers, atomics, calls (helpers write map values and packets,
/// and may move packet data) and CO-RE stores forget everything; stack stores do not,
/// unless their base may point into the frame. Loads whose base may point into the
/// frame are StackForwarding's business and are left alone.
public enum LoadElimination {
    struct Key: Hashable { var base: VReg; var offset: Int; var width: Width; var signed: Bool; var reloc: CoreReloc? }

    public static func run(_ f: Function) -> Function {
        var f = f
        let frame = f.framePointerRegisters()
        let predecessors = f.flowGraph.predecessors.map { $0.distinct }
        var atEnd: [Int: [Key: VReg]] = [:]
        for bi in f.blocks.indices {
            var available: [Key: VReg] = [:]
            if predecessors[bi].count == 1, let p = predecessors[bi].first, p < bi, let inherited = atEnd[p] { available = inherited }
            for ii in f.blocks[bi].instructions.indices {
                let inst = f.blocks[bi].instructions[ii].inst
                var key: Key? = nil
                switch inst {
                case .load(let d, .reg(let b), let o, let w, let s) where !frame.contains(b) && d != b:
                    key = Key(base: b, offset: o, width: w, signed: s, reloc: nil)
                case .coreLoad(let d, let b, let o, let w, let r) where !frame.contains(b) && d != b:
                    key = Key(base: b, offset: o, width: w, signed: false, reloc: r)
                case .store(.slot, _, _, _):
                    break
                case .store, .atomic, .cmpxchg, .call, .coreStore, .inlineAsm:
                    available.removeAll()
                default: break
                }
                if let k = key, let prev = available[k] {
                    let d = inst.definedRegs[0]
                    f.blocks[bi].instructions[ii].inst = .mov(dst: d, src: .reg(prev), width: .w64)
                    key = nil
                }
                for d in inst.definedRegs {
                    available = available.filter { $0.key.base != d && $0.value != d }
                }
                if let k = key { available[k] = inst.definedRegs[0] }
            }
            atEnd[bi] = available
        }
        return f
    }
}
