/// What is known of the alignment of addresses beyond what the C types say, for passes
/// that widen narrow memory accesses (`CopyWidening`, `StoreWidening`):
/// - a stack slot's own alignment, at an offset (a volatile local's accesses stay as
///   written);
/// - memory the kernel hands out 8-aligned — a map value from `bpf_map_lookup_elem` /
///   `bpf_map_lookup_percpu_elem`, a ring buffer record from `bpf_ringbuf_reserve` —
///   through copies and constant offsets of the helper's result;
/// - a register written once (a parameter never written again counts) through which the same block makes an
///   access of a wider type: `*(u64 *)(p + 0x20000)` says `p + 0x20000` is 8-aligned, so
///   `p + 16` is too (clang infers the same). Only within the block, where every
///   instruction runs once any does (no tail call in it).
struct KnownAlignment {
    /// Helpers whose non-null result points to 8-aligned memory outside the stack.
    static let alignedResultHelpers: Set<Int32> = [1, 131, 195]   // map_lookup_elem, ringbuf_reserve, map_lookup_percpu_elem

    let function: Function
    /// Registers written once with a helper's aligned result plus a known offset.
    let helperOffsets: [VReg: Int]
    let defs: RegCounts

    init(_ f: Function, defs: RegCounts) {
        function = f
        self.defs = defs
        helperOffsets = f.singleDefinitionFacts(defs: defs) { inst, known in
            switch inst {
            case .call(_, .helper(let h), _) where Self.alignedResultHelpers.contains(h): return 0
            case .mov(_, .reg(let s), .w64): return known[s]
            case .binary(.add, _, let s, .imm(let k), .w64): return k.magnitude < 1 << 30 ? known[s].map { $0 + Int(k) } : nil
            default: return nil
            }
        }
    }

    /// Whether the register points into helper-returned memory (never the stack).
    func isHelperMemory(_ r: VReg) -> Bool { helperOffsets[r] != nil }

    /// Per register written once, what the accesses of `block` through it
    /// tell: the widest access's width and the register's residue modulo that width.
    func accessFacts(_ block: Block) -> [VReg: (modulus: Int, residue: Int)] {
        var facts: [VReg: (modulus: Int, residue: Int)] = [:]
        for i in block.instructions {
            if case .call(_, .helper(12), _) = i.inst { return [:] }     // bpf_tail_call may not return
        }
        for i in block.instructions {
            let access: (VReg, Int, Width)?
            switch i.inst {
            case .load(_, .reg(let r), let off, let w, _), .store(.reg(let r), let off, _, let w): access = (r, off, w)
            default: access = nil
            }
            guard let (r, off, w) = access, defs[r] == 1,
                  w.bytes > (facts[r]?.modulus ?? 1) else { continue }
            let m = w.bytes
            facts[r] = (m, ((-off) % m + m) % m)
        }
        return facts
    }

    /// The largest power of two (at most 8) known to divide the address `base + off`;
    /// `facts`: `accessFacts` of the block the access is in.
    func alignment(_ base: Address, _ off: Int, facts: [VReg: (modulus: Int, residue: Int)] = [:]) -> Int {
        let start: Int
        let baseAlign: Int
        switch base {
        case .slot(let s):
            if function.slots[s].isVolatile { return 1 }      // accessed exactly as written
            start = off; baseAlign = function.slots[s].alignment
        case .reg(let r):
            if let o = helperOffsets[r] {
                start = o + off; baseAlign = 8
            } else if let fact = facts[r] {
                start = fact.residue + off; baseAlign = fact.modulus
            } else {
                return 1
            }
        }
        var a = min(8, baseAlign)
        while a > 1 && start % a != 0 { a /= 2 }
        return a
    }
}
