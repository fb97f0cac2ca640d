/// Dominator-based value numbering over registers written once (and registers written
/// more than once where no path writes them again, `SettledRegisters`):
/// - copy propagation: after `d = s` (64-bit), uses of d read s;
/// - constant offsets chain: `x = y + 14; d = x + 20` computes `d = y + 34` (also at 32 bits);
/// - common subexpressions: an arithmetic result computed again from the same
///   operands where the first computation dominates is the first one's register
///   (`(int)len` sign-extended three times, `data + 14` recomputed by an inlined
///   bounds check);
/// - branches decided by a dominating branch: below the edge `if (a > b)` took, the
///   same comparison (or its negation, or its mirror image) has a known outcome;
/// - loads through a register repeated where the first load (or a store of the same
///   bytes) dominates and nothing else between may write memory (`ctx[0]` read in every
///   unrolled iteration, a map value's field written then tested), and loads of a stack
///   slot repeated where nothing between may write the frame (a header copied out of the
///   packet by a helper, then its fields tested in several blocks);
/// - calls of pure functions (`PureFunctions`) repeated with the same arguments where the
///   first call dominates and nothing between may write memory: the result of the first
///   (a `__noinline` function of loop-invariant arguments called in every unrolled round,
///   as clang's GVN reuses a `readonly` call; the verifier walks the callee once per call;
///   `PureCallTable`).
/// Constants and addresses are left to ConstantFolding and RedundancyElimination
/// (keeping them live across blocks would only take registers; AddressReuse shares a
/// global's address where no call comes between). The copies and
/// repeated computations left unused go with dead code elimination.
public enum ValueNumbering {
    public static func run(_ f: Function, pureFunctions: Set<SymbolName> = []) -> Function {
        var f = f
        let (_, defs) = f.useDefCounts()
        func once(_ v: VReg) -> Bool { defs[v] == 1 }
        let graph = f.flowGraph
        // A register written more than once that no path from a block writes again holds
        // one value there: it is copied and computed from as a register written once.
        var settled = SettledRegisters(f, defs: defs, predecessors: graph.predecessors)
        func fixed(_ v: VReg, in b: Int) -> Bool { once(v) || settled.isSettled(v, in: b) }
        let dom = Dominators(f, predecessors: graph.predecessors)
        var rep = RegMap<VReg>(capacity: f.nextVReg)
        var table: [Inst: VReg] = [:]
        var facts = FactStack(capacity: f.nextVReg)
        var definition = RegMap<Inst>(capacity: f.nextVReg)   // of single-definition registers seen so far
        let placeholder = VReg(-1)
        var memory = MemoryGenerations(f, graph.predecessors, dom)
        var pureCalls = PureCallTable(f, pureFunctions: pureFunctions, graph.predecessors, dom)
        /// The bytes `[off, off + w)` of slot `s` as a constant, when a wider store of a
        /// constant covering them is still current (in the target's byte order).
        func storedConstant(in s: Int, at off: Int, width w: Width, generation: Int) -> Int64? {
            for k in presentSlotKeys(s, from: off - 7, to: off + 1) {
                guard let e = loads[k], e.stored, e.generation == generation,
                      case .load(_, .slot(s), let o, let sw, _) = k, sw.bytes > w.bytes, o <= off,
                      off + w.bytes <= o + sw.bytes, case .imm(let value) = e.value else { continue }
                let stored = sw.extend(UInt64(bitPattern: value), signed: false)
                let shift = f.bigEndian ? (o + sw.bytes - off - w.bytes) * 8 : (off - o) * 8
                return Int64(bitPattern: w.extend(stored >> UInt64(shift), signed: false))
            }
            return nil
        }
        func slotsWritten(_ inst: Inst) -> Set<Int>? { memory.kinds.slotsWritten(inst) }
        // Per block, the bytes of slots its writes to the frame reach (nil: some write
        // reaches an unknown part of it): a merge after such writes only forgets those.
        memory.frameSlotsWritten = f.blocks.map { blk in
            var out: [SlotBytes] = []
            for i in blk.instructions where memory.kinds.writes(i.inst, kind: MemoryGenerations.frameKind) {
                if case .store(.slot(let s), let off, _, let w) = i.inst {
                    out.append(SlotBytes(slot: s, lo: off, hi: off + w.bytes))
                    continue
                }
                guard let t = slotsWritten(i.inst) else { return nil }
                out += t.map { SlotBytes(slot: $0, lo: Int.min, hi: Int.max) }
            }
            return out
        }
        // Registers written once with the same global's address are one address for the
        // loads and stores through them (each access makes its own; they are not merged),
        // and registers written once with the same constant one operand in the keys of
        // computations (a 64-bit constant each unrolled round loads again: `x * K` is one
        // computation in every round). Only keys read through this map.
        var sameValue = RegMap<VReg>(capacity: f.nextVReg), firstOfSymbol: [SymbolRef: VReg] = [:], firstOfConstant: [Int64: VReg] = [:]
        for b in f.blocks {
            for i in b.instructions {
                switch i.inst {
                case .symbolAddr(let d, let sym) where once(d):
                    if let r = firstOfSymbol[sym] { sameValue[d] = r } else { firstOfSymbol[sym] = d }
                case .loadImm64(let d, let k) where once(d), .mov(let d, .imm(let k), .w64) where once(d):
                    if let r = firstOfConstant[k] { sameValue[d] = r } else { firstOfConstant[k] = d }
                case .mov(let d, .imm(let k), .w32) where once(d):
                    let value = Int64(UInt32(truncatingIfNeeded: k))
                    if let r = firstOfConstant[value] { sameValue[d] = r } else { firstOfConstant[value] = d }
                default: break
                }
            }
        }
        // What a load of the key would read: the register of an earlier load, or what a
        // store wrote (`stored`: the load's width and extension still apply).
        var loads: [Inst: (value: Operand, stored: Bool, generation: Int)] = [:]
        var loadUndo: [[(Inst, (value: Operand, stored: Bool, generation: Int)?)]] = Array(filled: [], count: f.blocks.count)
        // The keys of `loads` about each slot's bytes, so a write to a slot visits only the
        // facts about the bytes it writes.
        var slotKeys = SlotKeyIndex(slots: f.slots)
        func setSlotFact(_ key: Inst, slot s: Int, offset: Int, _ e: (value: Operand, stored: Bool, generation: Int)?, in b: Int) {
            let old = e.map { loads.updateValue($0, forKey: key) } ?? loads.removeValue(forKey: key)
            loadUndo[b].append((key, old))
            if old == nil, e != nil { slotKeys.insert(key, slot: s, offset: offset) }
        }
        /// The keys about slot `s` whose loads start in `[lo, hi)` and are still present.
        func presentSlotKeys(_ s: Int, from lo: Int, to hi: Int) -> [Inst] {
            var out: [Inst] = []
            slotKeys.forEach(slot: s, from: lo, to: hi) { if loads[$0] != nil { out.append($0) } }
            return out
        }
        // Computations reading registers written more than once (a loop's counter):
        // valid along a chain of single-predecessor blocks from where they were computed,
        // until one of those registers is written again.
        var chained = ChainedTable(blocks: f.blocks.count)
        // This block's computations by their keys read through low-half copies
        // (`readingLowHalvesThrough`).
        var lowInBlock: [Inst: VReg] = [:]
        // Where addresses point relative to one another, followed when a store asks.
        var addresses = AddressRanges(f, defs: defs)

        /// The block whose chain `b` continues: its only predecessor; or, at a merge, its
        /// immediate dominator when no block on a path from there to `b` writes a register
        /// the chained computations read and no such path comes back to `b` (both arms of
        /// an `if` that leave a variable alone: `a[i] = (x << n) != y` unrolled, with `x`
        /// incremented further down).
        func chainedPredecessor(of b: Int) -> Int? {
            let preds = graph.predecessors[b]
            if preds.count == 1 { return preds[0] }
            guard chained.isTracking, b != 0 else { return nil }
            let top = dom.idom[b]
            guard top >= 0 else { return nil }
            var seen: Set<Int> = [top], stack = preds.filter { $0 != top }
            while let x = stack.popLast() {
                guard seen.insert(x).inserted else { continue }
                guard x != b, x != 0, seen.count <= 64 else { return nil }
                for i in f.blocks[x].instructions {
                    var writes = false
                    i.inst.forEachDef { if !once($0) && chained.isRead($0) { writes = true } }
                    if writes { return nil }
                }
                stack += graph.predecessors[x]
            }
            return top
        }

        // Pre-order walk with explicit exits, so each block's table entries and facts
        // are dropped when its dominator subtree is done.
        var work: [(block: Int, exit: Bool)] = f.blocks.isEmpty ? [] : [(0, false)]
        var added: [[Inst]] = Array(filled: [], count: f.blocks.count)
        var factMark = [Int](filled: 0, count: f.blocks.count)
        var redundantStores = [[Int]](filled: [], count: f.blocks.count)
        while let (b, exit) = work.popLast() {
            if exit {
                chained.leave(b)
                for k in added[b] { table[k] = nil }
                for (k, old) in loadUndo[b].reversed() { loads[k] = old }
                pureCalls.exit(b)
                facts.pop(to: factMark[b])
                continue
            }
            factMark[b] = facts.count
            work.append((b, true))
            for c in dom.children[b].reversed() { work.append((c, false)) }
            if let fact = edgeFact(into: b, f, graph.predecessors, once) { facts.push(fact) }
            chained.enter(b, continuing: chainedPredecessor(of: b))
            // Facts written while this block's instructions are walked carry generations
            // from here on, and are already in its undo list.
            let blockStart = memory.next
            pureCalls.enter(b)
            for bytes in memory.enter(b) {
                for k in presentSlotKeys(bytes.slot, from: bytes.lo == Int.min ? Int.min : bytes.lo - 7, to: bytes.hi) {
                    guard case .load(_, .slot, let o, let lw, _) = k, bytes.lo < o + lw.bytes && o < bytes.hi else { continue }
                    setSlotFact(k, slot: bytes.slot, offset: o, nil, in: b)
                }
            }

            lowInBlock.removeAll(keepingCapacity: true)
            for ii in f.blocks[b].instructions.indices {
                var inst = f.blocks[b].instructions[ii].inst
                var used: [VReg] = []
                inst.forEachUse { if rep[$0] != nil { used.append($0) } }
                for u in used { inst = inst.replacingUses(of: u, with: rep[u]!) }
                if !used.isEmpty { f.setInst(b, ii, inst) }
                if pureCalls.isTracking { pureCalls.number(inst, in: b, once: once, sameValue: sameValue) }
                if chained.isTracking { inst.forEachDef { if !once($0) { chained.written($0, in: b) } } }
                // A store of what its bytes already hold (what a load of them read, or what
                // a store wrote, with no write between: `g.f ^= 0` once folded) changes
                // nothing and goes, unless volatile; it leaves the memory's generation as it was.
                if case .store(.reg(let stored), let off, let value, let w) = inst, once(stored), !memory.frame.contains(stored),
                   !isVolatileStore(in: f.blocks[b], at: ii) {
                    let base = sameValue[stored] ?? stored
                    let generation = memory.current[memory.kind(of: base)]
                    // (A copy or extension keeping at least the stored bytes stores those of its source.)
                    var same = [value]
                    if case .reg(let v) = value, let (t, n) = definition[v]?.lowBytesCopy, n >= w.bytes { same.append(.reg(t)) }
                    let holds = [false, true].contains { signed in
                        guard let e = loads[Inst.load(dst: placeholder, base: .reg(base), offset: off, width: w, signed: signed)],
                              e.generation == generation else { return false }
                        return same.contains(e.value) && (!e.stored || !signed)
                    }
                    if holds { redundantStores[b].append(ii); continue }
                }
                // A pure function's call repeated: what the first returned.
                if pureCalls.isTracking, let (d, first) = pureCalls.call(inst, in: b, once: once, sameValue: sameValue, frame: memory.kinds) {
                    rep[d] = first
                    f.blocks[b].instructions[ii].inst = .mov(dst: d, src: .reg(first), width: .w64)
                    continue
                }
                let before = memory.current
                // A write to the frame that reaches only known slots leaves the frame's
                // generation: it forgets what is known of the bytes it writes (below).
                let frameKind = MemoryGenerations.frameKind
                let touched = memory.kinds.writes(inst, kind: frameKind) ? slotsWritten(inst) : nil
                memory.step(inst, keepingFrame: touched != nil)
                // A stack slot read again where the first read dominates and nothing between
                // may write the frame (a helper that filled a local struct, then its fields
                // tested in several blocks); volatile slots are read as written.
                if case .load(let d, .slot(let s), let off, let w, let signed) = inst, once(d), !f.slots[s].isVolatile {
                    let key = inst.replacingDefs(of: d, with: placeholder)
                    let generation = memory.current[MemoryGenerations.frameKind]
                    let storedKey = Inst.load(dst: placeholder, base: .slot(s), offset: off, width: w, signed: false)
                    if let e = loads[key], e.generation == generation, !e.stored, case .reg(let r) = e.value {
                        rep[d] = r
                    } else if let e = loads[storedKey], e.generation == generation, e.stored {
                        // What a dominating store to the slot wrote (a constant field of a
                        // local struct read back after helper calls that were given no
                        // stack address).
                        f.blocks[b].instructions[ii].inst = StackForwarding.copy(e.value, to: d, width: w, signed: signed)
                    } else if let k = storedConstant(in: s, at: off, width: w, generation: generation) {
                        // Bytes of a wider constant stored there (a string initializer
                        // stored eight bytes at a time, read a byte at a time).
                        f.blocks[b].instructions[ii].inst = StackForwarding.copy(.imm(k), to: d, width: w, signed: signed)
                    } else {
                        setSlotFact(key, slot: s, offset: off, (.reg(d), false, generation), in: b)
                    }
                    continue
                }
                // A load of what a dominating load read or a dominating store wrote, with no
                // other write to that memory between.
                if case .load(let d, .reg(let base), let off, let w, let signed) = inst, once(d), once(base), !memory.frame.contains(base) {
                    let key = Inst.load(dst: placeholder, base: .reg(sameValue[base] ?? base), offset: off, width: w, signed: signed)
                    let generation = memory.current[memory.kind(of: base)]
                    if let e = loads[key], e.generation == generation {
                        if !e.stored, case .reg(let r) = e.value {
                            rep[d] = r
                        } else {
                            f.blocks[b].instructions[ii].inst = StackForwarding.copy(e.value, to: d, width: w, signed: signed)
                        }
                    } else {
                        loadUndo[b].append((key, loads[key]))
                        loads[key] = (.reg(d), false, generation)
                    }
                    continue
                }
                // What is known of the other slots (and of the other bytes of a slot stored
                // to) stays true.
                if let touched = touched {
                    var readsOnly = false
                    if case .call(_, .helper(let n), _) = inst { readsOnly = MemoryKinds.helpersOnlyReadingMemory.contains(n) }
                    var range = (lo: Int.min, hi: Int.max)
                    if case .store(.slot, let off, _, let w) = inst { range = (off - 7, off + w.bytes) }
                    for s2 in touched {
                        for k in presentSlotKeys(s2, from: range.lo, to: range.hi) {
                            guard let e = loads[k], case .load(_, .slot, let o, let lw, _) = k else { continue }
                            // A helper that only reads what it is given leaves a constant stored there.
                            if readsOnly && e.stored, case .imm = e.value { continue }
                            if case .store(.slot, let off, _, let w) = inst, o + lw.bytes <= off || off + w.bytes <= o { continue }
                            setSlotFact(k, slot: s2, offset: o, nil, in: b)
                        }
                    }
                }
                // After a store to a slot, a load of the same bytes reads the value.
                if case .store(.slot(let slot), let off, let value, let w) = inst, !f.slots[slot].isVolatile {
                    if case .reg(let v) = value, !fixed(v, in: b) { continue }
                    let key = Inst.load(dst: placeholder, base: .slot(slot), offset: off, width: w, signed: false)
                    setSlotFact(key, slot: slot, offset: off, (value, true, memory.current[frameKind]), in: b)
                    continue
                }
                // After a store through a register, a load of the same bytes reads the value.
                if case .store(.reg(let stored), let off, let value, let w) = inst, once(stored), !memory.frame.contains(stored) {
                    let base = sameValue[stored] ?? stored
                    let kind = memory.kind(of: base), now = memory.current[kind]
                    // What is known of other bytes through the same pointer, or through a
                    // pointer whose bytes are surely apart from these, stays true.
                    // (Restamped in place: no key is hashed again.)
                    var i = loads.startIndex
                    while i != loads.endIndex {
                        defer { loads.formIndex(after: &i) }
                        let (k, e) = loads[i]
                        guard e.generation == before[kind], case .load(_, .reg(let kb), let o, let lw, _) = k,
                              addresses.disjoint(kb, o, lw.bytes, base, off, w.bytes) else { continue }
                        if e.generation < blockStart { loadUndo[b].append((k, e)) }
                        loads.values[i].generation = now
                    }
                    // A value in a register written more than once may change before the load.
                    if case .reg(let v) = value, !fixed(v, in: b) { continue }
                    let key = Inst.load(dst: placeholder, base: .reg(base), offset: off, width: w, signed: false)
                    loadUndo[b].append((key, loads[key]))
                    loads[key] = (value, true, now)
                    continue
                }
                guard let d = inst.singleDef, once(d) else { continue }
                if case .mov(_, .reg(let s), .w64) = inst, fixed(s, in: b), s != d {
                    rep[d] = s
                    continue
                }
                guard isPure(inst) else { continue }
                // `x = y + k1; d = x + k2` → `d = y + (k1 + k2)` (x often dies); at 32 bits
                // too, the sum taken modulo 2^32 (C's `int` may not overflow in either step
                // but may in the sum's immediate: the new add claims no `noSignedWrap`).
                if case .binary(let op, _, let x, .imm(let k2), let w) = inst, op == .add || op == .sub, w == .w64 || w == .w32,
                   case .binary(let op1, _, let y, .imm(let k1), w)? = definition[x], op1 == .add || op1 == .sub, once(y) {
                    var sum = (op1 == .add ? k1 : 0 &- k1) &+ (op == .add ? k2 : 0 &- k2)
                    if w == .w32 { sum = Int64(Int32(truncatingIfNeeded: sum)) }
                    if sum.fitsImm32 {
                        inst = .binary(.add, dst: d, lhs: y, rhs: .imm(sum), width: w)
                        f.blocks[b].instructions[ii].inst = inst
                        if w == .w32 { f.blocks[b].instructions[ii].noSignedWrap = false }
                    }
                }
                definition[d] = inst
                var rewritten: [VReg] = [], readsResult = false
                inst.forEachUse { if $0 == d { readsResult = true } else if !fixed($0, in: b) { rewritten.append($0) } }
                guard !readsResult else { continue }
                var key = inst.replacingDefs(of: d, with: placeholder)
                // An address computed from a global's address is the same computation from
                // any register holding that address (`&arr[i]` tested, then read again).
                for u in key.usedRegs { if let r = sameValue[u] { key = key.replacingUses(of: u, with: r) } }
                if !rewritten.isEmpty {
                    if let e = chained.lookup(key, in: b) { rep[d] = e } else { chained.insert(key, d, reading: rewritten, in: b) }
                    continue
                }
                // Read through the copies whose low half an operand is, a computation is the
                // same as one earlier in the block (not further: a register kept alive
                // across blocks for it measured as more spills and more verifier work).
                let low = readingLowHalvesThrough(key, definition, once)
                if let e = table[key] {
                    rep[d] = e
                } else if let e = lowInBlock[low] {
                    rep[d] = e
                } else {
                    table[key] = d
                    added[b].append(key)
                    lowInBlock[low] = d
                }
            }
            var term = f.blocks[b].terminator
            for u in term.usedRegs { if let r = rep[u] { term = term.replacingUses(of: u, with: r) } }
            if case .branch(let cc, let l, let r, let w, let t, let e) = term,
               let taken = facts.decide(cc, l, r, w) {
                term = .jump(taken ? t : e)
            }
            f.setTerminator(b, term)
            memory.leave(b)
            pureCalls.leave(b)
        }
        for (b, dead) in redundantStores.enumerated() where !dead.isEmpty {
            for ii in dead.reversed() { f.blocks[b].instructions.remove(at: ii) }
        }
        return f
    }

