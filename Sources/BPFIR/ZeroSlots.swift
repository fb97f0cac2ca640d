/// Stack slots only ever written with zeros read as zeros. A local array cleared by its
/// initializer (`__s64 a[4][2] = {};`) or a `memset(&a, 0, ...)`, then written only with
/// zeros (`a[i][j] &= 0`, folded to a store of 0), holds 0 in every byte: each load from
/// it, at any index, is the constant 0, as clang's SROA and InstCombine find. The loads
/// at variable indices would otherwise stay, and the verifier, which tracks a
/// variable-offset store into the stack as unknown bytes, would split its walk on every
/// value read back (random seed 66096, reduced: over its limit; clang's build 2,457).
///
/// Only slots whose address is used for nothing but loads and stores into the slot itself
/// (`DeadControlFlow.privateSlotAddresses`: not passed to a call, stored, compared or used
/// by an atomic operation), that no atomic operation writes, and whose stores write 0 or a
/// value loaded from such a slot (`a[i] += 0`, folded, stores back what it read). A load
/// before any store reads an indeterminate value in C; 0 is one.
public enum ZeroSlots {
    public static func run(_ f: Function) -> Function {
        // (Nothing to find without a store of 0, or without a variable offset added to a
        // slot's address: loads at known offsets read the stored zeros through
        // `StackForwarding`.)
        var storesZero = false, indexed = false
        var addresses = RegSet()
        f.forEachInstruction { _, inst in
            switch inst {
            case .store(_, _, .imm(0), _): storesZero = true
            case .slotAddr(let d, _, _): addresses.insert(d)
            case .binary(.add, _, let l, .reg(let r), .w64): if addresses.contains(l) || addresses.contains(r) { indexed = true }
            default: break
            }
        }
        guard storesZero && indexed else { return f }
        let (slots, registers) = DeadControlFlow.privateSlotAddresses(f)
        var zero = slots.filter { !f.slots[$0].isVolatile }
        guard !zero.isEmpty else { return f }
        /// The slot `base` addresses, if one of `slots`.
        func slot(_ base: Address) -> Int? {
            switch base {
            case .slot(let k): return k
            case .reg(let r): return registers[r]
            }
        }
        var loads = false
        f.forEachInstruction { _, inst in
            switch inst {
            case .atomic(_, .slot(let k), _, _, _, _), .cmpxchg(_, .slot(let k), _, _, _, _):
                zero.remove(k)
            case .load(_, let base, _, _, _):
                if slot(base) != nil { loads = true }
            default:
                break
            }
        }
        guard loads, !zero.isEmpty else { return f }
        // A store keeps its slot zero when it stores 0, or a value read from such a slot
        // (`a[i] += 0` stores back what it loaded): to a fixpoint, slots storing anything
        // else leaving the set.
        let definitions = f.definitionsByRegister
        func isZero(_ value: Operand) -> Bool {
            switch value {
            case .imm(let k): return k == 0
            case .reg(let r):
                guard let ds = definitions[r], !ds.isEmpty else { return false }
                return ds.allSatisfy { d in
                    switch d {
                    case .mov(_, .imm(0), _): return true
                    case .load(_, let base, _, _, _): return slot(base).map { zero.contains($0) } ?? false
                    default: return false
                    }
                }
            }
        }
        var changed = true
        while changed && !zero.isEmpty {
            changed = false
            f.forEachInstruction { _, inst in
                if case .store(let base, _, let value, _) = inst, let k = slot(base), zero.contains(k), !isZero(value) {
                    zero.remove(k)
                    changed = true
                }
            }
        }
        guard !zero.isEmpty else { return f }
        var g = f
        for bi in g.blocks.indices {
            var changed = false
            var insts = g.blocks[bi].instructions
            for i in insts.indices {
                guard case .load(let d, let base, _, _, _) = insts[i].inst, let k = slot(base), zero.contains(k) else { continue }
                insts[i].inst = .mov(dst: d, src: .imm(0), width: .w64)
                changed = true
            }
            if changed { g.blocks[bi].instructions = insts }
        }
        return g
    }
}
