/// Folds stack addresses held in registers into the memory accesses that use them:
/// `p = &local + 8; *(p + 4)` becomes `*(r10 - k + 12)`, one instruction that the
/// verifier sees as a plain stack access; `p + 1` of such a `p` becomes a slot address.
/// Any other pointer plus a constant folds into the access's offset field:
/// `q = p + 4; *(u16 *)q` becomes `*(u16 *)(p + 4)` (the form the verifier needs for
/// context pointers, and one instruction fewer).
public enum AddressFolding {
    public static func foldSlots(_ f: Function) -> Function {
        // Only worth the propagation when some access goes through a frame address.
        let frame = f.framePointerRegisters()
        guard !frame.isEmpty, f.containsInstruction(where: { inst in
            switch inst {
            case .load(_, .reg(let r), _, _, _), .store(.reg(let r), _, _, _): return frame.contains(r)
            default: return false
            }
        }) else { return f }
        return KnownValues(f).rewriting(f, instruction: foldSlot)
    }

    /// One instruction with its stack addresses folded, given what its registers hold
    /// (`value`) and what it computes (`result`).
    static func foldSlot(_ inst: Inst, result: KnownValue?, _ value: (VReg) -> KnownValue?) -> Inst {
        if case .binary(let op, let d, _, _, .w64) = inst, op == .add || op == .sub, case .slot(let s, let o)? = result {
            return .slotAddr(dst: d, slot: s, offset: o)
        }
        return inst.rebasingMemory { a, off in
            if case .reg(let r) = a, case .slot(let s, let o)? = value(r) { return (.slot(s), o + off) }
            return (a, off)
        }
    }

    /// `base + k` registers: those defined once from a register defined once hold it
    /// everywhere; the others only until either register is written again in their block.
    public static func foldOffsets(_ f: Function) -> Function {
        var f = f
        let (_, defs) = f.useDefCounts()
        var global: [VReg: (base: VReg, k: Int)] = [:]
        var changed = true
        while changed {
            changed = false
            for b in f.blocks {
                for i in b.instructions {
                    guard case .binary(.add, let d, let a, .imm(let k), .w64) = i.inst, d != a, defs[d] == 1, defs[a] == 1,
                          global[d] == nil, k.magnitude < 1 << 15 else { continue }
                    let inner = global[a] ?? (a, 0)
                    global[d] = (inner.base, inner.k + Int(k))
                    changed = true
                }
            }
        }
        for bi in f.blocks.indices {
            var local: [VReg: (base: VReg, k: Int)] = [:]
            for ii in f.blocks[bi].instructions.indices {
                let inst = f.blocks[bi].instructions[ii].inst
                f.setInst(bi, ii, inst.rebasingMemory { a, off in
                    guard case .reg(let r) = a, let (base, k) = global[r] ?? local[r], (off &+ k).magnitude < 1 << 15 else { return (a, off) }
                    return (.reg(base), off &+ k)
                })
                // The empty statement before a volatile load names the memory the load
                // reads by its address: the folded address's base names the same object,
                // and the addition dies with the load's.
                if case .inlineAsm(let t, let inputs, let outputs) = inst, t.role == .volatileLoadStart, inputs.count == 1,
                   let (base, _) = global[inputs[0]] ?? local[inputs[0]] {
                    f.setInst(bi, ii, .inlineAsm(t, inputs: [base], outputs: outputs))
                }
                for d in inst.definedRegs {
                    local[d] = nil
                    if local.values.contains(where: { $0.base == d }) { local = local.filter { $0.value.base != d } }
                }
                if case .binary(.add, let d, let a, .imm(let k), .w64) = inst, d != a, global[d] == nil, k.magnitude < 1 << 15 {
                    let inner = global[a] ?? local[a] ?? (a, 0)
                    local[d] = (inner.base, inner.k + Int(k))
                }
            }
        }
        return f
    }
}