    /// The calls of pure functions (`PureFunctions`) met on the walk down the dominator
    /// tree, by callee and arguments: the first call's result and the generations of
    /// memory after it — every kind but the frame, which such a call cannot read (it is
    /// given no stack address, and none is stored where it could load one) — counted by
    /// a `MemoryGenerations` of its own, in which pure calls write nothing. The walk's
    /// own generations keep counting them as writes: a value loaded before such a call
    /// and reused after it would live across the call where clang's build loads again,
    /// which measured as more spills and a random program over the verifier's limit.
    /// So that a global loaded again after the first call is the same argument, the
    /// arguments are compared through a numbering of loads and computations by these
    /// generations (`canonical`), used for nothing else.
    struct PureCallTable {
        let pureFunctions: Set<SymbolName>
        /// Whether the function calls a pure function (nothing is tracked otherwise).
        let isTracking: Bool
        private var memory: MemoryGenerations?
        private var calls: [Inst: (value: VReg, generations: [Int])] = [:]
        private var callUndo: [[(Inst, (value: VReg, generations: [Int])?)]]
        /// Each register's first equal by this numbering, and the table behind it.
        private var canon: RegMap<VReg>
        private var table: [NumberedKey: VReg] = [:]
        private var added: [[NumberedKey]]
        private let placeholder = VReg(-1)

