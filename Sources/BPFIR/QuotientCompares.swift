/// A test of a quotient or a right shift by constants against a constant tests the
/// dividend: `(x / 1000) >> 32 > 0xffff` is `x > 0x3e7ffffffffffff`, `x / 1000 != 0` is
/// `x > 999` (clang's InstCombine folds `icmp (udiv x, C)` and `icmp (lshr x, C)` the
/// same way). Unsigned tests only: `> k`, `>= k`, `< k`, `<= k`, `== 0`, `!= 0`, each a
/// range of the quotient that is a range of the dividend too.
///
/// For the verifier the test then narrows the dividend, not the quotient. In a log2
/// histogram (`log2l(delta)` of bcc's and ebpf_exporter's `bits.bpf.h`, `delta` a time
/// divided by 1000) the first step tests `hi > 0xffff` of `hi = delta >> 32` and then
/// shifts `hi`: narrowed by the test, the shifted value decided the later steps' tests
/// on some paths and the bucket's clamp on others, every step's amount became precise,
/// and the verifier walked all 16 paths of the upper half (ebpf_exporter's `ext4dist`:
/// 715 instructions walked per return probe, clang's build 580; 405 with the test moved).
///
/// The quotient loses what the test told the verifier about it, so the test moves only
/// when nothing the quotient (or a step between it and the dividend) flows into needs
/// bounds: no address or offset of a memory access, no call argument (a helper's size),
/// no return value, no inline assembly. Values stored to a stack slot flow on into what
/// is loaded from it; a store of one through a register, or a slot holding one while a
/// function is called that might read it, keeps the test where it is. The dividend is
/// the last step whose operand is written once (or a parameter never written).
public enum QuotientCompares {
    public static func run(_ f: Function) -> Function {
        guard f.blocks.contains(where: { $0.instructions.contains { isStep($0.inst) } }) else { return f }
        let (_, defs) = f.useDefCounts()
        let definitions = f.definitionsByRegister
        /// The instruction writing `r`, when it is the only one.
        func definition(_ r: VReg) -> Inst? { defs[r] == 1 ? definitions[r]?.first : nil }
        let parameters = Set(f.parameters)
        /// Whether `r` holds one value wherever it is read.
        func fixed(_ r: VReg) -> Bool { defs[r] == 1 || defs[r] == 0 && parameters.contains(r) }
        var f = f
        let frame = f.framePointerRegisters(countingCoreLoads: true)
        for bi in f.blocks.indices {
            guard case .branch(let cc, let l, .imm(let k), let w, let t, let e) = f.blocks[bi].terminator,
                  w == .w64 || w == .w32, defs[l] == 1, var range = Interval(cc, k, width: w) else { continue }
            // The registers passed stepping back from the tested one (copies included),
            // and each dividend reached: the test as a range of it, and how many
            // registers were passed to reach it.
            var passed: [VReg] = [], dividends: [(reg: VReg, range: Interval, passed: Int)] = []
            var current = l
            // A shifted value tested against 0 (`hi != 0` of `hi = d >> 32`, the half the
            // code then works on) stays tested, as in clang's build: moved (`d > 0x3e7ffffffff`),
            // the verifier no longer knows the half is not 0, and walked 1,057 instructions
            // of `kretprobe_latency_hist.c`'s histogram where it walks 517.
            let zeroTest = range.lo == 0 && range.hi == 0 || range.lo == 1 && range.hi == range.max
            while passed.count < 16, let inst = definition(current) {
                if let s = copySource(inst, testWidth: range.width), fixed(s) {
                    passed.append(current)
                    current = s
                    continue
                }
                guard let (x, divisor, operationWidth) = step(inst, testWidth: range.width), fixed(x),
                      !(zeroTest && dividends.isEmpty && isShift(inst)),
                      let next = range.widened(to: operationWidth)?.dividend(of: divisor) else { break }
                passed.append(current)
                current = x
                range = next
                dividends.append((x, range, passed.count))
            }
            // The deepest dividend whose steps' values flow nowhere that needs bounds.
            for d in dividends.reversed() {
                guard let (tcc, tk) = d.range.test, valuesNeedNoBounds(from: passed[..<d.passed], in: f, frame: frame) else { continue }
                f.blocks[bi].terminator = .branch(tcc, lhs: d.reg, rhs: .imm(tk), width: d.range.width, then: t, else: e)
                break
            }
        }
        return f
    }

    /// The register `inst` copies, as a test at `testWidth` reads it: a 64-bit copy, or
    /// for a 32-bit test also a 32-bit copy or zero extension of the low half.
    static func copySource(_ inst: Inst, testWidth: Width) -> VReg? {
        switch inst {
        case .mov(_, .reg(let s), .w64): return s
        case .mov(_, .reg(let s), .w32) where testWidth == .w32: return s
        case .ext(_, let s, .w32, _, false) where testWidth == .w32: return s
        default: return nil
        }
    }

    /// A right shift (of a step: see `step`).
    static func isShift(_ inst: Inst) -> Bool {
        if case .binary(.lshr, _, _, _, _) = inst { return true }
        return false
    }

    /// A division or right shift by a constant.
    static func isStep(_ inst: Inst) -> Bool {
        switch inst {
        case .binary(.udiv, _, _, .imm, _), .binary(.lshr, _, _, .imm, _): return true
        default: return false
        }
    }

