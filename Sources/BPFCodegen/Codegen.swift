import BPFIR

/// IR → eBPF for one function: legalization, register allocation, frame layout,
/// instruction selection, block layout and branch fix-ups.
public enum Codegen {
    /// `frameBudget`: the bytes of stack the function's frame should fit in, when less than
    /// its own limit (`FrameLayout.limit`) is left to it; see `CallChainFrames`.
    public static func compile(_ function: Function, options: CodegenOptions, frameBudget: Int? = nil) throws -> CompiledFunction {
        guard (1...4).contains(options.cpu) else {
            throw CodegenError("unsupported CPU version v\(options.cpu) (expected v1 to v4)", location: function.location)
        }
        // A memcpy or memset whose size folding did not make a constant: nothing to emit.
        if let (message, location) = MemoryCalls.unexpanded(in: function) { throw CodegenError(message, location: location ?? function.location) }
        let legal = Legalizer.legalize(IndeterminateValues.zeroed(function, neverWritten: false), cpu: options.cpu)
        let ra = try RegisterAllocator.allocate(legal)
        let frame = FrameLayout(ra.function, budget: frameBudget ?? FrameLayout.limit)
        if frame.size > FrameLayout.limit {
            throw CodegenError("stack size of \(frame.size) bytes exceeds the limit of \(FrameLayout.limit) bytes in function '\(function.name)'",
                               location: function.location, frameTooLarge: true)
        }
        // Placement comes after allocation: the allocator and the frame see the blocks in
        // lowering's order, which keeps live ranges short.
        let (hoisted, assignment) = ReturnHoisting.run(ra.function, assignment: ra.assignment)
        var placed = BlockPlacement.run(EqualBlockMerging.run(hoisted, assignment: assignment))
        var far: Set<Int> = []
        while true {
            var e = Emitter(function: placed, assignment: assignment, frame: frame, options: options, farBranches: far)
            do {
                try e.emitFunction()
            } catch let tooFar as Emitter.BranchTooFar {
                guard !far.contains(tooFar.block) else {
                    throw CodegenError("branch out of range in function '\(function.name)'", location: function.location)
                }
                far.insert(tooFar.block)
                continue
            }
            // A block left with nothing but a jump is jumped over: branches to it go where it
            // goes, and it goes (the verifier refuses code nothing reaches).
            if let threaded = bypassing(e.jumpOnlyBlocks, in: placed) {
                placed = threaded
                far = []
                continue
            }
            return CompiledFunction(name: function.name, section: function.section, linkage: function.linkage,
                                    instructions: e.code, relocations: e.relocations, lines: e.lines,
                                    coreRelocs: e.coreRelocs, stackSize: frame.size)
        }
    }

    /// `f` without the blocks of `jumpOnly` (each only jumps to its value), every branch
    /// to one of them going to where a chain of them ends; nil when there is none to
    /// remove (a chain that loops stays).
    static func bypassing(_ jumpOnly: [BlockID: BlockID], in f: Function) -> Function? {
        guard !jumpOnly.isEmpty else { return nil }
        func end(_ b: BlockID) -> BlockID? {
            var seen: Set<BlockID> = [b], cur = b
            while let next = jumpOnly[cur] {
                guard seen.insert(next).inserted else { return nil }
                cur = next
            }
            return cur
        }
        var target: [BlockID: BlockID] = [:]
        for b in jumpOnly.keys { if let e = end(b) { target[b] = e } }
        guard !target.isEmpty else { return nil }
        var g = f
        g.blocks = f.blocks.filter { target[$0.id] == nil }
        for i in g.blocks.indices {
            g.blocks[i].terminator = g.blocks[i].terminator.mappingTargets { target[$0] ?? $0 }
        }
        return g
    }
}