        /// A load or computation numbered: the instruction, and for a load the generation
        /// of the memory it reads.
        private struct NumberedKey: Hashable {
            var inst: Inst
            var generation: Int
        }

        init(_ f: Function, pureFunctions: Set<SymbolName>, _ predecessors: [[Int]], _ dom: Dominators) {
            self.pureFunctions = pureFunctions
            isTracking = !pureFunctions.isEmpty && f.blocks.contains { $0.instructions.contains { $0.inst.calls(oneOf: pureFunctions) } }
            memory = isTracking ? MemoryGenerations(f, predecessors, dom, pureFunctions: pureFunctions) : nil
            let blocks = isTracking ? f.blocks.count : 0
            callUndo = Array(filled: [], count: blocks)
            canon = RegMap(capacity: isTracking ? f.nextVReg : 0)
            added = Array(filled: [], count: blocks)
        }

        mutating func enter(_ b: Int) { _ = memory?.enter(b) }
        mutating func leave(_ b: Int) { memory?.leave(b) }

        /// Leaving `b`'s dominator subtree: what was learnt there is forgotten.
        mutating func exit(_ b: Int) {
            guard isTracking else { return }
            for (k, old) in callUndo[b].reversed() { calls[k] = old }
            callUndo[b] = []
            for k in added[b] { table[k] = nil }
            added[b] = []
        }

