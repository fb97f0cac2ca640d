/// Gives every `return <constant>` of a function one shared exit block, placed last:
/// `if (x) return 0; ... return 0;` then costs one branch per early return instead of
/// a `mov r0, 0; exit` pair each, and the last return falls through into the exit.
public enum ReturnMerging {
    public static func run(_ f: Function) -> Function {
        var groups: [Operand?: [Int]] = [:]
        for (i, b) in f.blocks.enumerated() {
            guard case .ret(let v) = b.terminator else { continue }
            if case .reg? = v { continue }
            groups[v, default: []].append(i)
        }
        var g = f
        // Deterministic order of the new blocks: by the first block that returns the value.
        for (value, members) in groups.sorted(by: { $0.value[0] < $1.value[0] }) where members.count > 1 {
            let exit = g.unusedBlockID
            g.blocks.append(Block(id: exit, instructions: [], terminator: .ret(value),
                                  terminatorLocation: g.blocks[members[0]].terminatorLocation))
            for i in members {
                g.blocks[i].terminator = .jump(exit)
            }
        }
        return g
    }
}