    /// `v = x / divisor` or `v = x >> s` (divisor 2^s) at `operationWidth`, when a test of
    /// `v` at `testWidth` is a test of that quotient: the same width, or a 32-bit test of a
    /// 64-bit shift by 32 or more (whose result is below 2^32).
    static func step(_ inst: Inst, testWidth: Width) -> (VReg, UInt64, Width)? {
        switch inst {
        case .binary(.udiv, _, let x, .imm(let c), let w) where c > 0 && (w == testWidth) && (w == .w64 || c <= Int64(UInt32.max)):
            return (x, UInt64(c), w)
        case .binary(.lshr, _, let x, .imm(let s), let w) where s > 0 && s < Int64(w.bits):
            guard w == testWidth || testWidth == .w32 && w == .w64 && s >= 32 else { return nil }
            return (x, 1 << UInt64(s), w)
        default:
            return nil
        }
    }

    /// Whether nothing the registers `start` hold flows into needs bounds (see above).
    /// (`frame`: the registers that may point into the stack frame; a load through one
    /// may read a slot holding such a value.)
    static func valuesNeedNoBounds(from start: ArraySlice<VReg>, in f: Function, frame: RegSet) -> Bool {
        var tainted = RegSet(capacity: f.nextVReg)
        for r in start { tainted.insert(r) }
        var taintedSlots = Set<Int>()
        var changed = true
        while changed {
            changed = false
            for b in f.blocks {
                for i in b.instructions {
                    var reads = false
                    i.inst.forEachUse { if tainted.contains($0) { reads = true } }
                    switch i.inst {
                    case .load(let d, .slot(let s), _, _, _) where taintedSlots.contains(s) && !tainted.contains(d):
                        tainted.insert(d)
                        changed = true
                        continue
                    case .load(_, .reg(let base), _, _, _) where frame.contains(base) && !taintedSlots.isEmpty:
                        return false
                    case .call(_, let callee, _):
                        if reads { return false }
                        if case .function = callee, !taintedSlots.isEmpty { return false }
                        continue
                    default: break
                    }
                    guard reads else { continue }
                    switch i.inst {
                    case .store(.slot(let s), _, .reg(let v), _) where tainted.contains(v):
                        if taintedSlots.insert(s).inserted { changed = true }
                    // (A value stored to or added into memory outside the frame is not
                    // followed by the verifier: what is loaded from there is unknown.)
                    case .store(.reg(let base), _, _, _) where !tainted.contains(base) && !frame.contains(base):
                        break
                    case .atomic(_, .reg(let base), _, _, _, let fetch) where !tainted.contains(base) && !frame.contains(base):
                        if let r = fetch, !tainted.contains(r) { tainted.insert(r); changed = true }
                    case .load, .store, .atomic, .cmpxchg, .coreLoad, .coreStore, .inlineAsm, .call:
                        return false
                    default:
                        i.inst.forEachDef { if !tainted.contains($0) { tainted.insert($0); changed = true } }
                    }
                }
                if case .ret(.reg(let r)?) = b.terminator, tainted.contains(r) { return false }
            }
        }
        return true
    }

    /// The values of a register at one width for which a test holds: `[lo, hi]`, one end
    /// at the width's bound.
    struct Interval {
        var lo: UInt64, hi: UInt64, width: Width

        var max: UInt64 { width == .w64 ? UInt64.max : UInt64(UInt32.max) }

        init?(_ cc: CondCode, _ k: Int64, width: Width) {
            self.width = width
            let top = width == .w64 ? UInt64.max : UInt64(UInt32.max)
            let c = width == .w64 ? UInt64(bitPattern: k) : UInt64(UInt32(truncatingIfNeeded: k))
            switch cc {
            case .ugt where c < top: (lo, hi) = (c + 1, top)
            case .uge where c > 0: (lo, hi) = (c, top)
            case .ult where c > 0: (lo, hi) = (0, c - 1)
            case .ule where c < top: (lo, hi) = (0, c)
            case .eq where c == 0: (lo, hi) = (0, 0)
            case .ne where c == 0: (lo, hi) = (1, top)
            default: return nil
            }
        }

        init(lo: UInt64, hi: UInt64, width: Width) { self.lo = lo; self.hi = hi; self.width = width }

        /// The same range at `width` (a 32-bit test of a value below 2^32 is its 64-bit
        /// test); nil when it would change.
        func widened(to w: Width) -> Interval? {
            if w == width { return self }
            guard width == .w32, w == .w64 else { return nil }
            return Interval(lo: lo, hi: hi == max ? UInt64.max : hi, width: .w64)
        }

        /// The range of `x` for which `x / divisor` is in this range; nil when it has no
        /// such `x` or every `x` is in it.
        func dividend(of divisor: UInt64) -> Interval? {
            let (low, lowOverflow) = lo.multipliedReportingOverflow(by: divisor)
            guard !lowOverflow, low <= max else { return nil }
            var high = max
            if hi != max {
                let (h, o1) = hi.multipliedReportingOverflow(by: divisor)
                let (h2, o2) = h.addingReportingOverflow(divisor - 1)
                if !o1 && !o2 && h2 < max { high = h2 }
            }
            guard low > 0 || high < max else { return nil }
            return Interval(lo: low, hi: high, width: width)
        }

        /// The test of the range: `x > lo - 1` or `x < hi + 1`.
        var test: (CondCode, Int64)? {
            if hi == max && lo > 0 { return (.ugt, Int64(bitPattern: lo - 1)) }
            if lo == 0 && hi < max { return (.ult, Int64(bitPattern: hi + 1)) }
            return nil
        }
    }
}
