/// For the registers a function writes more than once: the blocks where such a register
/// can no longer change, no write of it being in the block or on any path from it. There
/// it holds one value wherever it is read, as a register written once does: a truth
/// value's two arms (`d = 1` / `d = 0`) after the branch that chose between them, read
/// again in the later rounds of an unrolled loop (`ValueNumbering` shares what is
/// computed from it).
///
/// Worked out on demand, a register at a time (the first question about one walks the
/// flow graph back from the blocks writing it): a pass asks about few of them.
struct SettledRegisters {
    private let function: Function
    private let defs: RegCounts
    private let predecessors: [[Int]]
    /// The blocks writing each register written more than once (on the first question).
    private var writers: [Int: [Int]]? = nil
    /// Per register asked about: the blocks from which a write of it can still be reached.
    private var changing: [Int: [Bool]] = [:]

    /// At most this many registers times blocks are worked out; past it, no register
    /// counts as settled (a function of thousands of blocks).
    static let maxWork = 1 << 20

    init(_ f: Function, defs: RegCounts, predecessors: [[Int]]) {
        function = f
        self.defs = defs
        self.predecessors = predecessors
    }

    /// Whether `r`, written more than once, can no longer change in block `b`.
    mutating func isSettled(_ r: VReg, in b: Int) -> Bool {
        if let reaches = changing[r.id] { return !reaches[b] }
        if writers == nil { writers = collectWriters() }
        let n = function.blocks.count
        guard let blocks = writers?[r.id], (changing.count + 1) * n <= Self.maxWork else { return false }
        // Backwards from the writing blocks: every block that reaches one.
        var reaches = [Bool](filled: false, count: n)
        var work = blocks
        for w in blocks { reaches[w] = true }
        while let x = work.popLast() {
            for p in predecessors[x] where !reaches[p] { reaches[p] = true; work.append(p) }
        }
        changing[r.id] = reaches
        return !reaches[b]
    }

    private func collectWriters() -> [Int: [Int]] {
        var writers: [Int: [Int]] = [:]
        function.forEachInstruction { bi, inst in
            inst.forEachDef { d in
                if defs[d] > 1 && writers[d.id]?.last != bi { writers[d.id, default: []].append(bi) }
            }
        }
        return writers
    }
}