        /// `key` with each register read as its first equal.
        private func canonical(_ key: Inst, _ sameValue: RegMap<VReg>) -> Inst {
            var key = key
            for u in key.usedRegs {
                if let r = canon[u] ?? sameValue[u] { key = key.replacingUses(of: u, with: r) }
            }
            return key
        }

        /// Numbers what `inst` (in block `b`) defines, when it is a copy, a load through a
        /// register or an arithmetic operation of registers written once.
        mutating func number(_ inst: Inst, in b: Int, once: (VReg) -> Bool, sameValue: RegMap<VReg>) {
            guard let memory = memory, let d = inst.singleDef, once(d) else { return }
            var generation = 0
            switch inst {
            case .mov(_, .reg(let s), .w64) where once(s):
                canon[d] = canon[s] ?? s
                return
            case .load(_, .reg(let base), _, _, _) where once(base) && !memory.frame.contains(base):
                generation = memory.current[memory.kind(of: base)]
            default:
                guard ValueNumbering.isPure(inst) else { return }
            }
            var allOnce = true
            inst.forEachUse { if !once($0) { allOnce = false } }
            guard allOnce else { return }
            let key = NumberedKey(inst: canonical(inst.replacingDefs(of: d, with: placeholder), sameValue), generation: generation)
            if let e = table[key] { canon[d] = e } else { table[key] = d; added[b].append(key) }
        }

