/// Gives each independent live range of a register a register of its own. Lowering
/// assigns one virtual register per C local, so a local reused for unrelated values
/// (a key set before each of several lookups, a loop counter of two loops, a value
/// returned from several places) is one long interval for the allocator, which then
/// spills or copies. Here the definitions of a register are grouped into webs (the
/// definitions that reach a common use belong together, by reaching definitions and
/// union-find) and every web but one gets a fresh register; later passes also see
/// more registers defined once. A use that only one definition reaches, a copy of a
/// register written once (`nh.pos = data` before the first header check), reads that
/// register instead.
public enum WebSplitting {
    public static func run(_ f: Function) -> Function {
        let (_, defs) = f.useDefCounts()
        // Definition sites of registers defined more than once (a parameter's arrival
        // counts, at the entry). A register's sites have consecutive ids (a definition
        // clears its register's range from a set of reaching sites at once); `siteOrder`
        // lists them in program order.
        var siteCount: [Int: Int] = [:]
        var registersInOrder: [VReg] = []
        func countSite(_ r: VReg) {
            if siteCount[r.id] == nil { registersInOrder.append(r) }
            siteCount[r.id, default: 0] += 1
        }
        for p in f.parameters where defs[p] > 1 { countSite(p) }
        for b in f.blocks { for i in b.instructions { i.inst.forEachDef { d in if defs[d] > 1 { countSite(d) } } } }
        guard !registersInOrder.isEmpty else { return f }
        var sitesOf: [Int: Range<Int>] = [:]
        var n = 0
        for r in registersInOrder { sitesOf[r.id] = n..<(n + siteCount[r.id]!); n += siteCount[r.id]! }
        var siteReg = [VReg](filled: VReg(0), count: n)
        var siteOrder: [Int] = []
        var filled: [Int: Int] = [:]
        var sitesAt: [[[Int]]] = f.blocks.map { b in Array(filled: [], count: b.instructions.count) }
        func newSite(_ r: VReg) -> Int {
            let s = sitesOf[r.id]!.lowerBound + filled[r.id, default: 0]
            filled[r.id, default: 0] += 1
            siteReg[s] = r
            siteOrder.append(s)
            return s
        }
        var entrySites: [Int] = []
        for p in f.parameters where defs[p] > 1 { entrySites.append(newSite(p)) }
        for (bi, b) in f.blocks.enumerated() {
            for (ii, i) in b.instructions.enumerated() {
                i.inst.forEachDef { d in if defs[d] > 1 { sitesAt[bi][ii].append(newSite(d)) } }
            }
        }

        // Reaching definitions (site ids as bit positions).
        func site(_ s: Int) -> VReg { VReg(s) }
        func define(_ s: Int, in set: inout RegSet) {
            set.set(sitesOf[siteReg[s].id]!, to: false)
            set.insert(site(s))
        }
        var gen = [RegSet](filled: RegSet(capacity: n), count: f.blocks.count)
        var kill = gen
        for bi in f.blocks.indices {
            for sites in sitesAt[bi] {
                for s in sites {
                    kill[bi].set(sitesOf[siteReg[s].id]!, to: true)
                    define(s, in: &gen[bi])
                }
            }
        }
        let preds = f.flowGraph.predecessors
        let order = f.reversePostOrder()
        var entryIn = RegSet(capacity: n)
        for s in entrySites { entryIn.insert(site(s)) }
        var inSet = [RegSet](filled: RegSet(capacity: n), count: f.blocks.count)
        var outSet = gen
        var changed = true
        while changed {
            changed = false
            for bi in order {
                var into = bi == 0 ? entryIn : RegSet(capacity: n)
                for p in preds[bi] { into.formUnion(outSet[p]) }
                var out = into
                out.subtract(kill[bi])
                out.formUnion(gen[bi])
                inSet[bi] = into
                if out != outSet[bi] { outSet[bi] = out; changed = true }
            }
        }

        // Webs: the sites reaching one use are one web.
        var parent = Array(0..<n)
        func find(_ x: Int) -> Int {
            var x = x
            while parent[x] != x { parent[x] = parent[parent[x]]; x = parent[x] }
            return x
        }
        // A use that only a copy of a register written once reaches reads that register.
        var copiedFrom = [VReg?](filled: nil, count: n)
        for (bi, b) in f.blocks.enumerated() {
            for (ii, sites) in sitesAt[bi].enumerated() {
                if case .mov(let d, .reg(let x), .w64) = b.instructions[ii].inst, x != d, defs[x] == 1 {
                    for s in sites { copiedFrom[s] = x }
                }
            }
        }
        struct Use { var block: Int; var inst: Int; var reg: VReg; var site: Int; var copied: VReg? }   // inst == -1: terminator
        var uses: [Use] = []
        func use(_ r: VReg, _ reaching: RegSet, _ bi: Int, _ ii: Int) {
            guard let sites = sitesOf[r.id] else { return }
            var first: Int? = nil, count = 0
            for s in sites where reaching.contains(site(s)) {
                count += 1
                if let f0 = first { parent[find(s)] = find(f0) } else { first = s }
            }
            guard let f0 = first else { return }
            uses.append(Use(block: bi, inst: ii, reg: r, site: f0, copied: count == 1 ? copiedFrom[f0] : nil))
        }
        for bi in f.blocks.indices {
            var reaching = inSet[bi]
            for (ii, i) in f.blocks[bi].instructions.enumerated() {
                i.inst.forEachUse { use($0, reaching, bi, ii) }
                for s in sitesAt[bi][ii] { define(s, in: &reaching) }
            }
            for u in f.blocks[bi].terminator.usedRegs { use(u, reaching, bi, -1) }
        }

        // One name per web: the web holding a parameter's arrival (or else the first
        // web) keeps the register.
        var g = f
        var name: [Int: VReg] = [:]                 // web root -> register
        var kept: Set<VReg> = []
        for s in entrySites { name[find(s)] = siteReg[s]; kept.insert(siteReg[s]) }
        for s in siteOrder {
            let root = find(s)
            guard name[root] == nil else { continue }
            let r = siteReg[s]
            if kept.insert(r).inserted { name[root] = r } else { name[root] = g.newVReg() }
        }
        for u in uses {
            let to = u.copied ?? name[find(u.site)]!
            guard to != u.reg else { continue }
            if u.inst < 0 {
                g.blocks[u.block].terminator = g.blocks[u.block].terminator.replacingUses(of: u.reg, with: to)
            } else {
                g.blocks[u.block].instructions[u.inst].inst = g.blocks[u.block].instructions[u.inst].inst.replacingUses(of: u.reg, with: to)
            }
        }
        for bi in f.blocks.indices {
            for (ii, sites) in sitesAt[bi].enumerated() {
                for s in sites {
                    let to = name[find(s)]!
                    if to != siteReg[s] {
                        g.blocks[bi].instructions[ii].inst = g.blocks[bi].instructions[ii].inst.replacingDefs(of: siteReg[s], with: to)
                    }
                }
            }
        }
        return g
    }
}
