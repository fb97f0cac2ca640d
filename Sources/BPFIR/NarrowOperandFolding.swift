/// A 32-bit ALU operation reads through a 32-bit zero-extension of a value that is
/// never redefined: `t = (u32)x; d = t + 1` (32-bit) becomes `d = x + 1`, since the
/// operation only looks at the low half. Within a block and up to the next call, so
/// no value is kept alive across a call it did not cross before.
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
            var low32Of: [VReg: VReg] = [:]      // t → x for 32-bit zero-extensions
            for ii in f.blocks[bi].instructions.indices {
                var inst = f.blocks[bi].instructions[ii].inst
                if case .binary(_, _, _, _, .w32) = inst {
                    for u in Set(inst.usedRegs) {
                        if let x = low32Of[u] { inst = inst.replacingUses(of: u, with: x) }
                    }
                    f.blocks[bi].instructions[ii].inst = inst
                }
                switch inst {
                case .call, .inlineAsm:
                    low32Of.removeAll()
                case .mov(let t, .reg(let x), .w32) where t != x && defs[t] == 1 && defs[x] == 1:
                    low32Of[t] = x
                case .ext(let t, let x, .w32, _, false) where t != x && defs[t] == 1 && defs[x] == 1:
                    low32Of[t] = x
                default: break
                }
            }
        }
        return f
    }
}
