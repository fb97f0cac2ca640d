import BPFIR

/// Memory offsets the passes can add to without overflowing: a constant offset past any
/// object (`p[9223372036854775807]`, which wraps, as the target's address arithmetic
/// does) becomes an address computed in a register, so every offset in the IR lowering
/// hands on is within ±2^31 (passes fold further constants into offsets only while the
/// sum stays small).
enum LargeOffsets {
    static let limit = 1 << 31

    static func split(_ input: Function) -> Function {
        var f = input
        func fits(_ off: Int) -> Bool { off > -limit && off < limit }
        for bi in f.blocks.indices {
            guard f.blocks[bi].instructions.contains(where: { !fits($0.inst.memoryOffset ?? 0) }) else { continue }
            var out: [Instruction] = []
            for ins in f.blocks[bi].instructions {
                guard let off = ins.inst.memoryOffset, !fits(off) else { out.append(ins); continue }
                // The address as base + offset in a register, then the access at offset 0.
                let k = f.newVReg()
                out.append(Instruction(.loadImm64(dst: k, value: Int64(off)), location: ins.location))
                /// `dst = base + k`.
                func computeAddress(_ base: Address, into dst: VReg) {
                    let start: VReg
                    switch base {
                    case .reg(let r): start = r
                    case .slot(let s):
                        start = f.newVReg()
                        out.append(Instruction(.slotAddr(dst: start, slot: s, offset: 0), location: ins.location))
                    }
                    out.append(Instruction(.binary(.add, dst: dst, lhs: start, rhs: .reg(k), width: .w64), location: ins.location))
                }
                if case .slotAddr(let d, let s, _) = ins.inst {
                    computeAddress(.slot(s), into: d)
                    continue
                }
                let address = f.newVReg()
                func computeAddress(_ base: Address) { computeAddress(base, into: address) }
                var moved = ins
                switch ins.inst {
                case .atomic(let op, let base, _, let v, let w, let fetch):
                    computeAddress(base)
                    moved.inst = .atomic(op, base: .reg(address), offset: 0, value: v, width: w, fetch: fetch)
                case .cmpxchg(let d, let base, _, let expected, let new, let w):
                    computeAddress(base)
                    moved.inst = .cmpxchg(dst: d, base: .reg(address), offset: 0, expected: expected, new: new, width: w)
                default:
                    moved.inst = ins.inst.rebasingMemory { base, _ in computeAddress(base); return (.reg(address), 0) }
                }
                out.append(moved)
            }
            f.blocks[bi].instructions = out
        }
        return f
    }
}
