/// Unsigned ranges of registers read off a stretch of straight-line code alone: a constant
/// is itself, a 32-bit result or a narrow unsigned load is below 2^32 (2^bits), a value
/// masked with a constant is at most the mask, one shifted right by k below 2^(bits-k), a copy
/// keeps its source's range, and adding a constant moves a range the addition cannot wrap.
/// Registers the stretch does not define have no range. That is enough to decide a bound
/// check on a value computed just before it: an inlined `log2l(v)` returns
/// `log2(v >> 32) + 32` on one path, which `slot >= MAX_SLOTS` (20) then always clamps.
struct LocalRanges {
    private var ranges: [VReg: (lo: UInt64, hi: UInt64)] = [:]

    /// Carries the ranges through `inst`.
    mutating func step(_ inst: Inst) {
        let r = range(of: inst)
        inst.forEachDef { ranges[$0] = nil }
        if let d = inst.singleDef, let r = r { ranges[d] = r }
    }

    /// The range of the value `inst` defines, from the ranges before it.
    private func range(of inst: Inst) -> (lo: UInt64, hi: UInt64)? {
        switch inst {
        case .mov(_, .imm(let k), let w):
            let v = w.extend(UInt64(bitPattern: k), signed: false)
            return (v, v)
        case .mov(_, .reg(let s), .w64):
            return ranges[s]
        case .binary(.add, _, let l, .imm(let k), .w64) where k >= 0:
            guard let r = ranges[l] else { return nil }
            let (hi, wrapped) = r.hi.addingReportingOverflow(UInt64(k))
            return wrapped ? nil : (r.lo + UInt64(k), hi)
        case .binary(.and, _, _, .imm(let k), let w) where k >= 0:
            return (0, w.extend(UInt64(k), signed: false))
        case .binary(.lshr, _, _, .imm(let k), let w) where k > 0 && k < Int64(w.bits):
            return (0, w.extend(.max, signed: false) >> UInt64(k))
        case .binary(_, _, _, _, .w32), .mov(_, _, .w32), .neg(_, _, .w32):
            return (0, 0xffff_ffff)
        case .load(_, _, _, let w, false) where w != .w64:
            return (0, w.extend(.max, signed: false))
        case .ext(_, _, let from, _, false) where from != .w64:
            return (0, from.extend(.max, signed: false))
        default:
            return nil
        }
    }

    /// The outcome of `branch cc lhs, rhs` at `width` when every value in lhs's range gives
    /// the same one (rhs a constant).
    func decide(_ t: Terminator) -> Bool? {
        guard case .branch(let cc, let l, .imm(let k), let w, _, _) = t, let (lo, hi) = ranges[l] else { return nil }
        // The range must hold at the comparison's width (and, for a signed comparison, below
        // its sign bit): then each comparison is monotonic over it.
        let top = w.extend(.max, signed: false)
        let signed: Bool
        switch cc { case .sgt, .sge, .slt, .sle: signed = true; default: signed = false }
        guard hi <= (signed ? top >> 1 : top) else { return nil }
        let atLow = cc.evaluate(lo, UInt64(bitPattern: k), width: w)
        if lo == hi { return atLow }
        switch cc {
        case .eq, .ne:
            let c = w.extend(UInt64(bitPattern: k), signed: false)
            return c < lo || c > hi ? cc == .ne : nil
        case .set:
            return nil
        default:
            return atLow == cc.evaluate(hi, UInt64(bitPattern: k), width: w) ? atLow : nil
        }
    }
}
