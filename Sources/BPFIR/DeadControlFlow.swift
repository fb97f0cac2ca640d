/// Aggressive dead code elimination (control dependence): code is live only if it has an
/// effect (a store other than to a stack slot whose address is never taken, a call other
/// than of a pure function, an atomic operation other than on such a slot, inline assembly, a return), computes a
/// value or stores to a slot that live code reads (of a register written in several
/// places, the definitions that reach the read: `ReachingDefinitions`), or decides
/// whether live code runs. Everything else goes, branches
/// included: a branch that decides nothing live becomes a jump to the block after it
/// that every path reaches (its immediate post-dominator). So a loop whose results
/// nothing reads goes whole, as clang's loop deletion removes it — the verifier would
/// otherwise walk it, iteration by iteration. (`DeadCodeElimination` removes dead values
/// and the dead arms of single branches; a loop's test reads the values the loop
/// computes, which keeps them alive there.)
///
/// A `static` variable that only this function uses (`privateStatics`: no other function
/// of the module names it, and it escapes nowhere) is such a variable too, its accesses
/// those through registers holding its address: stores to it that no live load reads go
/// (`g = g * x` where nothing else reads `g`, and everything computed only for it), as
/// clang drops the stores to an internal global nothing reads.
///
/// A function with a block from which no return is reachable (an endless loop) is left
/// as it is: such a loop has no post-dominator to jump to.
public enum DeadControlFlow {
    /// `pureFunctions`: calls to these are live only when their result is (`PureFunctions`).
    public static func run(_ f: Function, pureFunctions: Set<SymbolName> = [], privateStatics: Set<String> = []) -> Function {
        let n = f.blocks.count
        guard n > 0 else { return f }
        // (Only where there is something for it to find beyond what DeadCodeElimination
        // and DeadStoreElimination remove: a loop, a pure call, or a local array indexed
        // by registers — whose loads feed only its own stores, `a[i] ^= a[j]` —, or a
        // private static.)
        var indexed: (slots: Set<Int>, registers: [VReg: Int])? = nil
        if !hasLoopOrPureCall(f, pureFunctions) {
            guard f.blocks.contains(where: { $0.instructions.contains {
                switch $0.inst {
                case .slotAddr: return true
                case .symbolAddr(_, let s): return privateStatics.contains(s.name)
                default: return false
                }
            } }) else { return f }
            let found = privateSlotAddresses(f, statics: privateStatics)
            guard !found.slots.isEmpty else { return f }
            indexed = found
        }
        let (succ, _) = f.flowGraph
        guard let ipdom = postDominators(f, succ) else { return f }

        // Control dependence: block b depends on branch block a when a successor of a
        // is post-dominated by b and a itself is not (strictly).
        var dependsOn = [[Int]](filled: [], count: n)
        for a in 0..<n where succ[a].count > 1 && ipdom[a] >= 0 {
            for s in Set(succ[a]) {
                var b = s
                while b >= 0 && b != ipdom[a] && b != n {
                    dependsOn[b].append(a)
                    b = ipdom[b]
                }
            }
        }

        // Definitions of each register. Of a register defined in several places, a live
        // use makes live the definitions that reach it (a variable reused after a loop
        // that no longer needs it: its definitions in the loop reach only the loop), the
        // sites `reachedBy` lists for each instruction (the terminator at the end).
        var defs: [VReg: [(block: Int, index: Int)]] = [:]
        let reaching = ReachingDefinitions(f, defs: f.useDefCounts().defs)
        var reachedBy = f.blocks.map { [[Int]](filled: [], count: $0.instructions.count + 1) }
        var sitePosition = [(block: Int, index: Int)?](filled: nil, count: reaching?.count ?? 0)
        if let reaching = reaching {
            reaching.forEachUse(in: f) { _, sites, b, i in reachedBy[b][i < 0 ? f.blocks[b].instructions.count : i] += sites }
            for (b, block) in reaching.sitesAt.enumerated() {
                for (i, sites) in block.enumerated() { for s in sites { sitePosition[s] = (b, i) } }
            }
        }
        /// Whether `r` is defined in several places (its live uses name the definitions).
        func definedInSeveralPlaces(_ r: VReg) -> Bool { reaching?.sitesOf[r.id] != nil }
        // A stack slot whose address is never taken is a variable too: its stores are
        // live only when a live instruction reads it.
        // So is one whose address only indexes its own loads and stores (`a[i] += 5` on a
        // local array nothing reads afterwards): `into` holds the registers with an
        // address into such a slot.
        // (A volatile local is written as the source says: its stores are effects.)
        var addressTaken = Set(f.slots.indices.filter { f.slots[$0].isVolatile })
        var slotStores: [Int: [(block: Int, index: Int)]] = [:]
        let into = indexed ?? privateSlotAddresses(f, statics: privateStatics)
        for (bi, b) in f.blocks.enumerated() {
            for (ii, i) in b.instructions.enumerated() {
                i.inst.forEachDef { defs[$0, default: []].append((bi, ii)) }
                switch i.inst {
                case .slotAddr(_, let k, _) where !into.slots.contains(k): addressTaken.insert(k)
                case .store(.slot(let k), _, _, _), .atomic(_, .slot(let k), _, _, _, _), .cmpxchg(_, .slot(let k), _, _, _, _):
                    slotStores[k, default: []].append((bi, ii))
                case .store(.reg(let a), _, _, _):
                    if let k = into.registers[a] { slotStores[k, default: []].append((bi, ii)) }
                default: break
                }
            }
        }
        var liveInst = f.blocks.map { [Bool](filled: false, count: $0.instructions.count) }
        var liveBranch = [Bool](filled: false, count: n)
        var liveBlock = [Bool](filled: false, count: n)
        var liveRegs: Set<VReg> = []
        var regWork: [VReg] = []
        var blockWork: [Int] = []

        var siteWork: [Int] = []
        func use(_ r: VReg) {
            if !definedInSeveralPlaces(r) && liveRegs.insert(r).inserted { regWork.append(r) }
        }
        /// The uses at instruction `i` of block `b` (`i` past the last: the terminator) are live.
        func reached(_ b: Int, _ i: Int) { siteWork += reachedBy[b][i] }
        func enliven(_ b: Int) { if !liveBlock[b] { liveBlock[b] = true; blockWork.append(b) } }
        var liveSlots = Set<Int>()
        var slotWork: [Int] = []
        func markInstruction(_ b: Int, _ i: Int) {
            guard !liveInst[b][i] else { return }
            liveInst[b][i] = true
            let inst = f.blocks[b].instructions[i].inst
            inst.forEachUse(use)
            reached(b, i)
            switch inst {
            case .load(_, .slot(let k), _, _, _), .atomic(_, .slot(let k), _, _, _, _), .cmpxchg(_, .slot(let k), _, _, _, _):
                if liveSlots.insert(k).inserted { slotWork.append(k) }
            case .load(_, .reg(let a), _, _, _):
                if let k = into.registers[a], liveSlots.insert(k).inserted { slotWork.append(k) }
            default: break
            }
            enliven(b)
        }
        /// A store or atomic operation on a slot whose address is never taken (live when
        /// the slot is read, or the atomic's result is), or a call of a pure function
        /// (live when its result is).
        func isEffectFree(_ inst: Inst) -> Bool {
            switch inst {
            case .store(.slot(let k), _, _, _), .atomic(_, .slot(let k), _, _, _, _), .cmpxchg(_, .slot(let k), _, _, _, _):
                return !addressTaken.contains(k)
            case .store(.reg(let a), _, _, _): return into.registers[a].map { !addressTaken.contains($0) } ?? false
            case .call(_, .function(let n), _): return pureFunctions.contains(n)
            default: return false
            }
        }
        func markBranch(_ b: Int) {
            guard !liveBranch[b] else { return }
            liveBranch[b] = true
            f.blocks[b].terminator.forEachUse(use)
            reached(b, f.blocks[b].instructions.count)
            enliven(b)
        }

        for (bi, b) in f.blocks.enumerated() {
            for (ii, i) in b.instructions.enumerated() where i.inst.hasSideEffects && !isEffectFree(i.inst) { markInstruction(bi, ii) }
            switch b.terminator {
            case .ret, .unreachable: markBranch(bi)
            default: break
            }
        }
        while !regWork.isEmpty || !siteWork.isEmpty || !blockWork.isEmpty || !slotWork.isEmpty {
            if let r = regWork.popLast() {
                for d in defs[r] ?? [] { markInstruction(d.block, d.index) }
            } else if let s = siteWork.popLast() {
                if let d = sitePosition[s] { markInstruction(d.block, d.index) }
            } else if let k = slotWork.popLast() {
                for st in slotStores[k] ?? [] { markInstruction(st.block, st.index) }
            } else if let b = blockWork.popLast() {
                for a in dependsOn[b] { markBranch(a) }
            }
        }

        var g = f
        var changed = false
        for bi in 0..<n {
            if liveInst[bi].contains(false) {
                g.blocks[bi].instructions = f.blocks[bi].instructions.indices.filter { liveInst[bi][$0] }.map { f.blocks[bi].instructions[$0] }
                changed = true
            }
            if case .branch = f.blocks[bi].terminator, !liveBranch[bi], ipdom[bi] < n {
                g.blocks[bi].terminator = .jump(f.blocks[ipdom[bi]].id)
                changed = true
            }
        }
        return changed ? g : f
    }