        /// For a call of a pure function made before with equal arguments and no write to
        /// memory since: its result register and the earlier call's. Otherwise the call
        /// is remembered, and `inst` counted as a write where it may write.
        mutating func call(_ inst: Inst, in b: Int, once: (VReg) -> Bool, sameValue: RegMap<VReg>, frame: MemoryKinds) -> (VReg, VReg)? {
            guard inst.calls(oneOf: pureFunctions) else {
                memory?.step(inst)
                return nil
            }
            guard let memory = memory, case .call(let dst?, _, let args) = inst, once(dst), !frame.frameAddressStored,
                  args.allSatisfy({ if case .reg(let r) = $0 { return once(r) && !frame.frameRegisters.contains(r) }; return true })
            else { return nil }
            let key = canonical(inst.replacingDefs(of: dst, with: placeholder), sameValue)
            var now = memory.current
            now[MemoryGenerations.frameKind] = 0
            if let e = calls[key], e.generations == now { return (dst, e.value) }
            callUndo[b].append((key, calls[key]))
            calls[key] = (dst, now)
            return nil
        }
    }

    /// Whether the store at `i` of `block` is volatile (lowering follows one with an
    /// empty statement).
    static func isVolatileStore(in block: Block, at i: Int) -> Bool {
        guard i + 1 < block.instructions.count, case .inlineAsm(let t, _, _) = block.instructions[i + 1].inst else { return false }
        return t.role == .volatileAccessEnd
    }

