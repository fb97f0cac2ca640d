/// The bytes of a function's stack slots that some path from its entry reaches a block
/// without storing to (a forward gen/kill flow over `GenKillFlow`: every byte is unwritten
/// at the entry; a store to a slot at a constant offset writes its bytes). A load of
/// bytes written on every path into a block may move anywhere below that block: the
/// verifier refuses a read of stack bytes no store has written.
///
/// Only direct stores count (`store [$s + k]`); a helper or a store through a register
/// writing the slot leaves its bytes counted unwritten.
struct UnwrittenSlotBytes {
    /// The position of each slot's first byte in the sets.
    let start: [Int], size: [Int]
    /// Per block, the bytes some path reaches its start without writing.
    let atStart: [RegSet]

    init(_ f: Function) {
        var start: [Int] = [], n = 0
        for s in f.slots { start.append(n); n += s.size }
        self.start = start
        size = f.slots.map(\.size)
        var kill = [RegSet](filled: RegSet(capacity: n), count: f.blocks.count)
        for (b, block) in f.blocks.enumerated() {
            for i in block.instructions {
                if case .store(.slot(let s), let off, _, let w) = i.inst, off >= 0, off + w.bytes <= f.slots[s].size {
                    kill[b].set((start[s] + off)..<(start[s] + off + w.bytes), to: true)
                }
            }
        }
        var everything = RegSet(capacity: n)
        everything.set(0..<n, to: true)
        atStart = GenKillFlow.solve(order: f.reversePostOrder(), from: f.flowGraph.predecessors,
                                    gen: [RegSet](filled: RegSet(capacity: n), count: f.blocks.count), kill: kill,
                                    capacity: n, boundary: (0, everything)).input
    }

    /// Whether bytes `offset ..< offset + width` of slot `s` are written on every path
    /// into block `b`.
    func written(slot s: Int, offset: Int, width: Width, atStartOf b: Int) -> Bool {
        guard offset >= 0, offset + width.bytes <= size[s] else { return false }
        return (start[s] + offset ..< start[s] + offset + width.bytes).allSatisfy { !atStart[b].contains(VReg($0)) }
    }
}
