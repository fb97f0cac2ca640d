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
        guard let reaching = ReachingDefinitions(f, defs: defs) else { return f }
        let n = reaching.count, siteReg = reaching.siteReg, sitesAt = reaching.sitesAt

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
        reaching.forEachUse(in: f) { r, sites, bi, ii in
            guard let f0 = sites.first else { return }
            for s in sites.dropFirst() { parent[find(s)] = find(f0) }
            uses.append(Use(block: bi, inst: ii, reg: r, site: f0, copied: sites.count == 1 ? copiedFrom[f0] : nil))
        }

        // One name per web: the web holding a parameter's arrival (or else the first
        // web) keeps the register.
        var g = f
        var name: [Int: VReg] = [:]                 // web root -> register
        var kept: Set<VReg> = []
        for s in reaching.entrySites { name[find(s)] = siteReg[s]; kept.insert(siteReg[s]) }
        for s in reaching.siteOrder {
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
