import BPFIR

/// A conservative live interval [start, end] in linear instruction positions.
struct Interval {
    var reg: VReg
    var start: Int
    var end: Int
    var crossesCall = false
    /// The interval touches an instruction that uses r0 as its own scratch (atomics
    /// with fetch, compare-and-exchange, wide constant stores): it cannot live in r0.
    var touchesR0Scratch = false
}

extension Inst {
    /// Instructions whose code sequence writes r0 besides their destination.
    var clobbersR0: Bool {
        switch self {
        case .atomic(let op, _, _, _, _, let fetch): return fetch != nil || op == .xchg
        case .cmpxchg: return true
        case .store(_, _, .imm(let k), .w64): return k < Int64(Int32.min) || k > Int64(Int32.max)
        case .binary(let op, let d, let l, .reg(let r), _):
            // `d = l - d` in place: the emitter computes it in r0.
            return r == d && l != d && !op.isCommutative
        default: return false
        }
    }
}

/// Computes one interval per virtual register over the block order of `f`.
/// Positions: each instruction and terminator gets a multiple of 4; a value live
/// into a block is touched at blockStart - 1, one live out of it at blockEnd + 1,
/// so boundary positions never coincide with an instruction's.
func liveIntervals(_ f: Function) -> (intervals: [VReg: Interval], calls: [Int]) {
    let live = Liveness(f)
    var iv: [VReg: Interval] = [:]
    var calls: [Int] = []
    var r0Scratch: [Int] = []
    func touch(_ r: VReg, _ p: Int) {
        if var x = iv[r] { x.start = min(x.start, p); x.end = max(x.end, p); iv[r] = x }
        else { iv[r] = Interval(reg: r, start: p, end: p) }
    }
    var pos = 0
    for (bi, b) in f.blocks.enumerated() {
        let blockStart = pos
        for r in live.liveIn[bi] { touch(r, blockStart - 1) }
        for ins in b.instructions {
            for u in ins.inst.usedRegs { touch(u, pos) }
            for d in ins.inst.definedRegs { touch(d, pos) }
            if case .call = ins.inst { calls.append(pos) }
            if ins.inst.clobbersR0 { r0Scratch.append(pos) }
            pos += 4
        }
        for u in b.terminator.usedRegs { touch(u, pos) }
        let blockEnd = pos
        for r in live.liveOut[bi] { touch(r, blockEnd + 1) }
        pos += 4
    }
    for p in f.parameters { touch(p, -2) }
    // A value is live across a call when its interval strictly contains the call's
    // position (arguments die at the call, results are born at it).
    let sortedCalls = calls.sorted()
    for (r, var x) in iv {
        x.crossesCall = sortedCalls.contains { x.start < $0 && x.end > $0 }
        x.touchesR0Scratch = r0Scratch.contains { x.start <= $0 && x.end >= $0 }
        iv[r] = x
    }
    return (iv, sortedCalls)
}
