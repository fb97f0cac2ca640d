/// For the registers a function writes more than once: the blocks where such a register
/// can no longer change, no write of it being in the block or on any path from it. There
/// it holds one value wherever it is read, as a register written once does: a truth
/// value's two arms (`d = 1` / `d = 0`) after the branch that chose between them, read
/// again in the later rounds of an unrolled loop (`ValueNumbering` shares what is
/// computed from it).
struct SettledRegisters {
    /// Per register id: the blocks from which a write of it can still be reached.
    private let changing: [Int: [Bool]]

    /// Functions larger than this (blocks times registers written more than once) are
    /// not analysed: no register counts as settled there.
    static let maxWork = 1 << 20

    init(_ f: Function, defs: RegCounts, predecessors: [[Int]]) {
        var writers: [Int: [Int]] = [:]
        for (bi, b) in f.blocks.enumerated() {
            for i in b.instructions {
                i.inst.forEachDef { d in
                    if defs[d] > 1 && writers[d.id]?.last != bi { writers[d.id, default: []].append(bi) }
                }
            }
        }
        guard writers.count * f.blocks.count <= Self.maxWork else { changing = [:]; return }
        var changing: [Int: [Bool]] = [:]
        for (r, blocks) in writers {
            // Backwards from the writing blocks: every block that reaches one.
            var reaches = [Bool](filled: false, count: f.blocks.count)
            var work = blocks
            for b in blocks { reaches[b] = true }
            while let b = work.popLast() {
                for p in predecessors[b] where !reaches[p] { reaches[p] = true; work.append(p) }
            }
            changing[r] = reaches
        }
        self.changing = changing
    }

    /// Whether `r`, written more than once, can no longer change in block `b`.
    func isSettled(_ r: VReg, in b: Int) -> Bool {
        guard let reaches = changing[r.id] else { return false }
        return !reaches[b]
    }
}