    /// Stack slots whose address is used only to load from and store to the slot itself,
    /// and the registers holding addresses into them: the slot's address, copies of one,
    /// one plus or minus a value. A slot escapes when such a register is used any other
    /// way (stored, passed, compared, returned, a CO-RE or atomic access) or also holds
    /// anything else. The `statics` named count as slots past the function's own
    /// (`f.slots.count` on, in sorted order), their addresses `symbolAddr`.
    static func privateSlotAddresses(_ f: Function, statics: Set<String> = []) -> (slots: Set<Int>, registers: [VReg: Int]) {
        // (By interned name, and the registers in a dense map: the pass asks this of every
        // function with a loop.)
        var staticSlot: [Int32: Int] = [:]
        for (n, name) in statics.sorted().enumerated() { staticSlot[SymbolRef(name: name).nameNumber] = f.slots.count + n }
        /// The slot whose address `inst` derives, given what is known; nil when none.
        func derivation(_ inst: Inst, _ into: RegMap<Int>) -> Int? {
            switch inst {
            case .slotAddr(_, let k, _): return k
            case .symbolAddr(_, let s): return staticSlot.isEmpty ? nil : staticSlot[s.nameNumber]
            case .mov(_, .reg(let s), .w64): return into[s]
            case .binary(.add, _, let l, .reg(let r), .w64):
                if let k = into[l], into[r] == nil { return k }
                if let k = into[r], into[l] == nil { return k }
                return nil
            case .binary(.add, _, let l, .imm, .w64), .binary(.sub, _, let l, _, .w64):
                if case .binary(_, _, _, .reg(let r), _) = inst, into[r] != nil { return nil }
                return into[l]
            default: return nil
            }
        }
        var into = RegMap<Int>(capacity: f.nextVReg), deriving: [VReg] = []
        var escaped = Set<Int>()
        var changed = true
        while changed {
            changed = false
            f.forEachInstruction { _, inst in
                guard let d = inst.singleDef, let k = derivation(inst, into) else { return }
                if let old = into[d] {
                    if old != k { escaped.formUnion([old, k]) }
                } else {
                    into[d] = k
                    deriving.append(d)
                    changed = true
                }
            }
        }
        guard !deriving.isEmpty else { return ([], [:]) }
        f.forEachInstruction { _, inst in
            // Every definition of such a register derives an address into its slot.
            inst.forEachDef { d in
                if let k = into[d], derivation(inst, into) != k { escaped.insert(k) }
            }
            // Its uses: as the base of a load or store, or in a derivation.
            var allowed: VReg? = nil
            switch inst {
            case .load(_, .reg(let a), _, _, _): allowed = a
            case .store(.reg(let a), _, let v, _):
                if case .reg(let x) = v, x == a { break }
                allowed = a
            default:
                if let d = inst.singleDef, into[d] != nil, derivation(inst, into) == into[d] {
                    inst.forEachUse { u in if into[u] != nil { allowed = u } }
                }
            }
            inst.forEachUse { u in
                if let k = into[u], u != allowed { escaped.insert(k) }
            }
        }
        for b in f.blocks { b.terminator.forEachUse { if let k = into[$0] { escaped.insert(k) } } }
        let slots = Set(deriving.compactMap { into[$0] }).subtracting(escaped)
        var registers: [VReg: Int] = [:]
        for r in deriving { if let k = into[r], slots.contains(k) { registers[r] = k } }
        return (slots, registers)
    }