    /// The table of computations that read registers written more than once. An entry
    /// holds in the blocks that continue its block's chain (a block continues its
    /// immediate dominator's: its only predecessor, or a merge no path to which from there
    /// writes what the entries read, so the walk meets the chain in order) until a
    /// register it reads is written again; leaving a block's dominator subtree undoes
    /// what the block added and removed.
    struct ChainedTable {
        private var table: [Inst: (value: VReg, chain: Int)] = [:]
        private var readers: [VReg: [Inst]] = [:]
        private var undo: [[(Inst, (value: VReg, chain: Int)?)]]
        private var chain: [Int]
        private var nextChain = 0

        init(blocks: Int) {
            undo = Array(filled: [], count: blocks)
            chain = Array(filled: 0, count: blocks)
        }

        var isTracking: Bool { !table.isEmpty }

        /// `predecessor`: the block's only predecessor, when it has one.
        mutating func enter(_ b: Int, continuing predecessor: Int?) {
            if let p = predecessor { chain[b] = chain[p] } else { nextChain += 1; chain[b] = nextChain }
        }

        func lookup(_ key: Inst, in b: Int) -> VReg? {
            guard let e = table[key], e.chain == chain[b] else { return nil }
            return e.value
        }

        mutating func insert(_ key: Inst, _ value: VReg, reading regs: [VReg], in b: Int) {
            undo[b].append((key, table[key]))
            table[key] = (value, chain[b])
            for r in regs { readers[r, default: []].append(key) }
        }

        /// Whether a present computation reads `r`.
        func isRead(_ r: VReg) -> Bool {
            readers[r]?.contains { table[$0] != nil } ?? false
        }

        mutating func written(_ r: VReg, in b: Int) {
            guard let keys = readers[r] else { return }
            for k in keys { if let e = table[k] { undo[b].append((k, e)); table[k] = nil } }
        }

        mutating func leave(_ b: Int) {
            for (k, old) in undo[b].reversed() { table[k] = old }
            undo[b] = []
        }
    }

    /// The keys of slot facts by slot and offset: every key ever entered (a superset of the
    /// present ones, which undoing a block may bring back). Offsets inside the slot index an
    /// array; others (code reading outside a slot) a table.
    struct SlotKeyIndex {
        private var inside: [[[Inst]]]
        private var outside: [[Int: [Inst]]]

        init(slots: [StackSlot]) {
            inside = slots.map { Array(filled: [], count: max(0, $0.size)) }
            outside = Array(filled: [:], count: slots.count)
        }

        mutating func insert(_ key: Inst, slot s: Int, offset: Int) {
            if offset >= 0 && offset < inside[s].count { inside[s][offset].append(key) }
            else { outside[s][offset, default: []].append(key) }
        }

