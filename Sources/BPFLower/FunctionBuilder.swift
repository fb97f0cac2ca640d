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

    /// The register whose low 32 bits `r` was set to in the current block by truncations
    /// (32-bit copies), followed back while neither end has been written since.
    func truncationSource(of r: VReg) -> VReg? {
        let insts = function.blocks[current.id].instructions
        var r = r, end = insts.count, found: VReg? = nil
        while let k = insts.lastDefinition(of: r, before: end) {
            let s: VReg
            switch insts[k].inst {
            case .mov(r, .reg(let x), .w32), .ext(r, let x, .w32, .w32, false): s = x
            default: return found
            }
            guard s != r, !insts.redefines([s], after: k) else { return found }
            found = s
            r = s
            end = k
        }
        return found
    }

    mutating func newBlock() -> BlockID {
        let id = BlockID(function.blocks.count)
        function.blocks.append(Block(id: id))
        return id
    }

    mutating func markUnlikely(_ block: BlockID) { function.blocks[block.id].unlikely = true }

    /// Slots in use, innermost scope last; slots of closed scopes are free for reuse
    /// (clang's stack colouring: locals of disjoint scopes share stack).
    private var liveSlots: [Int] = []
    private var freeSlots: [Int] = []

    /// Slots of locals whose address is passed to calls (`passedToCalls`).
    private var passedSlots: Set<Int> = []
    /// Whether closed scopes' slots are reused (`LoweringOptions.sharesScopeSlots`).
    var sharesScopeSlots = true

    mutating func newSlot(size: Int, alignment: Int, name: String, isVolatile: Bool = false, passedToCalls: Bool = false,
                          paddedScalar: Width? = nil) -> Int {
        let size = paddedScalar == nil ? max(size, 1) : 8, align = paddedScalar == nil ? max(1, min(alignment, 8)) : 8
        // A volatile local shares only with other volatile locals: sharing with any other
        // would make every local using the slot volatile, its stores and loads kept as
        // written (an inlined function's volatile local, one slot for all its copies, as
        // clang's stack colouring gives them). A local whose address calls are given
        // shares only with others such (map keys filled one after another).
        if sharesScopeSlots, let i = freeSlots.firstIndex(where: { s in
            let slot = function.slots[s]
            return slot.isVolatile == isVolatile && passedSlots.contains(s) == passedToCalls && slot.paddedScalar == paddedScalar
                && slot.size >= size && slot.size <= max(size * 2, 8) && slot.alignment >= align
        }) {
            let s = freeSlots.remove(at: i)
            liveSlots.append(s)
            return s
        }
        function.slots.append(StackSlot(size: size, alignment: align, name: name, isVolatile: isVolatile, paddedScalar: paddedScalar))
        liveSlots.append(function.slots.count - 1)
        if passedToCalls { passedSlots.insert(function.slots.count - 1) }
        return function.slots.count - 1
    }

    /// Marks the start of a scope; pass the result to `closeScope`.
    func openScope() -> Int { liveSlots.count }

    /// Frees the slots allocated since the matching `openScope`.
    mutating func closeScope(_ mark: Int) {
        guard mark < liveSlots.count else { return }
        freeSlots += liveSlots[mark...]
        liveSlots.removeSubrange(mark...)
    }

    /// True when the current block already ended (code after return/break is dead).
    var isTerminated: Bool { sealed.contains(current) }

    mutating func emit(_ inst: Inst, noSignedWrap: Bool = false) {
        if isTerminated { startDeadBlock() }
        function.blocks[current.id].instructions.append(Instruction(inst, location: location, noSignedWrap: noSignedWrap))
    }

    mutating func terminate(_ t: Terminator) {
        if isTerminated { return }
        function.blocks[current.id].terminator = t
        function.blocks[current.id].terminatorLocation = location
        sealed.insert(current)
    }

    mutating func jump(to target: BlockID) { terminate(.jump(target)) }

    mutating func switchTo(_ block: BlockID) {
        current = block
        if enteredSet.insert(block).inserted { entered.append(block) }
    }

    /// Blocks in the order code was first emitted into them: the source order, which
    /// becomes the layout (conditions fall through into their then-blocks).
    private var entered: [BlockID] = [BlockID(0)]
    private var enteredSet: Set<BlockID> = [BlockID(0)]

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
        var rank: [BlockID: Int] = [:]
        for (i, b) in entered.enumerated() { rank[b] = i }
        reachable.sort { (rank[$0] ?? Int.max, $0.id) < (rank[$1] ?? Int.max, $1.id) }
        if let entry = reachable.firstIndex(of: BlockID(0)), entry != 0 { reachable.swapAt(0, entry) }
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
