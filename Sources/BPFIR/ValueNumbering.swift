/// Dominator-based value numbering over registers written once:
/// - copy propagation: after `d = s` (64-bit), uses of d read s;
/// - common subexpressions: an arithmetic result computed again from the same
///   operands where the first computation dominates is the first one's register
///   (`(int)len` sign-extended three times, `data + 14` recomputed by an inlined
///   bounds check);
/// - branches decided by a dominating branch: below the edge `if (a > b)` took, the
///   same comparison (or its negation, or its mirror image) has a known outcome.
/// Constants and addresses are left to ConstantFolding and RedundancyElimination
/// (keeping them live across blocks would only take registers). The copies and
/// repeated computations left unused go with dead code elimination.
public enum ValueNumbering {
    public static func run(_ f: Function) -> Function {
        var f = f
        let (_, defs) = f.useDefCounts()
        func once(_ v: VReg) -> Bool { defs[v] == 1 }
        let graph = f.flowGraph
        let dom = Dominators(f, predecessors: graph.predecessors)
        var rep: [VReg: VReg] = [:]
        var table: [Inst: VReg] = [:]
        var facts: [Fact] = []
        let placeholder = VReg(-1)

        // Pre-order walk with explicit exits, so each block's table entries and facts
        // are dropped when its dominator subtree is done.
        var work: [(block: Int, exit: Bool)] = f.blocks.isEmpty ? [] : [(0, false)]
        var added: [[Inst]] = Array(repeating: [], count: f.blocks.count)
        var factMark = [Int](repeating: 0, count: f.blocks.count)
        while let (b, exit) = work.popLast() {
            if exit {
                for k in added[b] { table[k] = nil }
                facts.removeLast(facts.count - factMark[b])
                continue
            }
            factMark[b] = facts.count
            work.append((b, true))
            for c in dom.children[b].reversed() { work.append((c, false)) }
            if let fact = edgeFact(into: b, f, graph.predecessors, once) { facts.append(fact) }

            for ii in f.blocks[b].instructions.indices {
                var inst = f.blocks[b].instructions[ii].inst
                var used: [VReg] = []
                inst.forEachUse { if rep[$0] != nil { used.append($0) } }
                for u in used { inst = inst.replacingUses(of: u, with: rep[u]!) }
                f.blocks[b].instructions[ii].inst = inst
                guard let d = inst.singleDef, once(d) else { continue }
                if case .mov(_, .reg(let s), .w64) = inst, once(s), s != d {
                    rep[d] = s
                    continue
                }
                guard isPure(inst) else { continue }
                var operandsOnce = true
                inst.forEachUse { if !once($0) || $0 == d { operandsOnce = false } }
                guard operandsOnce else { continue }
                let key = inst.replacingDefs(of: d, with: placeholder)
                if let e = table[key] {
                    rep[d] = e
                } else {
                    table[key] = d
                    added[b].append(key)
                }
            }
            var term = f.blocks[b].terminator
            for u in term.usedRegs { if let r = rep[u] { term = term.replacingUses(of: u, with: r) } }
            if case .branch(let cc, let l, let r, let w, let t, let e) = term,
               let taken = facts.lazy.compactMap({ $0.decides(cc, l, r, w) }).first {
                term = .jump(taken ? t : e)
            }
            f.blocks[b].terminator = term
        }
        return f
    }

    /// Computations with no side effect whose result depends only on their operands.
    static func isPure(_ inst: Inst) -> Bool {
        switch inst {
        case .binary, .neg, .ext, .bswap, .mov(_, .reg, .w32): return true
        default: return false
        }
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

    /// The comparison a block's only predecessor branched on to reach it.
    static func edgeFact(into b: Int, _ f: Function, _ preds: [[Int]], _ once: (VReg) -> Bool) -> Fact? {
        guard preds[b].count == 1, case .branch(let cc, let l, let r, let w, let t, let e) = f.blocks[preds[b][0]].terminator,
              t != e, once(l) else { return nil }
        if case .reg(let x) = r, !once(x) { return nil }
        return Fact(cc: cc, lhs: l, rhs: r, width: w, holds: f.blocks[b].id == t)
    }
}
