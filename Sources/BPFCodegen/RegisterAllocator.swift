import BPFIR

/// Linear-scan register allocation over r0–r9, in interval start order; a register is
/// free for a value when no value given it is live at a common position (intervals have
/// holes where a value is dead: between blocks, and between its last read in a block and
/// a write there). Values live across a helper or
/// BPF-to-BPF call get r6–r9; r0 (where calls leave their result and `exit` takes the
/// return value) holds values that cross no call and no instruction using r0 as its
/// scratch, preferably call results and returned values (those first, also when their
/// span contains calls on a path where they are dead). When registers run out, a
/// constant or address is computed again at its uses, and so is a value loaded from a
/// stack slot that no path from the load to a use writes (`SlotReloads`: it is loaded
/// again from there, as clang reloads a local after a call, rather than copied to a spill
/// slot); otherwise the value read least
/// often for the positions it is live (ties: the one ending last; the socket buffer of
/// packet loads counts its reads four times, each needing a reload into r6) is spilled to an
/// 8-byte slot and the function is rewritten with short reload/store temporaries, then
/// allocated again (in a function of thousands of instructions, or after 16 rounds, each
/// round spills every value it cannot place, and splits none: one spill a round made such
/// a function take 20 s). A value that must survive calls and finds r6–r9 held only by values
/// dying before its first call is split instead (`LiveRangeSplitting`): a copy made where
/// one of them frees takes that register.
struct RegisterAllocation {
    var assignment: [VReg: UInt8]
    var function: Function           // possibly rewritten with spill code
    var spillSlots: [Int]            // indices into function.slots used for spills
}

enum RegisterAllocator {
    /// A preference of a virtual register: a physical register; a physical register
    /// wanted only if the value dies at a position (where a value wanting that register
    /// is computed in place from it); or the register of another value that dies where
    /// this one is defined (a coalescable copy).
    enum Hint { case phys(UInt8), physIfDying(UInt8, at: Int), sameAs(VReg, at: Int) }

