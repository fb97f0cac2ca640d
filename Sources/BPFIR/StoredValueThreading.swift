/// Jump threading through memory: a block that loads a value and branches on it, where
/// some paths into it stored a known constant there, is copied for those paths with its
/// branch decided. A parser that records the IP version in the packet info on each
/// branch (`p_info->ipv = AF_INET` / `AF_INET6`), parses, merges, then tests the field
/// again goes straight from each branch to the matching code — which the verifier needs:
/// it does not know what memory holds, so it would walk the IPv6 code with the pointer
/// checked only for an IPv4 header.
///
/// The copied part is the tested block and the blocks leading to it that have a single
/// predecessor, back to the merge (`chain`); the stores are followed through every path
/// by a forward data flow of known memory constants, kept until something may write
/// their memory (`MemoryKinds`), or the same base register writes bytes they overlap.
public enum StoredValueThreading {
    /// Chains with more instructions than this are not copied.
    static let maxCopied = 12
    static let maxChain = 4

    struct Location: Hashable { var base: VReg; var offset: Int; var width: Width }

    struct Candidate {
        var chain: [Int]          // block positions, merge first, tested block last
        var load: Int             // position of the load in the tested block
        var location: Location
        var signed: Bool
    }

    public static func run(_ f: Function) -> Function {
        var f = f
        for _ in 0..<4 {
            guard let g = threadOnce(f) else { break }
            f = CFGSimplify.run(g)
        }
        return f
    }

    static func threadOnce(_ f: Function) -> Function? {
        // Only constants stored through registers are followed: without one, nothing is known.
        guard f.containsInstruction(where: { if case .store(.reg, _, .imm, _) = $0 { return true }; return false }) else { return nil }
        let (_, defs) = f.useDefCounts()
        let kinds = MemoryKinds(f)
        let (succs, preds) = f.flowGraph
        let distinctPreds = preds.map { $0.distinct.sorted() }
        let loopHeaders = f.depthFirst.loopHeaders
        var candidates: [Candidate] = []
        for (b, block) in f.blocks.enumerated() {
            guard case .branch(_, let c, .imm, _, let t, let e) = block.terminator, t != e,
                  let li = block.instructions.lastDefinition(of: c),
                  case .load(_, .reg(let base), let off, let w, let signed) = block.instructions[li].inst,
                  base != c, defs[base] == 1, !kinds.frameRegisters.contains(base) else { continue }
            var chain = [b]
            while chain.count < maxChain, distinctPreds[chain[0]].count == 1 {
                let p = distinctPreds[chain[0]][0]
                guard p != 0, !chain.contains(p), succs[p].count <= 2 else { break }
                chain.insert(p, at: 0)
            }
            let head = chain[0]
            guard head != 0, distinctPreds[head].count > 1, !loopHeaders.contains(head),
                  chain.reduce(0, { $0 + f.blocks[$1].instructions.count }) <= maxCopied else { continue }
            candidates.append(Candidate(chain: chain, load: li, location: Location(base: base, offset: off, width: w), signed: signed))
        }
        guard !candidates.isEmpty else { return nil }
        let tracked = Set(candidates.map(\.location))
        let known = knownAtEnd(f, tracking: tracked, kinds: kinds, preds: preds)

        var f = f
        var changed = false
        var copied = Set<Int>()
        var nextID = f.unusedBlockID.id
        for c in candidates where copied.isDisjoint(with: c.chain) {
            let tested = f.blocks[c.chain.last!]
            guard case .branch(let cc, _, .imm(let rhs), let w, let t, let e) = tested.terminator else { continue }
            // Which way each predecessor of the merge goes.
            var outcome: [Bool: [Int]] = [:]
            for p in distinctPreds[c.chain[0]] {
                guard var state = known[p] else { continue }
                for (k, bi) in c.chain.enumerated() {
                    let insts = f.blocks[bi].instructions
                    for i in insts[..<(k == c.chain.count - 1 ? c.load : insts.count)] { step(i.inst, &state, kinds, tracking: tracked) }
                }
                guard let v = state[c.location] else { continue }
                let loaded = c.location.width.extend(v, signed: c.signed)
                outcome[cc.evaluate(loaded, UInt64(bitPattern: rhs), width: w), default: []].append(p)
            }
            guard !outcome.isEmpty else { continue }
            for (taken, group) in outcome.sorted(by: { !$0.key && $1.key }) {
                let ids = c.chain.map { _ -> BlockID in defer { nextID += 1 }; return BlockID(nextID) }
                for (k, bi) in c.chain.enumerated() {
                    var copy = f.blocks[bi]
                    copy.id = ids[k]
                    if k == c.chain.count - 1 {
                        copy.terminator = .jump(taken ? t : e)
                    } else {
                        let next = f.blocks[c.chain[k + 1]].id
                        copy.terminator = copy.terminator.mappingTargets { $0 == next ? ids[k + 1] : $0 }
                    }
                    f.blocks.append(copy)
                }
                let head = f.blocks[c.chain[0]].id
                for p in group {
                    f.blocks[p].terminator = f.blocks[p].terminator.mappingTargets { $0 == head ? ids[0] : $0 }
                }
            }
            copied.formUnion(c.chain)
            changed = true
        }
        return changed ? f : nil
    }

