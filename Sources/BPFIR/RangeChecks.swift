/// Two branches that test one register against both ends of a range become one test of
/// the distance from the lower end: `if (c < 'A') goto out; if (c > 'Z') goto out;` is
/// `if (c - 'A' >u 25) goto out`, as clang's instcombine folds `c >= 'A' && c <= 'Z'`.
/// One branch fewer on the path, which the verifier walks once per state (a DNS name's
/// characters lowered one by one in a `bpf_loop` callback). The second branch must be
/// alone in its block, which only the first reaches, and the register dead after it;
/// both compare at one width against
/// immediates, with one signedness, or a signed low end and an unsigned high end when
/// both ends are non-negative (`c >= 'A'` on a promoted char, its upper test made
/// unsigned by `SignedBranches`).
public enum RangeChecks {
    public static func run(_ f: Function) -> Function {
        var f = f
        let preds = f.flowGraph.predecessors
        let index = f.blockIndexByID
        var changed = false
        let live = Liveness(f)
        for b1 in f.blocks.indices {
            guard case .branch(let cc1, let c, .imm(let k1), let w, let t1, let e1) = f.blocks[b1].terminator,
                  w == .w32 || w == .w64 else { continue }
            // The block that continues the test: the side that is not a way out of the range.
            for (next, out) in [(e1, t1), (t1, e1)] {
                guard let b2 = index[next], b2 != b1, preds[b2] == [b1], f.blocks[b2].instructions.isEmpty,
                      case .branch(let cc2, c, .imm(let k2), w, let t2, let e2) = f.blocks[b2].terminator,
                      t2 == out || e2 == out, t2 != e2,
                      let first = Bound(cc1, k1, outOnThen: t1 == out, width: w),
                      let second = Bound(cc2, k2, outOnThen: t2 == out, width: w),
                      first.isLow != second.isLow else { continue }
                let (low, high) = first.isLow ? (first, second) : (second, first)
                let (lo, hi) = (low.value, high.value)
                // A signed low end with an unsigned high end, both non-negative: every
                // negative value goes out at the low end, the others compare alike. (The
                // other mix keeps the negative values in.)
                let signedMax = w.mask >> 1
                guard low.signed == high.signed || (low.signed && lo <= signedMax && hi <= signedMax) else { continue }
                let inside = t2 == out ? e2 : t2
                // Only for a register the test is the last use of: a value read again below
                // keeps the bounds the two tests give it (the verifier learns nothing of
                // `c` from a test of `c - lo`; lang_dns_labels: +8 % verified).
                guard let ii = index[inside], let oi = index[out],
                      !live.liveIn[ii].contains(c), !live.liveIn[oi].contains(c) else { continue }
                guard let span = span(lo, hi, signed: low.signed && high.signed, width: w),
                      let lowImm = ConstantFolding.immediate(lo, width: w) else { continue }
                let d = f.newVReg()
                f.blocks[b1].instructions.append(Instruction(.binary(.sub, dst: d, lhs: c, rhs: lowImm, width: w),
                                                             location: f.blocks[b1].terminatorLocation))
                f.blocks[b1].terminator = .branch(.ugt, lhs: d, rhs: .imm(span), width: w, then: out, else: inside)
                changed = true
                break
            }
        }
        return changed ? CFGSimplify.run(f) : f
    }

    /// One end of the range a branch keeps: the way out is taken below `value` (a low
    /// end: the range starts at `value`) or above it (a high end: the range ends at it).
    /// Values are the bits at the branch's width.
    struct Bound {
        var value: UInt64
        var isLow: Bool
        var signed: Bool

        init?(_ cc: CondCode, _ k: Int64, outOnThen: Bool, width w: Width) {
            // The condition under which the way out is taken.
            guard let outCC = outOnThen ? cc : cc.negated else { return nil }
            let mask = w.mask
            let bits = UInt64(bitPattern: k) & mask
            let signed: Bool
            switch outCC {
            case .ult, .ule, .ugt, .uge: signed = false
            case .slt, .sle, .sgt, .sge: signed = true
            default: return nil
            }
            // The range's end, one step inside the test's constant for the strict/non-strict
            // forms, refused where the step would wrap.
            let minimum: UInt64 = signed ? (mask >> 1) + 1 : 0
            let maximum: UInt64 = signed ? mask >> 1 : mask
            switch outCC {
            case .ult, .slt: value = bits; isLow = true                  // out below k: from k
            case .ule, .sle:                                               // out at or below k: from k + 1
                guard bits != maximum else { return nil }
                value = (bits &+ 1) & mask; isLow = true
            case .ugt, .sgt: value = bits; isLow = false                 // out above k: up to k
            default:                                                       // out at or above k: up to k - 1
                guard bits != minimum else { return nil }
                value = (bits &- 1) & mask; isLow = false
            }
            self.signed = signed
        }
    }

    /// `hi - lo` as an immediate when `lo <= hi` (in the comparison's order).
    static func span(_ lo: UInt64, _ hi: UInt64, signed: Bool, width w: Width) -> Int64? {
        let ordered: Bool
        if signed {
            ordered = w == .w32 ? Int32(truncatingIfNeeded: lo) <= Int32(truncatingIfNeeded: hi)
                                : Int64(bitPattern: lo) <= Int64(bitPattern: hi)
        } else {
            ordered = lo <= hi
        }
        guard ordered else { return nil }
        let d = (hi &- lo) & w.mask
        // The unsigned test against an immediate: a 32-bit one compares its 32 bits; a
        // 64-bit one sign-extends it, so it must stay below 2^31.
        if w == .w32 { return Int64(Int32(truncatingIfNeeded: d)) }
        return d <= UInt64(Int32.max) ? Int64(d) : nil
    }
}
