import BPFIR
import BPFFrontend

/// Accumulates the blocks of one IR function while lowering walks the AST.
struct FunctionBuilder {
    var function: Function
    private(set) var current: BlockID
    private var sealed: Set<BlockID> = []
    var location: IRLocation?

    init(name: String, section: String, linkage: Linkage, location: IRLocation?) {
        function = Function(name: name, section: section, linkage: linkage, parameters: [],
                            blocks: [Block(id: BlockID(0))], slots: [], nextVReg: 0, location: location)
        current = BlockID(0)
        self.location = location
    }

    mutating func newVReg() -> VReg { function.newVReg() }

    mutating func newBlock() -> BlockID {
        let id = BlockID(function.blocks.count)
        function.blocks.append(Block(id: id))
        return id
    }

    mutating func newSlot(size: Int, alignment: Int, name: String) -> Int {
        function.slots.append(StackSlot(size: max(size, 1), alignment: max(1, min(alignment, 8)), name: name))
        return function.slots.count - 1
    }

    /// True when the current block already ended (code after return/break is dead).
    var isTerminated: Bool { sealed.contains(current) }

    mutating func emit(_ inst: Inst) {
        if isTerminated { startDeadBlock() }
        function.blocks[current.id].instructions.append(Instruction(inst, location: location))
    }

    mutating func terminate(_ t: Terminator) {
        if isTerminated { return }
        function.blocks[current.id].terminator = t
        function.blocks[current.id].terminatorLocation = location
        sealed.insert(current)
    }

    mutating func jump(to target: BlockID) { terminate(.jump(target)) }

    mutating func switchTo(_ block: BlockID) { current = block }

    /// Code after a terminator goes into a fresh unreachable block that later passes drop.
    private mutating func startDeadBlock() { current = newBlock() }

    /// Removes blocks not reachable from the entry and renumbers the rest.
    mutating func finish() -> Function {
        var reachable: [BlockID] = []
        var seen: Set<BlockID> = [BlockID(0)]
        var work = [BlockID(0)]
        while let b = work.popLast() {
            reachable.append(b)
            for s in function.blocks[b.id].terminator.successors where !seen.contains(s) {
                seen.insert(s); work.append(s)
            }
        }
        reachable.sort()
        var renumber: [BlockID: BlockID] = [:]
        for (i, b) in reachable.enumerated() { renumber[b] = BlockID(i) }
        func map(_ b: BlockID) -> BlockID { renumber[b]! }
        var blocks: [Block] = []
        for old in reachable {
            var blk = function.blocks[old.id]
            blk.id = map(old)
            switch blk.terminator {
            case .jump(let t): blk.terminator = .jump(map(t))
            case .branch(let cc, let l, let r, let w, let t, let e):
                blk.terminator = .branch(cc, lhs: l, rhs: r, width: w, then: map(t), else: map(e))
            default: break
            }
            blocks.append(blk)
        }
        var f = function
        f.blocks = blocks
        return f
    }
}