    static func allocate(_ input: Function) throws -> RegisterAllocation {
        var f = input
        var spillSlots: [Int] = []
        var spillTemps: Set<VReg> = []
        var splitValues: Set<VReg> = []     // values split once, and their copies (split no further)
        var precolored: [VReg: UInt8] = [:] // the copies, in the register that freed for them
        let size = input.blocks.reduce(0) { $0 + $1.instructions.count }
        for round in 0..<4096 {
            // After many rounds, or a few in a function far larger than programs are
            // (thousands of instructions from nested inlining), each round spills every
            // value it cannot place instead of the first one only: a round costs the
            // function's analyses, and one spill a round made such a function take 20 s.
            // The values chosen then are good enough; ordinary functions never get there.
            let batch = round >= 16 || (round >= 2 && size > 3000)
            var pending: [VReg] = []
            let (intervals, _) = liveIntervals(f)
            let hints = allocationHints(f)
            var hintedBy: [VReg: [(reg: VReg, at: Int)]] = [:]
            for (d, hs) in hints { for case .sameAs(let s, let p) in hs { hintedBy[s, default: []].append((d, p)) } }
            let forbidden = forbiddenSharing(f)
            var reloads = SlotReloads(f)
            let (useCounts, _) = f.useDefCounts()
            var packetSources = Set<VReg>()
            f.forEachInstruction { _, inst in
                if case .call(_, .packetLoad, let args) = inst, case .reg(let s)? = args.first { packetSources.insert(s) }
            }
            /// Reads per position of the span: the value whose spill code runs least often
            /// for the registers it frees (live lengths of the ranges, holes left out).
            func density(_ iv: Interval) -> Double {
                let length = iv.ranges.isEmpty ? iv.end - iv.start + 1 : iv.ranges.reduce(0) { $0 + $1.count }
                // The socket buffer of packet loads, spilled, is reloaded into r6 for every
                // packet load (no reload serves two): it weighs as if read four times as often.
                let weight = packetSources.contains(iv.reg) ? 4.0 : 1.0
                return weight * Double(useCounts[iv.reg] + 1) / Double(max(1, length))
            }
            // (Sorted by key, then looked up: an interval is too large to move about.)
            let order = intervals.map { (start: $0.value.start, reg: $0.key) }
                .sorted { ($0.start, $0.reg.id) < ($1.start, $1.reg.id) }.map { intervals[$0.reg]! }
            // The intervals given each physical register so far. A register is free for
            // `cur` when none of them is live where `cur` is (their holes count).
            var holders = [[Interval]](filled: [], count: 10)
            var assignment: [VReg: UInt8] = [:]
            // A split's copy holds its register from the start (a value computed where the
            // register frees, from one dying there, would otherwise take it first).
            for (v, r) in precolored.sorted(by: { $0.key < $1.key }) {
                guard let iv = intervals[v] else { continue }
                assignment[v] = r
                holders[Int(r)].append(iv)
            }
            var toSpill: VReg? = nil
            var splitFunction: Function? = nil
            // Which values are cheap to compute again: found for all in one walk the first
            // time a spill is considered (it considers several, a batch round hundreds).
            var recomputable: [VReg: Inst]? = nil
            func recomputation(_ v: VReg) -> Inst? {
                if recomputable == nil { recomputable = rematerializable(f, Set(intervals.keys)) }
                return recomputable![v]
            }
            func cheapToRecompute(_ v: VReg) -> Bool { recomputation(v) != nil }
            for cur in order where assignment[cur.reg] == nil {
                // Intervals that ended before this one starts no longer matter.
                for r in holders.indices where holders[r].contains(where: { $0.end < cur.start }) {
                    holders[r].removeAll { $0.end < cur.start }
                }
                // Bit r: register r holds a value live where `cur` is (or one `cur` may not share with).
                var used: UInt16 = 0
                for r in holders.indices where holders[r].contains(where: { $0.conflicts(with: cur) }) { used |= 1 << UInt16(r) }
                for v in forbidden[cur.reg] ?? [] { if let r = assignment[v] { used |= 1 << UInt16(r) } }
                /// The first register of `preferred` that is a candidate, else the first
                /// candidate, that `used` leaves free.
                func firstFree(_ preferred: [UInt8], _ candidates: [UInt8]) -> UInt8? {
                    for r in preferred where used & (1 << UInt16(r)) == 0 && candidates.contains(r) { return r }
                    return candidates.first { used & (1 << UInt16($0)) == 0 }
                }
                // A value whose span contains a call it does not live across takes r6-r9 as
                // one that does, and falls back to r1-r5 (not the stack) when they are taken.
                let spanning = cur.spansCall && !cur.crossesCall
                var candidates: [UInt8] = cur.crossesCall || spanning ? Reg.calleeSaved
                    : cur.touchesR0Scratch ? [1, 2, 3, 4, 5, 6, 7, 8, 9] : [1, 2, 3, 4, 5, 6, 7, 8, 9, 0]
                if cur.avoid != 0 { candidates.removeAll { cur.avoid & (1 << $0) != 0 } }
                var preferred: [UInt8] = []
                // A value that dies into one computed in place from it which must survive a
                // call (`x = load; y = bswap x; call`): take a callee-saved register now.
                if !cur.crossesCall, let users = hintedBy[cur.reg],
                   users.contains(where: { u in u.at == cur.end && intervals[u.reg]?.crossesCall == true }) {
                    preferred += Reg.calleeSaved
                }
                for h in hints[cur.reg] ?? [] {
                    switch h {
                    case .phys(let r): preferred.append(r)
                    case .physIfDying(let r, let p):
                        if cur.ranges.contains(where: { $0.upperBound == p }) || cur.end == p { preferred.append(r) }
                    case .sameAs(let v, let p):
                        if let iv = intervals[v], iv.ranges.contains(where: { $0.upperBound == p }) || iv.end == p,
                           let r = assignment[v] { preferred.append(r) }
                    }
                }
                // A value dead at the calls its span contains that prefers r0 takes it
                // first: call results merged over a path with calls of its own (a map value
                // looked up again after an insert), a returned value.
                if spanning && !cur.touchesR0Scratch && cur.avoid & 1 == 0 && preferred.contains(Reg.r0) {
                    candidates.insert(Reg.r0, at: 0)
                }
                if let r = firstFree(preferred, candidates) {
                    assignment[cur.reg] = r
                    holders[Int(r)].append(cur)
                    continue
                }
                if spanning {
                    var fallback: [UInt8] = cur.touchesR0Scratch ? [1, 2, 3, 4, 5] : [1, 2, 3, 4, 5, 0]
                    if cur.avoid != 0 { fallback.removeAll { cur.avoid & (1 << $0) != 0 } }
                    if let r = firstFree(preferred, fallback) {
                        assignment[cur.reg] = r
                        holders[Int(r)].append(cur)
                        continue
                    }
                }
                // Spill: the conflicting value with the fewest reads for its length (never a
                // spill temporary), kept if it ends before the current one.
                let rivals = candidates.flatMap { r in holders[Int(r)].filter { $0.conflicts(with: cur) } }
                    .filter { !spillTemps.contains($0.reg) && !pending.contains($0.reg) }
                // A value that is cheap to compute again (an address, a constant) is the
                // first choice: it is rematerialized at its uses instead of going to the stack.
                // (A value its stack slot still holds is not preferred: the choice stays by
                // reads; once chosen, it is loaded from that slot instead of spilled.)
                let remat = rivals.filter { cheapToRecompute($0.reg) }
                if let far = (remat.isEmpty ? rivals : remat).min(by: { (density($0), -$0.end) < (density($1), -$1.end) }),
                   far.end > cur.end || spillTemps.contains(cur.reg) || cheapToRecompute(far.reg) {
                    toSpill = far.reg
                } else if !spillTemps.contains(cur.reg) {
                    // Split rather than spill where a callee-saved register frees before
                    // the value's first call (see LiveRangeSplitting).
                    if cur.crossesCall, !batch, !splitValues.contains(cur.reg),
                       let (p, r) = calleeSavedFreeing(cur, holders, forbiddenRegisters: (forbidden[cur.reg] ?? []).compactMap { assignment[$0] }),
                       let (g, copy) = LiveRangeSplitting.split(f, cur.reg, after: p) {
                        splitValues.formUnion([cur.reg, copy])
                        precolored[copy] = r
                        splitFunction = g
                        break
                    }
                    toSpill = cur.reg
                } else if batch && !pending.isEmpty {
                    break      // (a spill temporary: placed once this round's spills are made)
                } else {
                    throw CodegenError("register allocation failed: too many values live at once in function '\(f.name)'",
                                       location: f.location)
                }
                if batch, let v = toSpill {
                    // Spilled after this round with the others. A value spilled for `cur`
                    // leaves its register to it (when nothing else there is live with it);
                    // an unplaced `cur` is placed in the next round.
                    pending.append(v)
                    toSpill = nil
                    if v != cur.reg, let r = assignment[v] {
                        holders[Int(r)].removeAll { $0.reg == v }
                        assignment[v] = nil
                        if !holders[Int(r)].contains(where: { $0.conflicts(with: cur) }),
                           !(forbidden[cur.reg] ?? []).contains(where: { assignment[$0] == r }) {
                            assignment[cur.reg] = r
                            holders[Int(r)].append(cur)
                        }
                    }
                    continue
                }
                break
            }
            if let g = splitFunction { f = g; continue }
            if !pending.isEmpty {
                let remat = rematerializable(f, Set(pending))
                f = rematerialize(f, remat, temps: &spillTemps)
                var spills: [VReg: Spill] = [:]
                for v in pending where remat[v] == nil {
                    f.slots.append(StackSlot(size: 8, alignment: 8, name: "spill.\(v.id)"))
                    spillSlots.append(f.slots.count - 1)
                    spills[v] = Spill(slot: f.slots.count - 1, reloading: nil)
                }
                f = rewriteSpilled(f, spills, temps: &spillTemps)
                continue
            }
            guard let v = toSpill else {
                return RegisterAllocation(assignment: assignment, function: f, spillSlots: spillSlots)
            }
            if let def = recomputation(v) {
                f = rematerialize(f, v, def: def, temps: &spillTemps)
                continue
            }
            if case .load(_, .slot(let s), let off, let w, let signed)? = reloads.definition(v) {
                f = rewriteSpilled(f, v, slot: s, temps: &spillTemps, reloading: (off, w, signed))
                continue
            }
            f.slots.append(StackSlot(size: 8, alignment: 8, name: "spill.\(v.id)"))
            let slot = f.slots.count - 1
            spillSlots.append(slot)
            f = rewriteSpilled(f, v, slot: slot, temps: &spillTemps)
        }
        throw CodegenError("register allocation did not converge in function '\(f.name)'", location: f.location)
    }

