/// Upper bounds of loop counters. A loop runs its latch (its only way back to the
/// header) at most `K - t0` times when a counter `t`, entering with the constant `t0`,
/// is stepped by one in the latch and the loop goes on only while `t < K` (signed or not:
/// `t` counts up from a non-negative constant to at most `K`, below 2^31): tested in
/// the latch after the step (`t += 1; if (t <u K) continue;`) or in the header before the
/// body (`while (t < K) { ...; t++; }`). Every counter stepped by one once per iteration
/// (in a block of no inner loop, and nowhere else in the loop) is then at most its entry
/// constant plus that count. In
/// `for (i = 0; i < 31; i++) { if (v < 2) break; v >>= 1; s++; }` both `i` and `s` are at
/// most 31, so a later `if (s + cls * 32 < 96)` with `cls <= 2` is known to hold
/// (`ValueBounds` gives such values none: they depend on themselves). Outermost loops
/// only, each counter's definitions outside the loop all the same constant.
enum LoopCounters {
    static func bounds(_ f: Function) -> [VReg: UInt64] {
        let loops = Loops(f)
        guard !loops.all.isEmpty else { return [:] }
        let preds = f.flowGraph.predecessors
        let index = f.blockIndexByID
        var out: [VReg: UInt64] = [:]
        for l in loops.all {
            // Only an outermost loop: one entered again from an enclosing loop may find its
            // counters where the last round left them, not at their constants.
            guard loops.isOutermost(l) else { continue }
            let h = l.header, loop = l.blocks
            let latches = preds[h].filter { loop.contains($0) }
            guard latches.count == 1, let latch = latches.first else { continue }
            let insideDefs = Loops.definitions(in: l, of: f).defs.mapValues(\.count)
            // The test that keeps the loop going, on a counter of the latch.
            func leaves(_ target: BlockID) -> Bool { index[target].map { !loop.contains($0) } ?? false }
            var test: (t: VReg, k: Int64)? = nil, testedAtTheTop = false
            if case .branch(let cc, let t, .imm(let k), _, let thenB, let elseB) = f.blocks[latch].terminator,
               cc == .ult || cc == .slt, thenB == f.blocks[h].id, leaves(elseB) {
                test = (t, k)
            } else if case .branch(let cc, let t, .imm(let k), _, let thenB, let elseB) = f.blocks[h].terminator,
                      cc == .ult || cc == .slt, index[thenB].map({ loop.contains($0) }) ?? false, leaves(elseB) {
                test = (t, k)
                testedAtTheTop = true
            }
            // Blocks run at most `K - t0` times: those of no loop inside this one, but for a
            // header that tests at the top (it runs once more, to leave).
            let inner = loops.nestedBlocks(l)
            var steps: Set<VReg> = []
            for b in loop where !inner.contains(b) && !(testedAtTheTop && b == h) {
                steps.formUnion(unitSteps(in: f.blocks[b], insideDefs: insideDefs))
            }
            // The tested counter must step on every way round, so in the latch: a step some
            // iterations skip would not bound their number.
            guard let (t, k) = test, k > 0, k <= Int64(Int32.max),
                  unitSteps(in: f.blocks[latch], insideDefs: insideDefs).contains(t), steps.contains(t),
                  let t0 = entryConstant(t, f, loop), t0 < k else { continue }
            let iterations = UInt64(k - t0)
            for c in steps {
                guard let c0 = entryConstant(c, f, loop) else { continue }
                let (b, overflow) = UInt64(c0).addingReportingOverflow(iterations)
                if !overflow && b <= UInt64(UInt32.max) { out[c] = max(out[c] ?? 0, b) }
            }
        }
        return out
    }

    /// Registers the block steps by one and the loop defines nowhere else: `c = c + 1`, or
    /// `n = c + 1; c = n` through a register defined only there.
    static func unitSteps(in b: Block, insideDefs: [VReg: Int]) -> Set<VReg> {
        var steps: Set<VReg> = []
        var increments: [VReg: VReg] = [:]            // n -> c for `n = c + 1`
        for i in b.instructions {
            switch i.inst {
            case .binary(.add, let d, let l, .imm(1), _) where d == l && insideDefs[d] == 1:
                steps.insert(d)
            case .binary(.add, let d, let l, .imm(1), _) where d != l && insideDefs[d] == 1:
                increments[d] = l
            case .mov(let d, .reg(let n), _) where increments[n] == d && insideDefs[d] == 1:
                steps.insert(d)
            default:
                break
            }
        }
        return steps
    }

