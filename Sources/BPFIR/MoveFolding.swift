/// Folds `t = op ...; x = mov t` into `x = op ...` when `t` has no other use: the
/// pattern lowering leaves behind for every assignment to a register variable.
public enum MoveFolding {
    public static func run(_ f: Function) -> Function {
        var f = f
        var uses: [VReg: Int] = [:], defs: [VReg: Int] = [:]
        for b in f.blocks {
            for i in b.instructions {
                for u in i.inst.usedRegs { uses[u, default: 0] += 1 }
                for d in i.inst.definedRegs { defs[d, default: 0] += 1 }
            }
            for u in b.terminator.usedRegs { uses[u, default: 0] += 1 }
        }
        for bi in f.blocks.indices {
            var insts = f.blocks[bi].instructions
            var k = 0
            while k + 1 < insts.count {
                if case .mov(let x, .reg(let t), let mw) = insts[k + 1].inst, x != t,
                   uses[t] == 1, defs[t] == 1, f.parameters.contains(t) == false,
                   insts[k].inst.definedRegs == [t], let w = resultWidth(insts[k].inst),
                   mw == .w64 || w != .w64 {
                    insts[k].inst = insts[k].inst.replacingDefinition(t, with: x)
                    insts.remove(at: k + 1)
                    continue
                }
                k += 1
            }
            f.blocks[bi].instructions = insts
        }
        return f
    }

    /// Width of the value an instruction defines (zero-extended results count as narrow).
    private static func resultWidth(_ i: Inst) -> Width? {
        switch i {
        case .mov(_, _, let w), .binary(_, _, _, _, let w), .neg(_, _, let w): return w
        case .ext(_, _, _, let to, _): return to
        case .load(_, _, _, let w, let signed): return signed ? .w64 : w
        case .slotAddr, .symbolAddr, .loadImm64, .coreValue: return .w64
        case .bswap(_, _, let w): return w
        case .call(.some, _, _): return .w64
        default: return nil
        }
    }
}

extension Inst {
    /// The same instruction defining `v` instead of `t`.
    func replacingDefinition(_ t: VReg, with v: VReg) -> Inst {
        func r(_ x: VReg) -> VReg { x == t ? v : x }
        switch self {
        case .mov(let d, let s, let w): return .mov(dst: r(d), src: s, width: w)
        case .binary(let op, let d, let l, let rr, let w): return .binary(op, dst: r(d), lhs: l, rhs: rr, width: w)
        case .neg(let d, let s, let w): return .neg(dst: r(d), src: s, width: w)
        case .ext(let d, let s, let a, let b, let sg): return .ext(dst: r(d), src: s, from: a, to: b, signed: sg)
        case .bswap(let d, let s, let w): return .bswap(dst: r(d), src: s, width: w)
        case .load(let d, let b, let o, let w, let s): return .load(dst: r(d), base: b, offset: o, width: w, signed: s)
        case .slotAddr(let d, let s, let o): return .slotAddr(dst: r(d), slot: s, offset: o)
        case .symbolAddr(let d, let s): return .symbolAddr(dst: r(d), symbol: s)
        case .loadImm64(let d, let x): return .loadImm64(dst: r(d), value: x)
        case .call(let d, let c, let a): return .call(dst: d.map(r), callee: c, args: a)
        case .coreValue(let d, let x, let rel): return .coreValue(dst: r(d), value: x, reloc: rel)
        default: return self
        }
    }
}