        /// Calls `body` with the keys of slot `s` at offsets in `[lo, hi)`.
        func forEach(slot s: Int, from lo: Int, to hi: Int, _ body: (Inst) -> Void) {
            guard lo < hi else { return }
            inside[s].withUnsafeBufferPointer { keys in
                let from = max(lo, 0), to = min(hi, keys.count)
                if from < to { for o in from..<to { keys[o].forEach(body) } }
            }
            for (o, keys) in outside[s] where o >= lo && o < hi { keys.forEach(body) }
        }
    }

    /// Bytes `[lo, hi)` of a stack slot.
    struct SlotBytes { var slot: Int; var lo: Int; var hi: Int }

    /// Which loads may still see what an earlier load read: a generation number per kind
    /// of memory (see `MemoryKinds`) that changes at every instruction that may write it
    /// and at merge points a path with such a write reaches. Stack slots are read by slot
    /// (StackForwarding handles the rest of the frame), so loads through registers that
    /// may point into the frame are not numbered.
    struct MemoryGenerations {
        let kinds: MemoryKinds
        let writes: [[Bool]]              // per kind, per block: an instruction there writes it
        let predecessors: [[Int]]
        let idom: [Int]
        var end: [[Int]]
        var current: [Int]
        var next = 1
        /// Per block, the slot bytes its frame writes reach, when all are known.
        var frameSlotsWritten: [[SlotBytes]?] = []
        /// Per block, the number of the last walk back from a merge that met it (`origin`).
        var metBy: [Int]
        var walks = 0

        /// `pureFunctions`: calls of these write nothing (`PureFunctions`).
        init(_ f: Function, _ predecessors: [[Int]], _ dom: Dominators, pureFunctions: Set<SymbolName> = []) {
            let kinds = MemoryKinds(f)
            self.kinds = kinds
            self.predecessors = predecessors
            idom = dom.idom
            current = Array(filled: 0, count: kinds.count)
            metBy = Array(filled: -1, count: f.blocks.count)
            end = Array(filled: [Int](filled: 0, count: f.blocks.count), count: kinds.count)
            self.writes = (0..<kinds.count).map { k in
                f.blocks.map { b in b.instructions.contains { !$0.inst.calls(oneOf: pureFunctions) && kinds.writes($0.inst, kind: k) } }
            }
        }

        var frame: RegSet { kinds.frameRegisters }
        func kind(of base: VReg) -> Int { kinds.kind(of: base) }
        static let frameKind = MemoryKinds.frame

        /// `keepingFrame`: the instruction's writes to the frame reach only known slots,
        /// whose facts the caller forgets; the frame keeps its generation.
        mutating func step(_ inst: Inst, keepingFrame: Bool = false) {
            for k in 0..<kinds.count where kinds.writes(inst, kind: k) {
                if keepingFrame && k == Self.frameKind { continue }
                current[k] = next; next += 1
            }
        }

        /// The generations a block starts with: its only predecessor's at its end, or at
        /// a merge its immediate dominator's when no block between them writes that kind.
        /// For the frame, writes between that reach only known slots keep the dominator's
        /// generation too: the bytes they reach are returned, for the caller to forget.
        mutating func enter(_ b: Int) -> [SlotBytes] {
            var forget: [SlotBytes] = []
            let from = origin(b)
            for k in 0..<kinds.count {
                if let from = from, let (g, slots) = start(kind: k, from: from) {
                    current[k] = g
                    forget += slots
                } else {
                    current[k] = next
                    next += 1
                }
            }
            return forget
        }

        /// Where a block's generations come from: its only predecessor's end, or its
        /// immediate dominator's end with the blocks on the paths between them (in the
        /// order a walk back from the block meets them); nil for the entry.
        private enum Origin { case predecessor(Int), dominator(Int, between: [Int]) }

        private mutating func origin(_ b: Int) -> Origin? {
            let preds = predecessors[b]
            if b == 0 { return nil }
            if preds.count == 1 { return .predecessor(preds[0]) }
            let d = idom[b]
            guard d >= 0 else { return nil }
            // (Blocks met are marked with the walk's number: no array of all blocks per merge.)
            walks += 1
            metBy[d] = walks
            var stack = preds, between: [Int] = []
            while let p = stack.popLast() {
                guard metBy[p] != walks else { continue }
                metBy[p] = walks
                between.append(p)
                stack += predecessors[p]
            }
            return .dominator(d, between: between)
        }

        private func start(kind k: Int, from: Origin) -> (Int, [SlotBytes])? {
            switch from {
            case .predecessor(let p):
                return (end[k][p], [])
            case .dominator(let d, let between):
                var slots: [SlotBytes] = []
                for p in between where writes[k][p] {
                    guard k == Self.frameKind, p < frameSlotsWritten.count, let t = frameSlotsWritten[p] else { return nil }
                    slots += t
                }
                return (end[k][d], slots)
            }
        }

        mutating func leave(_ b: Int) { for k in 0..<kinds.count { end[k][b] = current[k] } }
    }