    /// The position of the last instruction that reads a value holding a callee-saved
    /// register where `cur` is live, and that register, for the one where that comes
    /// first: after it, the register is free for the rest of `cur`. Nil when each is held
    /// by a value that lives as long as `cur`, or past a terminator, or that `cur` may not
    /// share a register with.
    static func calleeSavedFreeing(_ cur: Interval, _ holders: [[Interval]], forbiddenRegisters: [UInt8]) -> (position: Int, register: UInt8)? {
        var best: (position: Int, register: UInt8)? = nil
        for r in Reg.calleeSaved where cur.avoid & (1 << UInt16(r)) == 0 && !forbiddenRegisters.contains(r) {
            let rivals = holders[Int(r)].filter { $0.conflicts(with: cur) }
            guard let end = rivals.map(\.end).max(), end % 4 == 0, end < cur.end else { continue }
            if best.map({ end < $0.position }) ?? true { best = (end, r) }
        }
        return best
    }

    /// Register preferences that save moves: parameters stay where they arrive,
    /// call arguments are computed in their argument register, and the result of
    /// a copy or an ALU operation reuses the register of a source dying there.
    static func allocationHints(_ f: Function) -> [VReg: [Hint]] {
        var h: [VReg: [Hint]] = [:]
        for (i, p) in f.parameters.enumerated() where i < 5 { h[p, default: []].append(.phys(UInt8(i + 1))) }
        var pos = 0
        for b in f.blocks {
            for ins in b.instructions {
                switch ins.inst {
                case .mov(let d, .reg(let s), _), .binary(_, let d, let s, _, _), .neg(let d, let s, _),
                     .ext(let d, let s, _, _, _), .bswap(let d, let s, _):
                    h[d, default: []].append(.sameAs(s, at: pos))
                case .call(let d, .packetLoad, let args):
                    // The socket buffer of BPF_LD_ABS/IND is implicitly r6.
                    if case .reg(let skb)? = args.first { h[skb, default: []].append(.phys(Reg.r6)) }
                    if let d { h[d, default: []].append(.phys(Reg.r0)) }
                case .call(let d, _, let args):
                    for (j, a) in args.enumerated() where j < 5 {
                        if case .reg(let v) = a { h[v, default: []].append(.phys(UInt8(j + 1))) }
                    }
                    if let d { h[d, default: []].append(.phys(Reg.r0)) }
                case .inlineAsm(let t, let ins, let outs):
                    // A tied output reuses its input's register when the input dies there.
                    for tie in t.ties { h[outs[tie.output], default: []].append(.sameAs(ins[tie.input], at: pos)) }
                default: break
                }
                pos += 4
            }
            if case .ret(.reg(let v)?) = b.terminator { h[v, default: []].append(.phys(Reg.r0)) }
            pos += 4
        }
        // A value computed in place from another (`d = bswap s`, `d = s + 1`) wants the
        // register d wants: pass d's fixed-register wishes back to s, along chains, for
        // when s dies there (a value read again later would only keep d from that
        // register: `k = p >> 4; q = p & 3; call(map, k)`).
        for _ in 0..<3 {
            var changed = false
            // In register order (the wishes' order must not depend on hashing): a set of
            // the keys iterates in it, without a sort.
            for d in RegSet(h.keys) {
                let hs = h[d]!
                let phys = hs.compactMap { x -> UInt8? in
                    switch x { case .phys(let r), .physIfDying(let r, _): return r; case .sameAs: return nil }
                }
                guard !phys.isEmpty else { continue }
                for case .sameAs(let s, let p) in hs {
                    for r in phys where !(h[s] ?? []).contains(where: {
                        switch $0 { case .phys(r), .physIfDying(r, p): return true; default: return false }
                    }) {
                        h[s, default: []].append(.physIfDying(r, at: p)); changed = true
                    }
                }
            }
            if !changed { break }
        }
        return h
    }

