/// Common code hoisting: when both sides of a branch start with the same computation
/// (equal but for the register each defines), it is done once before the branch (clang's
/// hoisting of identical leading instructions into the block that branches). A histogram
/// update that either increments a slot or adds to it atomically computes the slot's
/// address once.
///
/// Only arithmetic, a global's address and a load through one are moved (no other load,
/// no call or store: a global's bytes are always there to read), each side must be
/// entered from the branch alone, and the registers involved must be defined once — or
/// twice, by the same instruction first on each side (`c ? g : g` loads `g` into one
/// register on both). A computation reading a register the branch tests (or a copy of
/// it) stays: below the branch the verifier knows the test's outcome (a pointer checked
/// for NULL, an index checked against a bound), above it not.
public enum CommonCodeHoisting {
    public static func run(_ f: Function) -> Function {
        var f = f
        let (_, defs) = f.useDefCounts()
        let preds = f.flowGraph.predecessors
        let index = f.blockIndexByID
        // "A copy of it" above: tests compare by the register a copy stands for.
        let copies = CopyRoots(f)
        let root = copies.root
        var renamed: [VReg: VReg] = [:]
        /// Registers holding a global's address, defined once (with those renamed to them).
        var globals = RegSet(capacity: f.nextVReg)
        f.forEachInstruction { _, inst in if case .symbolAddr(let d, _) = inst, defs[d] == 1 { globals.insert(d) } }
        func movable(_ inst: Inst) -> Bool {
            switch inst {
            case .symbolAddr: return true
            case .load(_, .reg(let base), _, _, _): return globals.contains(base)
            default: return inst.isArithmetic
            }
        }
        for p in f.blocks.indices {
            guard case .branch(_, let l, let r, _, let t, let e) = f.blocks[p].terminator, t != e,
                  let ti = index[t], let ei = index[e], ti != p, ei != p,
                  preds[ti] == [p], preds[ei] == [p] else { continue }
            var tested: Set<VReg> = [root(l)]
            if case .reg(let x) = r { tested.insert(root(x)) }
            while let a = f.blocks[ti].instructions.first?.inst, let b = f.blocks[ei].instructions.first?.inst,
                  let da = a.singleDef, let db = b.singleDef,
                  da != db ? defs[da] == 1 && defs[db] == 1 && a.replacingDefs(of: da, with: db) == b : defs[da] == 2 && a == b,
                  movable(a), !a.usedRegs.contains(where: { $0 == da || tested.contains(root($0)) }) {
                f.blocks[p].instructions.append(f.blocks[ti].instructions.removeFirst())
                f.blocks[ei].instructions.removeFirst()
                guard da != db else { continue }
                renamed[db] = da
                // The other side reads the hoisted register from here on (its next
                // instruction may be the next pair's).
                for k in f.blocks[ei].instructions.indices {
                    f.blocks[ei].instructions[k].inst = f.blocks[ei].instructions[k].inst.replacingUses(of: db, with: da)
                }
            }
        }
        guard !renamed.isEmpty else { return f }
        for b in f.blocks.indices {
            for k in f.blocks[b].instructions.indices {
                f.blocks[b].instructions[k].inst = f.blocks[b].instructions[k].inst.renaming { renamed[$0] ?? $0 }
            }
            for u in f.blocks[b].terminator.usedRegs.distinct {
                if let to = renamed[u] { f.blocks[b].terminator = f.blocks[b].terminator.replacingUses(of: u, with: to) }
            }
        }
        return f
    }
}
