/// A global's address computed again where an earlier computation of it dominates, with
/// no call on any path between them, reads the earlier register (`r2 = lim ll` once for
/// `lim.lo` and `lim.hi`, as clang keeps it): the later computation goes and its reads
/// read the earlier register (a copy would be a second register holding the same
/// address while both live, which the allocator cannot share). Each ld_imm64 is two instruction slots.
/// Across a call the address would need one of r6-r9 and a copy: there it is computed
/// again, as clang does.
public enum AddressReuse {
    public static func run(_ f: Function) -> Function {
        let (_, defs) = f.useDefCounts()
        var count: [SymbolRef: Int] = [:]
        for b in f.blocks {
            for i in b.instructions { if case .symbolAddr(let d, let s) = i.inst, defs[d] == 1 { count[s, default: 0] += 1 } }
        }
        guard count.values.contains(where: { $0 > 1 }) else { return f }
        var g = f
        let graph = f.flowGraph
        let dom = Dominators(f, predecessors: graph.predecessors)
        let calls = f.blocks.map { b in b.instructions.map { isCall($0.inst) } }
        let blockCalls = calls.map { $0.contains(true) }
        /// No call after the definition at (b, k), before the use at (c, j), or in a block
        /// on a path between them.
        func callFree(from b: Int, _ k: Int, to c: Int, _ j: Int) -> Bool {
            if b == c && k < j { return !calls[b][(k + 1)..<j].contains(true) }
            if calls[b][(k + 1)...].contains(true) || calls[c][..<j].contains(true) { return false }
            var reach = Set<Int>(), work = graph.successors[b]
            while let x = work.popLast() {
                guard reach.insert(x).inserted else { continue }
                if x != c { work += graph.successors[x] }
            }
            var back = Set<Int>(), bwork = graph.predecessors[c]
            while let x = bwork.popLast() {
                guard reach.contains(x), back.insert(x).inserted else { continue }
                bwork += graph.predecessors[x]
            }
            return !back.contains { $0 != c && blockCalls[$0] }
        }
        var available: [SymbolRef: (reg: VReg, block: Int, index: Int)] = [:]
        var reused = RegMap<VReg>(capacity: f.nextVReg)
        var anyReused = false
        var undo: [[(SymbolRef, (reg: VReg, block: Int, index: Int)?)]] = Array(filled: [], count: f.blocks.count)
        var work: [(Int, Bool)] = [(0, false)]
        while let (b, exit) = work.popLast() {
            if exit { for (s, old) in undo[b].reversed() { available[s] = old }; continue }
            work.append((b, true))
            for c in dom.children[b].reversed() { work.append((c, false)) }
            for k in g.blocks[b].instructions.indices {
                guard case .symbolAddr(let d, let s) = g.blocks[b].instructions[k].inst, defs[d] == 1,
                      count[s, default: 0] > 1 else { continue }
                if let a = available[s], callFree(from: a.block, a.index, to: b, k) {
                    reused[d] = a.reg
                    anyReused = true
                } else {
                    undo[b].append((s, available[s]))
                    available[s] = (d, b, k)
                }
            }
        }
        guard anyReused else { return f }
        // Written once by the address computation that goes, read only where the earlier
        // register (dominating) holds the same address.
        for b in g.blocks.indices {
            g.blocks[b].instructions.removeAll { i in i.inst.singleDef.map { reused[$0] != nil } ?? false }
            for k in g.blocks[b].instructions.indices {
                g.blocks[b].instructions[k].inst = g.blocks[b].instructions[k].inst.renaming { reused[$0] ?? $0 }
            }
            for r in g.blocks[b].terminator.usedRegs { if let t = reused[r] { g.blocks[b].terminator = g.blocks[b].terminator.replacingUses(of: r, with: t) } }
        }
        return g
    }

    /// Calls, and inline assembly with code (it may call a helper).
    static func isCall(_ i: Inst) -> Bool {
        switch i {
        case .call: return true
        case .inlineAsm(let t, _, _): return !t.text.isEmpty      // empty ones are barriers
        default: return false
        }
    }
}
