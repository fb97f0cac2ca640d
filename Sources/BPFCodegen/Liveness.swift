import BPFIR

/// A live interval: its span [start, end] in linear instruction positions, and the
/// ranges within it where the value is live (one per block it is live in; a value live
/// into a loop header and out of its latch but dead in the blocks laid out between has
/// a hole there, where another value may take its register).
struct Interval {
    var reg: VReg
    var start: Int
    var end: Int
    var ranges: [ClosedRange<Int>] = []
    var crossesCall = false
    /// The interval's span contains a call (on some path the value may be dead there):
    /// it prefers r6-r9, which leave r1-r5 to the call's arguments.
    var spansCall = false
    /// The interval touches an instruction that uses r0 as its own scratch (atomics
    /// with fetch, compare-and-exchange, wide constant stores): it cannot live in r0.
    var touchesR0Scratch = false
    /// Registers (bit N: rN) the value may not take: those an inline assembly statement
    /// it lives through, or is an operand of, clobbers; r6 where a packet load that does
    /// not read it as its socket buffer comes within its span.
    var avoid: UInt16 = 0
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
    var iv = [Interval?](filled: nil, count: f.nextVReg)
    var calls: [Int] = []
    var r0Scratch: [Int] = []
    var asmClobbers: [(position: Int, registers: UInt16)] = []
    // Packet loads (BPF_LD_ABS/IND): the socket buffer they read must be in r6.
    var packetLoads: [(position: Int, skb: VReg)] = []
    // The block being scanned: where each register touched in it is first and last
    // touched (by register number; `untouched` where it is not), and which those are.
    let untouched = Int.min
    var localFirst = [Int](repeating: untouched, count: f.nextVReg)
    var localLast = [Int](repeating: 0, count: f.nextVReg)
    var touched: [Int] = []
    // Where each register was last read (an instruction's position when it reads it).
    var usedAt = [Int](repeating: untouched, count: f.nextVReg)
    func touch(_ r: VReg, _ p: Int) {
        if r.id >= iv.count {
            let more = r.id + 1 - iv.count
            iv += [Interval?](filled: nil, count: more)
            localFirst += [Int](repeating: untouched, count: more)
            localLast += [Int](repeating: 0, count: more)
            usedAt += [Int](repeating: untouched, count: more)
        }
        if iv[r.id] != nil { iv[r.id]!.start = min(iv[r.id]!.start, p); iv[r.id]!.end = max(iv[r.id]!.end, p) }
        else { iv[r.id] = Interval(reg: r, start: p, end: p) }
        if localFirst[r.id] == untouched {
            localFirst[r.id] = p; localLast[r.id] = p
            touched.append(r.id)
        } else {
            localFirst[r.id] = min(localFirst[r.id], p); localLast[r.id] = max(localLast[r.id], p)
        }
    }
    /// Ends the register's range in this block where it was last touched.
    func closeRange(_ id: Int) {
        iv[id]!.ranges.append(localFirst[id]...localLast[id])
        localFirst[id] = untouched
    }
    /// Closes the block's ranges (blocks come in position order: each range starts after
    /// the register's previous one ended).
    func closeBlock() {
        for id in touched where localFirst[id] != untouched { closeRange(id) }
        touched.removeAll(keepingCapacity: true)
    }
    for p in f.parameters { touch(p, -2) }
    closeBlock()
    var pos = 0
    for (bi, b) in f.blocks.enumerated() {
        let blockStart = pos
        for r in live.liveIn[bi] { touch(r, blockStart - 1) }
        for ins in b.instructions {
            ins.inst.forEachUse { touch($0, pos); usedAt[$0.id] = pos }
            ins.inst.forEachDef { d in
                // Written again without being read here: dead since its last touch in the
                // block, so its range there ends at that touch and a new one starts (a
                // value computed from it in the gap may take its register).
                if d.id < localFirst.count, localFirst[d.id] != untouched, usedAt[d.id] != pos { closeRange(d.id) }
                touch(d, pos)
            }
            if case .call = ins.inst { calls.append(pos) }
            if ins.inst.clobbersR0 { r0Scratch.append(pos) }
            if case .inlineAsm(let t, _, _) = ins.inst, t.clobbers != 0 { asmClobbers.append((pos, t.clobbers)) }
            if case .call(_, .packetLoad, let args) = ins.inst, case .reg(let s)? = args.first { packetLoads.append((pos, s)) }
            pos += 4
        }
        for u in b.terminator.usedRegs { touch(u, pos) }
        let blockEnd = pos
        for r in live.liveOut[bi] { touch(r, blockEnd + 1) }
        closeBlock()
        pos += 4
    }
    // A value is live across a call when it is live right after the call and not its
    // result: a value whose interval only spans a call on another path (the merged
    // "record and return" block of an unrolled parser, laid out among the loop's blocks)
    // may stay in r1-r5.
    var acrossCalls = RegSet(capacity: f.nextVReg)
    for (bi, b) in f.blocks.enumerated() where b.instructions.contains(where: { if case .call = $0.inst { return true }; return false }) {
        var after = live.liveOut[bi]
        for u in b.terminator.usedRegs { after.insert(u) }
        for ins in b.instructions.reversed() {
            if case .call(let dst, _, _) = ins.inst {
                for r in after where r != dst { acrossCalls.insert(r) }
            }
            ins.inst.forEachDef { after.remove($0) }
            ins.inst.forEachUse { after.insert($0) }
        }
    }
    func firstAtOrAfter(_ xs: [Int], _ p: Int) -> Int? {
        var lo = 0, hi = xs.count
        while lo < hi { let m = (lo + hi) / 2; if xs[m] < p { lo = m + 1 } else { hi = m } }
        return lo < xs.count ? xs[lo] : nil
    }
    var result: [VReg: Interval] = [:]
    result.reserveCapacity(iv.count)
    for case var x? in iv {
        // A parameter's entry range (-2) and its range in the first block are one.
        if x.ranges.count > 1, x.ranges[0].upperBound == -2, x.ranges[1].lowerBound == -1 {
            x.ranges[1] = -2...x.ranges[1].upperBound
            x.ranges.removeFirst()
        }
        x.crossesCall = acrossCalls.contains(x.reg)
        if let c = firstAtOrAfter(calls, x.start + 1) { x.spansCall = c < x.end }
        if let c = firstAtOrAfter(r0Scratch, x.start) { x.touchesR0Scratch = c <= x.end }
        for a in asmClobbers where a.position >= x.start && a.position <= x.end { x.avoid |= a.registers }
        // Every other value spanning a packet load stays out of r6, which the load's
        // socket buffer takes.
        for l in packetLoads where l.position >= x.start && l.position <= x.end && l.skb != x.reg { x.avoid |= 1 << Reg.r6 }
        result[x.reg] = x
    }
    return (result, calls)
}

extension Interval {
    /// Whether the two values are live at a common position and so need different
    /// registers. A value whose last use is the instruction that defines the other may
    /// share its register (the instruction reads before it writes), unless that is also
    /// where the first value starts.
    func conflicts(with o: Interval) -> Bool {
        if end < o.start || o.end < start { return false }
        var i = 0, j = 0
        while i < ranges.count && j < o.ranges.count {
            let x = ranges[i], y = o.ranges[j]
            if x.upperBound < y.lowerBound { i += 1; continue }
            if y.upperBound < x.lowerBound { j += 1; continue }
            if x.upperBound == y.lowerBound && y.lowerBound % 4 == 0 && x.lowerBound != y.lowerBound { i += 1; continue }
            if y.upperBound == x.lowerBound && x.lowerBound % 4 == 0 && y.lowerBound != x.lowerBound { j += 1; continue }
            return true
        }
        return false
    }
}
