/// An equality test of sign-extended narrow values compares the narrow values: `c == 'x'`
/// with `char c` loaded as a byte is `byte == 0x78`, and two chars compare as their bytes
/// (clang's `icmp eq (sext a), (sext b)` → `icmp eq a, b`). The narrow value must be one
/// that every definition leaves zero-extended (an unsigned load or zero extension of that
/// width, or narrower), and the extension must be in the branch's block with its source
/// not written after it. A constant a sign extension cannot produce leaves the test alone.
/// An unsigned `<= 0` or `> 0` of one (`0 >= (u64)c`) is its test against 0: done on the
/// byte, the verifier knows the byte's value after the test, and a later test of the same
/// byte (an unrolled loop's next round) is decided, not split again.
public enum NarrowCompares {
    public static func run(_ f: Function) -> Function {
        // Registers every definition of which is zero-extended from at most 8 or 16 bits.
        var widest: [VReg: Int] = [:]
        var other = Set(f.parameters)
        for b in f.blocks {
            for i in b.instructions {
                switch i.inst {
                case .load(let d, _, _, let w, false) where w == .w8 || w == .w16:
                    widest[d] = max(widest[d] ?? 0, w.bytes)
                case .ext(let d, _, let from, _, false) where from == .w8 || from == .w16:
                    widest[d] = max(widest[d] ?? 0, from.bytes)
                default:
                    i.inst.forEachDef { other.insert($0) }
                }
            }
        }
        func narrow(_ r: VReg, _ w: Width) -> Bool { !other.contains(r) && (widest[r] ?? 99) <= w.bytes }
        var f = f
        for bi in f.blocks.indices {
            guard case .branch(let test, let l, let r, let w, let thenB, let elseB) = f.blocks[bi].terminator else { continue }
            // (Unsigned `<= 0` and `> 0` are `== 0` and `!= 0`.)
            let cc: CondCode = r == .imm(0) && test == .ule ? .eq : r == .imm(0) && test == .ugt ? .ne : test
            guard cc == .eq || cc == .ne else { continue }
            let insts = f.blocks[bi].instructions
            /// The zero-extended source of `v`'s sign extension in this block, and its width.
            func source(_ v: VReg) -> (VReg, Width)? {
                guard let k = insts.lastDefinition(of: v),
                      case .ext(v, let x, let from, _, true) = insts[k].inst, from == .w8 || from == .w16, narrow(x, from),
                      !insts.redefines([x], after: k) else { return nil }
                return (x, from)
            }
            guard let (x, from) = source(l) else { continue }
            var rhs: Operand
            switch r {
            case .imm(let k):
                let value = Int64(bitPattern: w.extend(UInt64(bitPattern: k), signed: true))
                let half = Int64(1) << Int64(from.bits - 1)
                guard value >= -half && value < half else { continue }
                rhs = .imm(value & ((half << 1) - 1))
            case .reg(let y):
                guard let (z, fromY) = source(y), fromY == from else { continue }
                rhs = .reg(z)
            }
            f.blocks[bi].terminator = .branch(cc, lhs: x, rhs: rhs, width: w, then: thenB, else: elseB)
        }
        return f
    }
}