    /// Pairs that must not share a register although one dies where the other is born
    /// (listed both ways: with lifetime holes either may be allocated first):
    /// the result of a non-commutative operation and its right operand (`d = l - d`
    /// would need a scratch register); an inline assembly output and every input but
    /// the one tied to it (the text may write the output before it reads the inputs).
    static func forbiddenSharing(_ f: Function) -> [VReg: [VReg]] {
        var m: [VReg: [VReg]] = [:]
        for b in f.blocks {
            for ins in b.instructions {
                switch ins.inst {
                case .binary(let op, let d, _, .reg(let r), _) where !op.isCommutative:
                    m[d, default: []].append(r); m[r, default: []].append(d)
                case .inlineAsm(let t, let inputs, let outputs):
                    for (j, o) in outputs.enumerated() {
                        let tied = Set(t.ties.filter { $0.output == j }.map(\.input))
                        for (i, x) in inputs.enumerated() where !tied.contains(i) && x != o {
                            m[o, default: []].append(x); m[x, default: []].append(o)
                        }
                    }
                default: break
                }
            }
        }
        return m
    }

    /// For each of `values` (each on its own, in one walk over the function), its single
    /// definition if computing it again at each use costs no more instructions than
    /// spilling it: a constant `mov` (one instruction per use against a store and a load
    /// per use), a stack or symbol address or 64-bit constant (two per use against the
    /// definition, a store and a load per use) used at most three times.
    static func rematerializable(_ f: Function, _ values: Set<VReg>) -> [VReg: Inst] {
        var found: [VReg: Inst] = [:], disqualified = Set(f.parameters.filter(values.contains))
        var uses: [VReg: Int] = [:]
        for b in f.blocks {
            for i in b.instructions {
                i.inst.forEachUse { u in if values.contains(u) { uses[u, default: 0] += 1 } }
                var defines = false
                i.inst.forEachDef { d in if values.contains(d) { defines = true } }
                guard defines else { continue }
                for d in i.inst.definedRegs where values.contains(d) && !disqualified.contains(d) {
                    switch i.inst {
                    case .slotAddr, .symbolAddr, .loadImm64, .mov(_, .imm, _):
                        if found[d] == nil { found[d] = i.inst; continue }
                    default: break
                    }
                    // Defined twice, or by something else.
                    disqualified.insert(d)
                    found[d] = nil
                }
            }
            b.terminator.forEachUse { u in if values.contains(u) { uses[u, default: 0] += 1 } }
        }
        return found.filter { v, def in
            if case .mov = def { return true }
            return (uses[v] ?? 0) <= 3
        }
    }