    /// What `DeadCodeElimination` leaves to this pass: a loop (a jump back in block
    /// order, which every loop has) or a call of a pure function. Without either the
    /// pass finds nothing more, and its analyses are not made.
    static func hasLoopOrPureCall(_ f: Function, _ pure: Set<SymbolName>) -> Bool {
        let index = f.blockIndexByID
        for (bi, b) in f.blocks.enumerated() {
            var k = 0
            while let t = b.terminator.successor(at: k) {
                if let j = index[t], j <= bi { return true }
                k += 1
            }
            if !pure.isEmpty && b.instructions.contains(where: { $0.inst.calls(oneOf: pure) }) { return true }
        }
        return false
    }

    /// The immediate post-dominator of each block position, `n` (the number of blocks)
    /// standing for the exit every return reaches; nil when a reachable block reaches no
    /// return (the iterative dominator algorithm on the reversed graph, from the exit).
    static func postDominators(_ f: Function, _ succ: [[Int]]) -> [Int]? {
        let n = f.blocks.count
        let exit = n
        // Reversed graph: the exit leads to every returning block, each block to its
        // predecessors. Its post-order, from the exit.
        var reversedSucc = [[Int]](filled: [], count: n + 1)
        for b in 0..<n {
            for s in succ[b] { reversedSucc[s].append(b) }
            switch f.blocks[b].terminator {
            case .ret, .unreachable: reversedSucc[exit].append(b)
            default: break
            }
        }
        var post: [Int] = []
        var visited = [Bool](filled: false, count: n + 1)
        var stack: [(node: Int, next: Int)] = [(exit, 0)]
        visited[exit] = true
        while !stack.isEmpty {
            let (v, k) = stack[stack.count - 1]
            if k < reversedSucc[v].count {
                stack[stack.count - 1].next += 1
                let w = reversedSucc[v][k]
                if !visited[w] { visited[w] = true; stack.append((w, 0)) }
            } else {
                post.append(v)
                stack.removeLast()
            }
        }
        // Every block reachable from the entry must reach the exit.
        for b in f.depthFirst.postOrder where !visited[b] { return nil }
        // The reversed graph's predecessors of a block: its successors, and the exit for
        // a returning block.
        let ipdom = Dominators.immediateDominators(count: n + 1, root: exit, postOrder: post) { b in
            guard b < n else { return [] }
            switch f.blocks[b].terminator {
            case .ret, .unreachable: return succ[b] + [exit]
            default: return succ[b]
            }
        }
        return Array(ipdom.prefix(n))
    }
}
