/// An operation that reads only the low bits of an operand reads through a
/// zero-extension of a value that is never redefined: `t = (u32)x; d = t + 1` (32-bit)
/// becomes `d = x + 1`, since the operation only looks at the low half, `d = t & 0x1f`
/// (64-bit, a mask within the low half) becomes `d = x & 0x1f`, and
/// `t = (u16)x; d = bswap16(t)` (`bpf_ntohs(skb->protocol)`) becomes `d = bswap16(x)`.
/// Within a block and up to the next call, so no value is kept alive across a call it
/// did not cross before.
///
/// Not for compares (the verifier learns bounds for the register a branch compares,
/// and later uses read `t`), and not for plain 64-bit copies: reading `x` instead of a
/// copy of it lengthens `x`'s live range, and with the allocator's copy coalescing
/// that measured as more spills and more instructions, not fewer.
/// The extensions left without uses go in dead code elimination.
public enum NarrowOperandFolding {
    public static func run(_ f: Function) -> Function {
        var f = f
        let (_, defs) = f.useDefCounts()
        for bi in f.blocks.indices {
            var lowOf: [VReg: (value: VReg, width: Width)] = [:]     // t → the x whose low bits t is
            /// The `w` low bits of `x`, followed through an extension `x` itself is (an inline
            /// assembly statement's 32-bit output zero-extended, then copied at 32 bits).
            func lowBits(of x: VReg, _ w: Width) -> (value: VReg, width: Width) {
                if let y = lowOf[x], y.width.bits >= w.bits { return (y.value, w) }
                return (x, w)
            }
            for ii in f.blocks[bi].instructions.indices {
                var inst = f.blocks[bi].instructions[ii].inst
                switch inst {
                case .binary(_, _, _, _, .w32):
                    for u in Set(inst.usedRegs) {
                        if let x = lowOf[u], x.width == .w32 { inst = inst.replacingUses(of: u, with: x.value) }
                    }
                // A 64-bit mask confined to the extension's low bits reads only those.
                case .binary(.and, let d, let t, .imm(let k), .w64):
                    if let x = lowOf[t], k >= 0, k < Int64(1) << Int64(x.width.bits) {
                        inst = .binary(.and, dst: d, lhs: x.value, rhs: .imm(k), width: .w64)
                    }
                case .bswap(let d, let t, let w):
                    if let x = lowOf[t], x.width.bytes >= w.bytes { inst = .bswap(dst: d, src: x.value, width: w) }
                default: break
                }
                f.blocks[bi].instructions[ii].inst = inst
                switch inst {
                case .call, .inlineAsm:
                    lowOf.removeAll()
                case .mov(let t, .reg(let x), .w32) where t != x && defs[t] == 1 && defs[x] == 1:
                    lowOf[t] = lowBits(of: x, .w32)
                case .ext(let t, let x, let from, _, false) where t != x && defs[t] == 1 && defs[x] == 1 && from != .w64:
                    lowOf[t] = lowBits(of: x, from)
                default: break
                }
            }
        }
        return f
    }
}