    /// Computes `v` again (from its single definition `def`) right before each use, into a
    /// fresh temporary; the original definition goes.
    static func rematerialize(_ input: Function, _ v: VReg, def: Inst, temps: inout Set<VReg>) -> Function {
        rematerialize(input, [v: def], temps: &temps)
    }

    /// `rematerialize` for each value of `defs` (with its definition), in one walk.
    static func rematerialize(_ input: Function, _ defs: [VReg: Inst], temps: inout Set<VReg>) -> Function {
        var f = input
        for bi in f.blocks.indices {
            var out: [Instruction] = []
            for ins in f.blocks[bi].instructions {
                var defines = false, uses = false
                ins.inst.forEachDef { if defs[$0] != nil { defines = true } }
                if defines { continue }
                ins.inst.forEachUse { if defs[$0] != nil { uses = true } }
                guard uses else { out.append(Instruction(ins.inst, location: ins.location)); continue }
                var inst = ins.inst
                for v in distinct(inst.usedRegs) {
                    guard let def = defs[v] else { continue }
                    let t = f.newVReg(); temps.insert(t)
                    out.append(Instruction(def.replacingDefs(of: v, with: t), location: ins.location))
                    inst = inst.replacingUses(of: v, with: t)
                }
                out.append(Instruction(inst, location: ins.location))
            }
            for v in distinct(f.blocks[bi].terminator.usedRegs) {
                guard let def = defs[v] else { continue }
                let t = f.newVReg(); temps.insert(t)
                out.append(Instruction(def.replacingDefs(of: v, with: t), location: f.blocks[bi].terminatorLocation))
                f.blocks[bi].terminator = f.blocks[bi].terminator.replacingUses(of: v, with: t)
            }
            f.blocks[bi].instructions = out
        }
        return f
    }

    /// Registers in first-appearance order, each once.
    private static func distinct(_ regs: [VReg]) -> [VReg] {
        var out: [VReg] = []
        for r in regs where !out.contains(r) { out.append(r) }
        return out
    }

    /// Where a spilled value lives: its slot, and for a value `SlotReloads` found there
    /// already, the bytes it is loaded from (nothing is stored then).
    struct Spill {
        var slot: Int
        var reloading: (offset: Int, width: Width, signed: Bool)?
    }

