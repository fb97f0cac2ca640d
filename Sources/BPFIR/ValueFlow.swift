/// Where the values some instructions define go: the uses their definitions reach, and the
/// uses of what copies, extensions and ALU operations compute from them — by the
/// definitions that reach each use, since a variable's register may also hold unrelated
/// values elsewhere (`ReachingDefinitions`).
struct ValueFlow {
    /// An instruction's place: block position and index (-1: the block's terminator).
    struct Place: Hashable { var block: Int, index: Int }

    /// The uses each definition reaches, with the register read.
    private var users: [Place: [(place: Place, reg: VReg)]] = [:]

    init(_ f: Function) {
        let defs = f.useDefCounts().defs
        var onlyDefinition: [Int: Place] = [:]
        for (b, block) in f.blocks.enumerated() {
            for (i, inst) in block.instructions.enumerated() {
                inst.inst.forEachDef { if defs[$0] == 1 { onlyDefinition[$0.id] = Place(block: b, index: i) } }
            }
        }
        var users: [Place: [(place: Place, reg: VReg)]] = [:]
        func use(_ v: VReg, at place: Place) {
            if defs[v] == 1, let d = onlyDefinition[v.id] { users[d, default: []].append((place, v)) }
        }
        for (b, block) in f.blocks.enumerated() {
            for (i, inst) in block.instructions.enumerated() { inst.inst.forEachUse { use($0, at: Place(block: b, index: i)) } }
            block.terminator.forEachUse { use($0, at: Place(block: b, index: -1)) }
        }
        if let reaching = ReachingDefinitions(f, defs: defs) {
            var siteAt: [Int: Place] = [:]
            for (b, block) in reaching.sitesAt.enumerated() {
                for (i, sites) in block.enumerated() { for s in sites { siteAt[s] = Place(block: b, index: i) } }
            }
            reaching.forEachUse(in: f) { v, sites, b, i in
                for s in sites { if let d = siteAt[s] { users[d, default: []].append((Place(block: b, index: i), v)) } }
            }
        }
        self.users = users
    }

    /// Whether `inst` computes its result from what it reads by arithmetic alone (a copy,
    /// an extension, an ALU operation): the values it reads pass on to what it defines.
    static func passesOn(_ inst: Inst) -> Bool {
        switch inst {
        case .mov, .binary, .neg, .ext, .bswap: return true
        default: return false
        }
    }

    /// Whether some use of the values the instructions at `starts` define, or of values
    /// computed from them, passes `test` (the use's place and the register it reads).
    /// Copies, extensions and ALU operations pass the values on when `test` lets them by.
    func reaches(from starts: [Place], in f: Function, _ test: (Place, VReg) -> Bool) -> Bool {
        var seen = Set(starts), work = starts
        while let d = work.popLast() {
            for (u, v) in users[d] ?? [] {
                if test(u, v) { return true }
                if u.index >= 0, Self.passesOn(f.blocks[u.block].instructions[u.index].inst), seen.insert(u).inserted { work.append(u) }
            }
        }
        return false
    }
}
