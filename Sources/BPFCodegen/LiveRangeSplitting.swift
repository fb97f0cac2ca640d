import BPFIR

/// Splitting the live range of a value that must survive calls (so wants r6–r9) where the
/// callee-saved registers are held, near its start, only by values that die soon after
/// and before any call. Spilled, it would be stored once and loaded again at every use —
/// in a loop at every iteration (libbpf-tools' execsnoop kept its event pointer on the
/// stack, reloaded three times an iteration, while r8 and r9 were free once the pid and
/// uid it stored had died). Split, its uses after the point where a callee-saved register
/// frees read a copy made there, which that register can hold: one `mov` instead.
enum LiveRangeSplitting {
    /// `f` with a fresh copy of `v` made right after the instruction at `position` (the
    /// allocator's numbering: four per instruction and terminator, in block order) and
    /// every later use of `v` reading the copy; nil when that is not sound or gains
    /// nothing. Sound when `v` is defined once, in that instruction's block or up a chain
    /// of single-predecessor blocks, with no call after the definition up to the copy
    /// (the first part lives in r0–r5), and every use after the copy is in that block or
    /// in blocks it dominates, none of which leads back to it or above it.
    static func split(_ f: Function, _ v: VReg, after position: Int) -> (Function, copy: VReg)? {
        guard !f.parameters.contains(v), f.useDefCounts().defs[v] == 1 else { return nil }
        var site: (block: Int, index: Int)? = nil
        var pos = 0
        for (bi, b) in f.blocks.enumerated() {
            for ii in b.instructions.indices {
                if pos == position { site = (bi, ii) }
                pos += 4
            }
            pos += 4
        }
        guard let (b, i) = site else { return nil }
        let (succs, preds) = f.flowGraph
        // The definition, walking back from the split point; no call may come between.
        var chain: [Int] = [b]
        var blk = b, upTo = i
        search: while true {
            for k in stride(from: upTo, through: 0, by: -1) {
                let inst = f.blocks[blk].instructions[k].inst
                if inst.defines(v) { break search }
                if case .call = inst { return nil }
            }
            guard preds[blk].count == 1, chain.count < 8 else { return nil }
            blk = preds[blk][0]
            guard !chain.contains(blk) else { return nil }
            chain.append(blk)
            upTo = f.blocks[blk].instructions.count - 1
        }
        // The blocks `b` dominates besides itself.
        let dom = Dominators(f, predecessors: preds)
        var below = Set<Int>(), stack = dom.children[b]
        while let x = stack.popLast() { if below.insert(x).inserted { stack += dom.children[x] } }
        for x in below.union([b]) where succs[x].contains(where: { chain.contains($0) }) { return nil }
        // Uses: after the copy (to rewrite), or before it on the chain.
        var later = 0
        for (xi, x) in f.blocks.enumerated() {
            let reads = x.instructions.indices.filter { x.instructions[$0].inst.usedRegs.contains(v) }
            let readsAtEnd = x.terminator.usedRegs.contains(v)
            if below.contains(xi) { later += reads.count + (readsAtEnd ? 1 : 0); continue }
            if xi == b {
                later += reads.filter { $0 > i }.count + (readsAtEnd ? 1 : 0)
                continue
            }
            if (!reads.isEmpty || readsAtEnd) && !chain.contains(xi) { return nil }
        }
        guard later > 0 else { return nil }
        var g = f
        let copy = g.newVReg()
        func rewrite(_ x: Int, from start: Int) {
            for k in start..<g.blocks[x].instructions.count where g.blocks[x].instructions[k].inst.usedRegs.contains(v) {
                g.blocks[x].instructions[k].inst = g.blocks[x].instructions[k].inst.replacingUses(of: v, with: copy)
            }
            if g.blocks[x].terminator.usedRegs.contains(v) {
                g.blocks[x].terminator = g.blocks[x].terminator.replacingUses(of: v, with: copy)
            }
        }
        for x in below { rewrite(x, from: 0) }
        rewrite(b, from: i + 1)
        g.blocks[b].instructions.insert(Instruction(.mov(dst: copy, src: .reg(v), width: .w64),
                                                    location: f.blocks[b].instructions[i].location), at: i + 1)
        return (g, copy)
    }
}