    /// Replaces every def of `v` by a def of a fresh temporary stored to the slot, and
    /// every use by a fresh temporary loaded from it. `reloading`: `v` is already the load
    /// of those bytes of the slot (`SlotReloads`), which hold it at every use: the load
    /// defines a temporary and nothing is stored.
    static func rewriteSpilled(_ input: Function, _ v: VReg, slot: Int, temps: inout Set<VReg>,
                               reloading: (offset: Int, width: Width, signed: Bool)? = nil) -> Function {
        rewriteSpilled(input, [v: Spill(slot: slot, reloading: reloading)], temps: &temps)
    }

    /// `rewriteSpilled` for each value of `spills`, in one walk.
    static func rewriteSpilled(_ input: Function, _ spills: [VReg: Spill], temps: inout Set<VReg>) -> Function {
        var f = input
        // Parameters arrive in registers: store them at entry.
        var entryPrefix: [Instruction] = []
        var arrived: [(value: VReg, temp: VReg)] = []
        for pi in f.parameters.indices {
            guard let s = spills[f.parameters[pi]] else { continue }
            let t = f.newVReg(); temps.insert(t)
            arrived.append((f.parameters[pi], t))
            f.parameters[pi] = t
            entryPrefix.append(Instruction(.store(base: .slot(s.slot), offset: 0, value: .reg(t), width: .w64), location: f.location))
        }
        // Within a block, a reloaded (or just stored) value serves the next few uses too,
        // unless a call comes between (the temporary would then need a callee-saved register).
        let reuseWindow = 8
        for bi in f.blocks.indices {
            var out: [Instruction] = bi == 0 ? entryPrefix : []
            // The entry block's first uses read the parameter where it arrived.
            var current: [VReg: (temp: VReg, at: Int)] = [:]
            if bi == 0 { for a in arrived { current[a.value] = (a.temp, out.count) } }
            func temp(_ v: VReg, for location: IRLocation?, reuse: Bool = true) -> VReg {
                if reuse, let c = current[v], out.count - c.at <= reuseWindow { current[v] = (c.temp, out.count); return c.temp }
                let s = spills[v]!
                let (offset, width, signed) = s.reloading ?? (0, .w64, false)
                let t = f.newVReg(); temps.insert(t)
                out.append(Instruction(.load(dst: t, base: .slot(s.slot), offset: offset, width: width, signed: signed), location: location))
                current[v] = (t, out.count)
                return t
            }
            for ins in f.blocks[bi].instructions {
                var touches = false
                ins.inst.forEachUse { if spills[$0] != nil { touches = true } }
                ins.inst.forEachDef { if spills[$0] != nil { touches = true } }
                if !touches {
                    if case .call = ins.inst { current.removeAll() }
                    out.append(Instruction(ins.inst, location: ins.location))
                    continue
                }
                var inst = ins.inst
                for v in distinct(inst.usedRegs) where spills[v] != nil {
                    // A packet load reads the socket buffer from r6: a reload of its own can go there.
                    var packetLoad = false
                    if case .call(_, .packetLoad, _) = inst { packetLoad = true }
                    inst = inst.replacingUses(of: v, with: temp(v, for: ins.location, reuse: !packetLoad))
                }
                // A temporary read before a call does not serve after it; a call's result
                // (defined by it) does.
                if case .call = inst { current.removeAll() }
                let defined = distinct(inst.definedRegs).filter { spills[$0] != nil }
                if defined.isEmpty {
                    out.append(Instruction(inst, location: ins.location))
                    continue
                }
                var stored: [(value: VReg, temp: VReg)] = []
                for v in defined {
                    let t = f.newVReg(); temps.insert(t)
                    inst = inst.replacingDefs(of: v, with: t)
                    stored.append((v, t))
                }
                out.append(Instruction(inst, location: ins.location))
                for (v, t) in stored {
                    let s = spills[v]!
                    if s.reloading == nil {
                        out.append(Instruction(.store(base: .slot(s.slot), offset: 0, value: .reg(t), width: .w64), location: ins.location))
                    }
                    current[v] = (t, out.count)
                }
            }
            for v in distinct(f.blocks[bi].terminator.usedRegs) where spills[v] != nil {
                let t = temp(v, for: f.blocks[bi].terminatorLocation)
                f.blocks[bi].terminator = f.blocks[bi].terminator.replacingUses(of: v, with: t)
            }
            f.blocks[bi].instructions = out
        }
        return f
    }
}