    /// Computations with no side effect whose result depends only on their operands.
    static func isPure(_ inst: Inst) -> Bool {
        switch inst {
        case .binary, .neg, .ext, .bswap, .mov(_, .reg, .w32): return true
        default: return false
        }
    }

    /// `key`, a 32-bit operation's, with each operand read through the 32-bit copies and
    /// extensions from 32 bits (written once, of registers written once) whose low half it
    /// is: the operation reads only that half, so `t = (u32)a; x = t & 1` is the same
    /// computation as `x2 = a & 1` (unrolled rounds of a loop indexing `v[a & 1]`, whose
    /// `a` each round copied). Copies and extensions themselves keep their keys: numbering
    /// them as one (a 32-bit copy read where an extension was) measured as longer-lived
    /// 64-bit values, more spills and more verifier work on random programs.
    static func readingLowHalvesThrough(_ key: Inst, _ definition: RegMap<Inst>, _ once: (VReg) -> Bool) -> Inst {
        switch key {
        case .binary(_, _, _, _, .w32), .neg(_, _, .w32): break
        default: return key
        }
        func source(_ u: VReg) -> VReg {
            var u = u, steps = 0
            while steps < 8, let def = definition[u] {
                switch def {
                case .mov(_, .reg(let x), .w32) where once(x): u = x
                case .ext(_, let x, let from, _, _) where from.bits >= 32 && once(x): u = x
                default: return u
                }
                steps += 1
            }
            return u
        }
        var key = key
        for u in key.usedRegs.distinct {
            let x = source(u)
            if x != u { key = key.replacingUses(of: u, with: x) }
        }
        return key
    }

    /// A comparison known to be `holds` below an edge.
    struct Fact {
        var cc: CondCode, lhs: VReg, rhs: Operand, width: Width, holds: Bool

        /// Whether `cc lhs rhs` at `width` is then true or false, if the fact says.
        func decides(_ cc2: CondCode, _ l: VReg, _ r: Operand, _ w: Width) -> Bool? {
            guard w == width else { return nil }
            if l == lhs && r == rhs {
                if cc2 == cc { return holds }
                if cc2 == cc.negated { return !holds }
            }
            if case .reg(let rr) = r, rr == lhs, rhs == .reg(l) {
                if cc2 == cc.swapped { return holds }
                if cc2 == cc.swapped.negated { return !holds }
            }
            return nil
        }
    }

    /// The facts known below the edges from the entry to the block being walked, in that
    /// order, each also listed under its left register: a branch asks only the facts about
    /// its own registers (asking every fact on the path was quadratic in the depth of the
    /// dominator tree: stress/deep_nesting.c's 1,920 `else if`s, optimizer 311 → 258 ms).
    struct FactStack {
        private var facts: [Fact] = []
        private var byLeft: RegMap<[Int]>

        init(capacity: Int) { byLeft = RegMap(capacity: capacity) }

        var count: Int { facts.count }

        mutating func push(_ fact: Fact) {
            let i = facts.count
            facts.append(fact)
            updateList(of: fact.lhs) { $0.append(i) }
        }

        /// Forgets the facts pushed after the first `n`.
        mutating func pop(to n: Int) {
            while facts.count > n {
                updateList(of: facts.removeLast().lhs) { $0.removeLast() }
            }
        }

        /// `change` applied to `r`'s list, taken out of the map first (so that it is not
        /// copied).
        private mutating func updateList(of r: VReg, _ change: (inout [Int]) -> Void) {
            var list = byLeft[r] ?? []
            byLeft[r] = nil
            change(&list)
            byLeft[r] = list.isEmpty ? nil : list
        }

        /// What the earliest fact deciding `cc l r` at width `w` says of it, if one does.
        /// A deciding fact's left register is `l`, or `r` (the mirror image).
        func decide(_ cc: CondCode, _ l: VReg, _ r: Operand, _ w: Width) -> Bool? {
            var first: (index: Int, holds: Bool)? = nil
            for i in byLeft[l] ?? [] {
                if let holds = facts[i].decides(cc, l, r, w) { first = (i, holds); break }
            }
            if case .reg(let rr) = r {
                for i in byLeft[rr] ?? [] {
                    if let f = first, i >= f.index { break }
                    if let holds = facts[i].decides(cc, l, r, w) { first = (i, holds); break }
                }
            }
            return first?.holds
        }
    }

    /// The comparison a block's only predecessor branched on to reach it.
    static func edgeFact(into b: Int, _ f: Function, _ preds: [[Int]], _ once: (VReg) -> Bool) -> Fact? {
        guard preds[b].count == 1, case .branch(let cc, let l, let r, let w, let t, let e) = f.blocks[preds[b][0]].terminator,
              t != e, once(l) else { return nil }
        if case .reg(let x) = r, !once(x) { return nil }
        return Fact(cc: cc, lhs: l, rhs: r, width: w, holds: f.blocks[b].id == t)
    }
}