    /// The constant every definition of `c` outside `loop` gives it (nil when one is not a
    /// non-negative constant, or when it has none).
    static func entryConstant(_ c: VReg, _ f: Function, _ loop: Set<Int>) -> Int64? {
        var value: Int64? = nil
        for (p, b) in f.blocks.enumerated() where !loop.contains(p) {
            for i in b.instructions where i.inst.defines(c) {
                guard case .mov(_, .imm(let k), _) = i.inst, k >= 0, value == nil || value == k else { return nil }
                value = k
            }
        }
        return value
    }

    /// A counter counted down to 0: `for (t = K; t > 0; t--)` as a loop going round while
    /// `t` is above 0 (`ugt`, `sgt` or `ne`: tested in its header before the body, or in
    /// its only latch after the step), `t` entering as the constant `K` ≥ 1 and defined in
    /// the loop only by one step by minus one in the latch (`t -= 1`, or `n = t - 1; t = n`).
    /// In the loop's blocks, but for a header testing it and the latch's own test, `t` is
    /// in [1, K].
    struct DownCounter {
        let counter: VReg
        let top: UInt64
        let loop: Set<Int>
        /// The blocks whose tests may see `t` at 0: the latch, and a header testing it.
        let excluded: Set<Int>
    }

    /// The counters counted down to 0 of `f`'s outermost loops (an inner loop may be
    /// entered again with its counter where the last round left it).
    static func downCounters(_ f: Function) -> [DownCounter] {
        let loops = Loops(f)
        guard !loops.all.isEmpty else { return [] }
        let preds = f.flowGraph.predecessors
        let index = f.blockIndexByID
        var out: [DownCounter] = []
        for l in loops.all where loops.isOutermost(l) {
            let latches = preds[l.header].filter { l.blocks.contains($0) }
            guard latches.count == 1, let latch = latches.first else { continue }
            /// The counter a block's test keeps the loop going on, going to `next` while it is above 0.
            func counterTest(_ b: Int, next: (BlockID) -> Bool) -> (VReg, Width)? {
                guard case .branch(let cc, let t, .imm(0), let w, let thenB, let elseB) = f.blocks[b].terminator,
                      cc == .ugt || cc == .sgt || cc == .ne, next(thenB), let exit = index[elseB], !l.blocks.contains(exit) else { return nil }
                return (t, w)
            }
            let atTheTop = counterTest(l.header) { index[$0].map { l.blocks.contains($0) && $0 != l.header } ?? false }
            let atTheBottom = counterTest(latch) { $0 == f.blocks[l.header].id }
            guard let (t, w) = atTheTop ?? atTheBottom else { continue }
            let defs = Loops.definitions(in: l, of: f).defs
            guard defs[t]?.count == 1, let k = entryConstant(t, f, l.blocks), k >= 1, k <= Int64(Int32.max) else { continue }
            // The step, in the latch: `t -= 1`, or `t = n` of `n = t - 1` defined only there.
            func isDecrement(_ inst: Inst, of t: VReg) -> Bool {
                guard case .binary(let op, _, t, .imm(let one), let sw) = inst else { return false }
                return (op == .sub && one == 1 || op == .add && one == -1) && (sw == w || sw == .w64)
            }
            let insts = f.blocks[latch].instructions
            guard let at = insts.lastIndex(where: { $0.inst.defines(t) }) else { continue }
            var stepped = isDecrement(insts[at].inst, of: t)
            if case .mov(t, .reg(let n), _) = insts[at].inst, defs[n]?.count == 1,
               let s = insts[..<at].lastIndex(where: { $0.inst.defines(n) }), isDecrement(insts[s].inst, of: t),
               !insts[(s + 1)..<at].contains(where: { $0.inst.defines(t) }) {
                stepped = true
            }
            guard stepped else { continue }
            out.append(DownCounter(counter: t, top: UInt64(k), loop: l.blocks, excluded: atTheTop != nil ? [l.header, latch] : [latch]))
        }
        return out
    }
}
