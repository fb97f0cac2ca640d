/// A truth value `r = (x != 0)` or `r = (x == 0)` made with a branch — `r = 1; if (x != 0)
/// goto J; r = 0; J:`, the shape `SelectFormation` leaves of a `&&` or a comparison whose
/// other side folded away — computed without one where `x` is a number below 2^63
/// (`ValueBounds`): `-x >> 63` is 1 exactly when `x` is not 0, `(x - 1) >> 63` exactly when
/// it is, and a value already 0 or 1 is its own truth. As many instructions, one branch
/// fewer: the verifier walks one path where it walked two, and since nothing tests `x`, it
/// learns no range of `x` that a later test would then decide for it (a decided test makes
/// the register precise, and states differing in it are then walked apart — random seed
/// 63387: in3 tested once per round of an unrolled loop, 8,418 instructions walked against
/// clang's 594).
///
/// Not for a pointer (no bound): a null test's branch is what tells the verifier which
/// side may dereference it. Nor for a truth value that is a shift amount, directly or
/// through copies and arithmetic with constants (`x >> (1 - t)`): on each path of the
/// branch the verifier knows it exactly, so the shift is exact; by an amount only known to
/// be 0 or 1 it knows little of the result, and the tests of it that follow go both ways
/// (random seed 46267: 40,061 → 93,014 instructions walked). A truth value a later branch
/// tests is left to the verifier's pruning either way: over 400 random programs, keeping
/// those branches walked 0.6 % more in total.
///
/// `orderings` does the same for `r = (a < b)` and the other ordering tests, of two values
/// or a value and a small constant (random seed 68309: `in1 >= inx` in a loop that calls,
/// which `LoopInvariantHoisting` leaves inside; as a branch it made `inx` precise, and the
/// states differing in it were walked apart round after round, 2,608 instructions walked
/// for clang's build of the reduced program, over a million for ours before, 25,650 now).
public enum TruthArithmetic {
    /// The tests against zero.
    public static func run(_ f: Function) -> Function { convert(f, orderings: false) }

    /// The ordering tests (`a < b`, `x >= 5`), after `LoopInvariantHoisting`: the truth
    /// values a loop never changes leave it as branches first (made arithmetic before,
    /// a loop's test of two of them kept the whole computation inside).
    public static func orderings(_ f: Function) -> Function { convert(f, orderings: true) }

    private static func convert(_ f: Function, orderings: Bool) -> Function {
        var f = f, changed = false
        let index = f.blockIndexByID
        let preds = f.flowGraph.predecessors
        var bounds: ValueBounds? = nil
        var amounts: ShiftAmounts? = nil
        for bi in f.blocks.indices {
            guard case .branch(let cc, let x, let rhs, let w, let t, let e) = f.blocks[bi].terminator,
                  w == .w64 || w == .w32, t != e else { continue }
            let zeroTest = (cc == .eq || cc == .ne) && rhs == .imm(0)
            guard orderings ? cc != .eq && cc != .ne && cc != .set : zeroTest else { continue }
            // The side that only sets `r` to the other constant, and the block both reach.
            for (skip, join) in [(e, t), (t, e)] {
                guard let si = index[skip], si != bi, preds[si] == [bi], f.blocks[si].instructions.count == 1,
                      case .jump(join) = f.blocks[si].terminator, join != f.blocks[bi].id,
                      case .mov(let r, .imm(let b), _) = f.blocks[si].instructions[0].inst, b == 0 || b == 1, r != x, rhs != .reg(r),
                      let at = f.blocks[bi].instructions.lastDefinition(of: r),
                      case .mov(r, .imm(1 - b), _) = f.blocks[bi].instructions[at].inst,
                      !f.blocks[bi].instructions[(at + 1)...].contains(where: { $0.inst.usedRegs.contains(r) })
                else { continue }
                if bounds == nil { bounds = ValueBounds(of: f) }
                if amounts == nil { amounts = ShiftAmounts(f) }
                let location = f.blocks[bi].instructions[at].location
                // `r` is 1 on the direct path (set before the branch) or on the other.
                let isCondition = (b == 0) == (join == t)
                guard !amounts!.reached(from: r) else { break }
                let computed: [Inst]
                if !zeroTest {
                    guard let tested = isCondition ? cc : cc.negated,
                          let ordered = Self.ordering(tested, x, rhs, width: w, into: r, &bounds!, &f) else { break }
                    computed = ordered
                } else if let bound = bounds!.upperBound(x), w == .w32 || bound <= 1 << 63 {
                    let nonzero = isCondition == (cc == .ne)
                    if bound <= 1 {
                        computed = [nonzero ? .mov(dst: r, src: .reg(x), width: .w64) : .binary(.xor, dst: r, lhs: x, rhs: .imm(1), width: .w64)]
                    } else {
                        // A 32-bit test of a wider value tests its low half, zero-extended first.
                        // (The steps write registers of their own: `r`, written once when
                        // the skipped block goes, is then known to be 0 or 1.)
                        let lowHalf = w == .w32 && bound > UInt64(UInt32.max)
                        let source = lowHalf ? f.newVReg() : x, step = f.newVReg()
                        computed = (lowHalf ? [.mov(dst: source, src: .reg(x), width: .w32)] : [])
                            + [nonzero ? .neg(dst: step, src: source, width: .w64) : .binary(.add, dst: step, lhs: source, rhs: .imm(-1), width: .w64),
                               .binary(.lshr, dst: r, lhs: step, rhs: .imm(63), width: .w64)]
                    }
                } else {
                    break
                }
                f.blocks[bi].instructions.remove(at: at)
                f.blocks[bi].instructions += computed.map { Instruction($0, location: location) }
                f.blocks[bi].terminator = .jump(join)
                changed = true
                break
            }
        }
        return changed ? CFGSimplify.removeUnreachable(f) : f
    }

