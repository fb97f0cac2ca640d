/// Which definitions of a register reach each of its uses, for the registers a function
/// defines more than once (a parameter's arrival counts as a definition at the entry):
/// a local reused for unrelated values, a loop's variable, the two arms of a `?:`.
///
/// Every such definition is a site (an id). A register's sites have consecutive ids, so a
/// definition clears its register's range from a set of reaching sites at once; sets of
/// sites are `RegSet`s over the ids (`site(_:)`). `WebSplitting` groups the sites reaching
/// one use into webs; `DeadControlFlow` makes live only the definitions that reach a live use.
struct ReachingDefinitions {
    /// The sites of each register defined more than once (by register id).
    let sitesOf: [Int: Range<Int>]
    /// The register each site defines.
    let siteReg: [VReg]
    /// The sites in program order: the parameters' arrivals, then block by block.
    let siteOrder: [Int]
    /// The sites each instruction defines (block position, instruction index).
    let sitesAt: [[[Int]]]
    /// The parameters' arrivals.
    let entrySites: [Int]
    /// The sites reaching the start of each block.
    private(set) var inSet: [RegSet] = []

    /// nil when no register is defined more than once.
    init?(_ f: Function, defs: RegCounts) {
        var siteCount: [Int: Int] = [:]
        var registersInOrder: [VReg] = []
        func countSite(_ r: VReg) {
            if siteCount[r.id] == nil { registersInOrder.append(r) }
            siteCount[r.id, default: 0] += 1
        }
        for p in f.parameters where defs[p] > 1 { countSite(p) }
        for b in f.blocks { for i in b.instructions { i.inst.forEachDef { d in if defs[d] > 1 { countSite(d) } } } }
        guard !registersInOrder.isEmpty else { return nil }
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
        self.sitesOf = sitesOf
        self.siteReg = siteReg
        self.siteOrder = siteOrder
        self.sitesAt = sitesAt
        self.entrySites = entrySites

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
        self.inSet = GenKillFlow.solve(order: order, from: preds, gen: gen, kill: kill, capacity: n,
                                       boundary: (0, entryIn)).input
    }

    /// The number of sites.
    var count: Int { siteReg.count }

    /// Site `s` as a member of a set of sites.
    func site(_ s: Int) -> VReg { VReg(s) }

    /// `set` after site `s`'s definition: no other site of its register reaches on.
    func define(_ s: Int, in set: inout RegSet) {
        set.set(sitesOf[siteReg[s].id]!, to: false)
        set.insert(site(s))
    }

    /// Calls `body` for every use in `f` of a register defined more than once, with the
    /// sites of that register reaching it (in id order, possibly none), the use's block
    /// position and instruction index (-1: the block's terminator).
    func forEachUse(in f: Function, _ body: (_ reg: VReg, _ sites: [Int], _ block: Int, _ inst: Int) -> Void) {
        func use(_ r: VReg, _ reaching: RegSet, _ bi: Int, _ ii: Int) {
            guard let sites = sitesOf[r.id] else { return }
            body(r, sites.filter { reaching.contains(site($0)) }, bi, ii)
        }
        for bi in f.blocks.indices {
            var reaching = inSet[bi]
            for (ii, i) in f.blocks[bi].instructions.enumerated() {
                i.inst.forEachUse { use($0, reaching, bi, ii) }
                for s in sitesAt[bi][ii] { define(s, in: &reaching) }
            }
            for u in f.blocks[bi].terminator.usedRegs { use(u, reaching, bi, -1) }
        }
    }
}
