/// An equality test of sign-extended narrow values compares the narrow values: `c == 'x'`
/// with `char c` loaded as a byte is `byte == 0x78`, and two chars compare as their bytes
/// (clang's `icmp eq (sext a), (sext b)` → `icmp eq a, b`). The narrow value must be one
/// that every definition leaves zero-extended (an unsigned load or zero extension of that
/// width, or narrower), and the extension must be in the branch's block with its source
/// not written after it. A constant a sign extension cannot produce leaves the test alone.
///
/// An equality test of a negation, or of a sum, difference or xor with a constant,
/// against a constant is decided when the constant undone (`-x == 21` is `x == -21`,
/// `x + 3 == 10` is `x == 7`, modulo the operation's width) lies outside the bounds of
/// `x`: `21 != -(unsigned)byte` is always true, as clang's instcombine and range analysis
/// find. (Rewriting the tests it does not decide was tried: the verifier, told `x`'s value
/// on one side, kept more states apart — one random program 680,818 → 840,856.)
public enum NarrowCompares {
    public static func run(_ f: Function) -> Function {
        narrowingExtensions(undoingOperations(f))
    }

    static func undoingOperations(_ f: Function) -> Function {
        var f = f
        var bounds: ValueBounds? = nil
        var changed = false
        for bi in f.blocks.indices {
            guard case .branch(let cc, let v, .imm(let k), let cw, let thenB, let elseB) = f.blocks[bi].terminator,
                  cc == .eq || cc == .ne, cw == .w32 || cw == .w64 else { continue }
            let insts = f.blocks[bi].instructions
            guard let at = insts.lastDefinition(of: v) else { continue }
            let x: VReg, ow: Width, undo: (UInt64) -> UInt64
            switch insts[at].inst {
            case .neg(v, let s, let w): x = s; ow = w; undo = { 0 &- $0 }
            case .binary(.add, v, let s, .imm(let c), let w): x = s; ow = w; undo = { $0 &- UInt64(bitPattern: c) }
            case .binary(.sub, v, let s, .imm(let c), let w): x = s; ow = w; undo = { $0 &+ UInt64(bitPattern: c) }
            case .binary(.xor, v, let s, .imm(let c), let w): x = s; ow = w; undo = { $0 ^ UInt64(bitPattern: c) }
            default: continue
            }
            guard ow == .w32 || ow == .w64, x != v, !insts.redefines([x], after: at) else { continue }
            // The width both sides agree on: a 32-bit operation's result is zero-extended,
            // so its 64-bit test against a constant of 2^32 or more is not one of these.
            let constant = UInt64(bitPattern: k)
            guard ow == .w64 || cw == .w32 || constant >> 32 == 0 else { continue }
            let width: Width = ow == .w32 || cw == .w32 ? .w32 : .w64
            let target = undo(constant & width.mask) & width.mask
            if bounds == nil { bounds = ValueBounds(definitions: f.definitionsByRegister, parameters: Set(f.parameters)) }
            guard let hi = bounds!.upperBound(x), width == .w64 || hi >> 32 == 0 else { continue }
            let lo = bounds!.lowerBound(x)
            guard target < lo || target > hi else { continue }
            f.blocks[bi].terminator = .jump(cc == .eq ? elseB : thenB)
            changed = true
        }
        return changed ? CFGSimplify.run(f) : f
    }

    static func narrowingExtensions(_ f: Function) -> Function {
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
            guard case .branch(let cc, let l, let r, let w, let thenB, let elseB) = f.blocks[bi].terminator,
                  cc == .eq || cc == .ne else { continue }
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