    /// `r = (x cc rhs)` for an ordering test, without a branch, when both sides are known
    /// below 2^63 (for a 32-bit test, below 2^32: the registers are their low halves):
    /// the sign of `a - b` is then `a < b`, and `a - b - 1`'s is `a <= b`. Signed tests of
    /// values that are never negative at the test's width are the unsigned ones. Nil
    /// when a side is not bounded so.
    static func ordering(_ cc: CondCode, _ x: VReg, _ rhs: Operand, width w: Width, into r: VReg,
                         _ bounds: inout ValueBounds, _ f: inout Function) -> [Inst]? {
        let limit: UInt64 = w == .w32 ? UInt64(UInt32.max) : UInt64(Int64.max)
        let signedLimit: UInt64 = w == .w32 ? UInt64(Int32.max) : UInt64(Int64.max)
        let signed = cc == .slt || cc == .sle || cc == .sgt || cc == .sge
        func bounded(_ v: VReg) -> Bool {
            guard let b = bounds.upperBound(v) else { return false }
            return b <= (signed ? signedLimit : limit)
        }
        guard bounded(x) else { return nil }
        // The constant side's value at the test's width (a 32-bit test reads its low half).
        var constant: Int64? = nil
        switch rhs {
        case .imm(let k):
            let value = w == .w32 ? (signed ? Int64(Int32(truncatingIfNeeded: k)) : Int64(UInt32(truncatingIfNeeded: k))) : k
            // (Small enough that the biases below are immediates.)
            guard value >= 0, value < Int64(Int32.max) else { return nil }
            constant = value
        case .reg(let y):
            guard y != x, bounded(y) else { return nil }
        }
        // `a < b` (`strict`) or `a <= b`, with `x` as `a` (`xFirst`) or as `b`.
        let strict: Bool, xFirst: Bool
        switch cc {
        case .ult, .slt: (strict, xFirst) = (true, true)
        case .ule, .sle: (strict, xFirst) = (false, true)
        case .ugt, .sgt: (strict, xFirst) = (true, false)
        case .uge, .sge: (strict, xFirst) = (false, false)
        default: return nil
        }
        // `a - b` (then `- 1` when not strict), its sign bit shifted down.
        var out: [Inst] = []
        let difference: VReg
        switch (constant, rhs) {
        case (let k?, _) where xFirst:
            // `x - k`, or `x - (k + 1)`; `x < 0` is ConstantFolding's to decide.
            let bias = k + (strict ? 0 : 1)
            guard bias != 0 else { return nil }
            difference = f.newVReg()
            out.append(.binary(.add, dst: difference, lhs: x, rhs: .imm(-bias), width: .w64))
        case (let k?, _):
            // `k - x`, or `k - 1 - x`.
            let bias = k - (strict ? 0 : 1)
            difference = f.newVReg()
            if bias == 0 {
                out.append(.neg(dst: difference, src: x, width: .w64))
            } else {
                let negated = f.newVReg()
                out += [.neg(dst: negated, src: x, width: .w64), .binary(.add, dst: difference, lhs: negated, rhs: .imm(bias), width: .w64)]
            }
        case (nil, .reg(let y)):
            let (a, b) = xFirst ? (x, y) : (y, x)
            difference = f.newVReg()
            if strict {
                out.append(.binary(.sub, dst: difference, lhs: a, rhs: .reg(b), width: .w64))
            } else {
                let raw = f.newVReg()
                out += [.binary(.sub, dst: raw, lhs: a, rhs: .reg(b), width: .w64), .binary(.add, dst: difference, lhs: raw, rhs: .imm(-1), width: .w64)]
            }
        case (nil, .imm):
            return nil
        }
        out.append(.binary(.lshr, dst: r, lhs: difference, rhs: .imm(63), width: .w64))
        return out
    }
}

/// Which registers are shift amounts, or flow into one through what is computed from them
/// and constants.
private struct ShiftAmounts {
    /// Registers a shift shifts by.
    private var amounts = Set<VReg>()
    /// Each register's results computed from it alone and constants.
    private var feeds: [VReg: [VReg]] = [:]

    init(_ f: Function) {
        let constants = f.singleConstants
        f.forEachInstruction { _, inst in
            switch inst {
            case .binary(let op, let d, let l, let r, _):
                if case .reg(let s) = r {
                    if op == .shl || op == .lshr || op == .ashr { amounts.insert(s) }
                    if constants[s] != nil { feeds[l, default: []].append(d) }
                    if constants[l] != nil { feeds[s, default: []].append(d) }
                } else {
                    feeds[l, default: []].append(d)
                }
            case .mov(let d, .reg(let s), _), .ext(let d, let s, _, _, _), .neg(let d, let s, _):
                feeds[s, default: []].append(d)
            default: break
            }
        }
    }

    /// Whether `r`, or a value computed from it and constants, is a shift amount.
    func reached(from r: VReg) -> Bool {
        var seen: Set<VReg> = [r], work = [r]
        while let v = work.popLast() {
            if amounts.contains(v) { return true }
            for d in feeds[v] ?? [] where seen.insert(d).inserted { work.append(d) }
        }
        return false
    }
}
