/// Folds `t = op ...; x = mov t` into `x = op ...` when `t` has no other use: the
/// pattern lowering leaves behind for every assignment to a register variable.
///
/// First, after `x = mov.w64 t` of a register `t` written once, the block's later reads
/// of `t` read `x` (until `x` is written again) when they are all its other reads: `t`
/// then dies at the copy, which folds (`t = call ...; x = t; if (t == 0)`, a map value
/// looked up and merged with a second lookup's, becomes `x = call ...; if (x == 0)`;
/// `t = buf_off - 1; buf_off = t; ... t & mask`, a path walk's cursor, becomes
/// `buf_off -= 1; ... buf_off & mask`, one copy instead of two).
public enum MoveFolding {
    public static func run(_ f: Function) -> Function {
        let f = readingCopies(readingSources(f))
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

    /// After `x = mov.w64 t` of a register `x` written once (`t` written more than once)
    /// and read only as inline assembly inputs later in the block, before `t` is written
    /// again: those inputs are
    /// `t`, and the copy dies (`__bpf_cmp`'s `typeof(LHS) __lhs = (LHS)` handed to the
    /// text: clang hands over the variable's register). Other reads keep the copy: a
    /// compare forwarded to the source cost the verifier more in random programs.
    static func readingSources(_ input: Function) -> Function {
        var f = input
        let (uses, defs) = f.useDefCounts()
        for b in f.blocks.indices {
            let insts = f.blocks[b].instructions
            for (k, copy) in insts.enumerated() {
                // (A source written once: `readingCopies` reads the copy instead, and value
                // numbering forwards it; this is for a variable written again, a loop's.)
                guard case .mov(let x, .reg(let t), .w64) = copy.inst, x != t, defs[x] == 1, case let n = uses[x], n > 0,
                      defs[t] != 1, !f.parameters.contains(x) else { continue }
                var reads: [Int] = []
                for i in (k + 1)..<insts.count {
                    let inst = insts[i].inst
                    var readsHere = 0
                    inst.forEachUse { if $0 == x { readsHere += 1 } }
                    if readsHere > 0 {
                        guard case .inlineAsm = inst else { break }
                        reads += Array(repeating: i, count: readsHere)
                    }
                    if reads.count == n { break }
                    var writesT = false
                    inst.forEachDef { if $0 == t { writesT = true } }
                    if writesT { break }
                }
                guard reads.count == n else { continue }
                for i in Set(reads) {
                    f.blocks[b].instructions[i].inst = f.blocks[b].instructions[i].inst.replacingUses(of: x, with: t)
                }
            }
        }
        return f
    }

    static func readingCopies(_ input: Function) -> Function {
        var f = input
        let (uses, defs) = f.useDefCounts()
        for b in f.blocks.indices {
            // Per copy `x = t` of a register written once: the later reads of `t` in the
            // block while `x` still holds it (instruction indices; the terminator: -1).
            var open: [VReg: (x: VReg, reads: [Int])] = [:]
            var closed: [(t: VReg, x: VReg, reads: [Int])] = []
            let insts = f.blocks[b].instructions
            for i in insts.indices {
                let inst = insts[i].inst
                if !open.isEmpty { inst.forEachUse { t in if open[t] != nil { open[t]!.reads.append(i) } } }
                inst.forEachDef { d in
                    for (t, c) in open where c.x == d { closed.append((t, c.x, c.reads)); open[t] = nil }
                }
                if case .mov(let x, .reg(let t), .w64) = inst, x != t, defs[t] == 1, open[t] == nil {
                    open[t] = (x, [])
                }
            }
            let termReads = f.blocks[b].terminator.usedRegs
            for (t, c) in open { closed.append((t, c.x, c.reads + termReads.filter { $0 == t }.map { _ in -1 })) }
            // Only where every other read of `t` is one of those: then `t` dies at the copy
            // and it folds; otherwise `x` would only live longer.
            for c in closed where !c.reads.isEmpty && uses[c.t] == 1 + c.reads.count {
                for i in c.reads {
                    if i < 0 { f.blocks[b].terminator = f.blocks[b].terminator.replacingUses(of: c.t, with: c.x) }
                    else { f.blocks[b].instructions[i].inst = f.blocks[b].instructions[i].inst.replacingUses(of: c.t, with: c.x) }
                }
            }
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