    /// A load that every path reaches with a known constant in its memory reads that
    /// constant, as clang forwards stores to loads: `memset(&g, 0x80, 2)` before a loop
    /// whose every round tests `g.f & 127` leaves the test always false, and the verifier
    /// does not split each round on a global it cannot know.
    public static func forwardConstants(_ f: Function) -> Function {
        guard f.containsInstruction(where: { if case .store(.reg, _, .imm, _) = $0 { return true }; return false }) else { return f }
        let (_, defs) = f.useDefCounts()
        // Registers holding one symbol's address (at any offset) are one base: each is
        // read as the first of them plus the difference of their offsets.
        var first: [Int32: (reg: VReg, offset: Int64)] = [:]
        var symbolBase: [VReg: (reg: VReg, delta: Int)] = [:]
        f.forEachInstruction { _, inst in
            guard case .symbolAddr(let d, let sym) = inst, defs[d] == 1 else { return }
            let f0 = first[sym.nameNumber] ?? (d, sym.offset)
            first[sym.nameNumber] = f0
            symbolBase[d] = (f0.reg, Int(sym.offset - f0.offset))
        }
        var h = f
        if !symbolBase.isEmpty {
            for b in h.blocks.indices {
                for k in h.blocks[b].instructions.indices {
                    switch h.blocks[b].instructions[k].inst {
                    case .load(let d, .reg(let r), let off, let w, let signed):
                        if let s = symbolBase[r] { h.blocks[b].instructions[k].inst = .load(dst: d, base: .reg(s.reg), offset: off + s.delta, width: w, signed: signed) }
                    case .store(.reg(let r), let off, let v, let w):
                        if let s = symbolBase[r] { h.blocks[b].instructions[k].inst = .store(base: .reg(s.reg), offset: off + s.delta, value: v, width: w) }
                    default: break
                    }
                }
            }
        }
        let kinds = MemoryKinds(h)
        var stored = Set<Location>()
        h.forEachInstruction { _, inst in
            if case .store(.reg(let r), let off, .imm, let w) = inst, defs[r] == 1, !kinds.frameRegisters.contains(r) {
                stored.insert(Location(base: r, offset: off, width: w))
            }
        }
        var tracked = Set<Location>()
        h.forEachInstruction { _, inst in
            if case .load(let d, .reg(let base), let off, let w, _) = inst, base != d,
               stored.contains(Location(base: base, offset: off, width: w)) {
                tracked.insert(Location(base: base, offset: off, width: w))
            }
        }
        guard !tracked.isEmpty else { return f }
        let preds = h.flowGraph.predecessors
        let known = knownAtEnd(h, tracking: tracked, kinds: kinds, preds: preds)
        var g = f
        var changed = false
        for b in h.blocks.indices {
            // The state into the block: what all its predecessors agree on.
            var state: [Location: UInt64]? = b == 0 ? [:] : nil
            for p in preds[b] {
                guard let o = known[p] else { state = nil; break }
                state = state.map { $0.agreeing(with: o) } ?? o
            }
            guard var s = state, !s.isEmpty else { continue }
            for (k, i) in h.blocks[b].instructions.enumerated() {
                if case .load(let d, .reg(let base), let off, let w, let signed) = i.inst, base != d,
                   let v = s[Location(base: base, offset: off, width: w)] {
                    g.blocks[b].instructions[k].inst = .mov(dst: d, src: .imm(Int64(bitPattern: w.extend(v, signed: signed))), width: .w64)
                    changed = true
                }
                step(i.inst, &s, kinds, tracking: tracked)
            }
        }
        return changed ? g : f
    }

    /// The tracked locations' known contents at the end of each reached block: a forward
    /// data flow in reverse post-order, the state into a block being what all its
    /// predecessors agree on.
    static func knownAtEnd(_ f: Function, tracking: Set<Location>, kinds: MemoryKinds, preds: [[Int]]) -> [[Location: UInt64]?] {
        let order = f.reversePostOrder()
        var out: [[Location: UInt64]?] = Array(filled: nil, count: f.blocks.count)
        var changed = true
        while changed {
            changed = false
            for b in order {
                var state: [Location: UInt64]? = b == 0 ? [:] : nil
                for p in preds[b] {
                    guard let o = out[p] else { continue }
                    state = state.map { $0.agreeing(with: o) } ?? o
                }
                guard var s = state else { continue }
                for i in f.blocks[b].instructions { step(i.inst, &s, kinds, tracking: tracking) }
                if out[b] != s { out[b] = s; changed = true }
            }
        }
        return out
    }

    /// Carries known memory contents past one instruction: a store of a constant to a
    /// tracked location sets it, other stores through the same base register forget what
    /// they overlap, and anything that may write a location's kind of memory through
    /// another register forgets it.
    static func step(_ inst: Inst, _ state: inout [Location: UInt64], _ kinds: MemoryKinds, tracking: Set<Location>) {
        var written: Location? = nil
        if case .store(.reg(let r), let off, let value, let w) = inst {
            for l in state.keys where l.base == r && off < l.offset + l.width.bytes && l.offset < off + w.bytes {
                state[l] = nil
            }
            written = Location(base: r, offset: off, width: w)
            if case .imm(let v) = value, tracking.contains(written!) { state[written!] = UInt64(bitPattern: v) }
        }
        for l in state.keys where l.base != written?.base && kinds.writes(inst, kind: kinds.kind(of: l.base)) {
            state[l] = nil
        }
    }
}
