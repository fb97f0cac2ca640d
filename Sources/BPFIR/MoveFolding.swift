/// Folds `t = op ...; x = mov t` into `x = op ...` when `t` has no other use: the
/// pattern lowering leaves behind for every assignment to a register variable.
///
/// First, after `x = mov.w64 t` of a register `t` written once, the block's later reads
/// of `t` read `x` (until `x` is written again): `t` then dies at the copy, which folds
/// (`t = call ...; x = t; if (t == 0)`, a map value looked up and merged with a second
/// lookup's, becomes `x = call ...; if (x == 0)`).
public enum MoveFolding {
    public static func run(_ f: Function) -> Function {
        let f = readingCopies(f)
        let (uses, defs) = f.useDefCounts()
        return f.foldingAdjacentPairs { first, second in
            guard case .mov(let x, .reg(let t), let mw) = second.inst, x != t,
                  uses[t] == 1, defs[t] == 1, !f.parameters.contains(t),
                  first.inst.definedRegs == [t], let w = resultWidth(first.inst),
                  mw == .w64 || w != .w64 else { return nil }
            var folded = first
            folded.inst = first.inst.replacingDefs(of: t, with: x)
            return [folded]
        }
    }

    static func readingCopies(_ input: Function) -> Function {
        var f = input
        let (_, defs) = f.useDefCounts()
        for b in f.blocks.indices {
            var copyOf: [VReg: VReg] = [:]      // t → x, while x holds t
            for i in f.blocks[b].instructions.indices {
                var inst = f.blocks[b].instructions[i].inst
                if !copyOf.isEmpty {
                    var read: [VReg] = []
                    inst.forEachUse { if copyOf[$0] != nil { read.append($0) } }
                    for t in read { inst = inst.replacingUses(of: t, with: copyOf[t]!) }
                    f.blocks[b].instructions[i].inst = inst
                    inst.forEachDef { d in copyOf = copyOf.filter { $0.value != d } }
                }
                if case .mov(let x, .reg(let t), .w64) = inst, x != t, defs[t] == 1 { copyOf[t] = x }
            }
            guard !copyOf.isEmpty else { continue }
            var term = f.blocks[b].terminator
            for u in term.usedRegs { if let x = copyOf[u] { term = term.replacingUses(of: u, with: x) } }
            f.blocks[b].terminator = term
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

