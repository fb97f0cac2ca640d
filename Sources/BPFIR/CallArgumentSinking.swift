/// Computes a call's cheap arguments (a map or global address, a stack address, a
/// constant) right before the call: `m = &map; ...; a = m; call(a, &key)` becomes
/// `...; a = &map; k = &key; call(a, k)`. Each argument is then born where it dies,
/// so the allocator can give it its argument register instead of a register held
/// across the code in between and shuffled into place.
public enum CallArgumentSinking {
    public static func run(_ f: Function) -> Function {
        var f = f
        let (uses, defs) = f.useDefCounts()
        for bi in f.blocks.indices {
            var insts = f.blocks[bi].instructions
            var c = 0
            while c < insts.count {
                guard case .call(_, _, let args) = insts[c].inst else { c += 1; continue }
                var sunk: [Instruction] = []
                var removed: Set<Int> = []
                for case .reg(let a) in args where defs[a] == 1 && uses[a] == 1 {
                    guard let i = definition(of: a, in: insts, before: c), !removed.contains(i) else { continue }
                    var def = insts[i]
                    // A copy of a cheap value used only here: compute the value itself.
                    if case .mov(_, .reg(let b), .w64) = def.inst, defs[b] == 1, uses[b] == 1,
                       let j = definition(of: b, in: insts, before: i), !removed.contains(j), isCheap(insts[j].inst) {
                        def.inst = insts[j].inst.replacingDefs(of: b, with: a)
                        removed.insert(j)
                    } else if !isCheap(def.inst) {
                        continue
                    }
                    removed.insert(i)
                    sunk.append(def)
                }
                guard !removed.isEmpty else { c += 1; continue }
                let call = insts[c]
                var rebuilt: [Instruction] = []
                for k in 0..<c where !removed.contains(k) { rebuilt.append(insts[k]) }
                rebuilt += sunk
                rebuilt.append(call)
                let after = rebuilt.count
                rebuilt += insts[(c + 1)...]
                insts = rebuilt
                c = after
            }
            f.blocks[bi].instructions = insts
        }
        return f
    }

    /// The position of the instruction defining `r` before `end` in the block.
    static func definition(of r: VReg, in insts: [Instruction], before end: Int) -> Int? {
        var k = end - 1
        while k >= 0 {
            if insts[k].inst.singleDef == r { return k }
            k -= 1
        }
        return nil
    }

    /// Values without operands: moving them changes nothing but where they are made.
    static func isCheap(_ i: Inst) -> Bool {
        switch i {
        case .symbolAddr, .slotAddr, .loadImm64, .mov(_, .imm, _): return true
        default: return false
        }
    }
}
