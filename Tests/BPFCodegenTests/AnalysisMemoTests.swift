import Testing
@testable import BPFIR

/// The analyses the passes share through `AnalysisMemo` (use and definition counts, the
/// flow graph, liveness) must be what a fresh computation gives, for every function a pass
/// hands on, changed or not; and passes that change nothing hand back their input's
/// storage, which is how the memo and the pipeline's skipping recognize it.
@Suite struct AnalysisMemoTests {
    static let passes: [(Function) -> Function] = [
        CFGSimplify.run, { FullUnrolling.run($0) }, WebSplitting.run, { ValueNumbering.run($0) }, StackForwarding.run,
        DeadStoreElimination.run, ConstantFolding.run, AddressFolding.foldOffsets, DeadCodeElimination.run,
        NarrowOperandFolding.run, RedundancyElimination.run, DeadCodeElimination.run, CFGSimplify.run,
    ]

    func expectFresh(_ f: Function, _ context: String) {
        let counts = f.useDefCounts(), fresh = f.countingUsesAndDefs()
        #expect(counts.uses.counts == fresh.uses.counts && counts.defs.counts == fresh.defs.counts, "use/def counts: \(context)")
        let graph = f.flowGraph, freshGraph = f.computingFlowGraph()
        #expect(graph.successors == freshGraph.successors && graph.predecessors == freshGraph.predecessors, "flow graph: \(context)")
        let live = Liveness(f), freshLive = Liveness(computing: f)
        #expect(live.liveIn.map(Array.init) == freshLive.liveIn.map(Array.init)
                && live.liveOut.map(Array.init) == freshLive.liveOut.map(Array.init), "liveness: \(context)")
    }

    @Test func memoizedAnalysesAreFreshOnesAfterEveryPass() {
        for seed in 0..<60 {
            var g = RandomProgram(seed: UInt64(seed) &* 6151 &+ 5, cpu: 3)
            var f = g.generate()
            expectFresh(f, "seed \(seed), input")
            for (k, pass) in Self.passes.enumerated() {
                f = pass(f)
                expectFresh(f, "seed \(seed), after pass \(k)")
            }
        }
    }

    @Test func aChangedCopyIsNotTakenForItsOriginal() throws {
        var g = RandomProgram(seed: 42, cpu: 3)
        let f = g.generate()
        let before = f.useDefCounts()
        // The same function with one more use of a register: a copy whose arrays differ.
        var changed = f
        let b = try #require(changed.blocks.indices.first { !changed.blocks[$0].instructions.isEmpty })
        let r = VReg(0)
        changed.blocks[b].instructions.insert(Instruction(.mov(dst: VReg(changed.nextVReg), src: .reg(r), width: .w64)), at: 0)
        changed.nextVReg += 1
        #expect(changed.useDefCounts().uses[r] == before.uses[r] + 1)
        // Asked of the original again, after the copy: the original's counts.
        #expect(f.useDefCounts().uses[r] == before.uses[r])
        expectFresh(changed, "changed copy")
        expectFresh(f, "original")
    }

    @Test func passesThatChangeNothingHandBackTheirInput() {
        var unchanged = 0
        for seed in 0..<40 {
            let (_, o) = RandomProgram.optimized(seed: UInt64(seed) &* 7907 &+ 1, cpu: 3)
            for pass in [ConstantFolding.run, { ValueNumbering.run($0) }, StackForwarding.run, AddressFolding.foldOffsets,
                         NarrowOperandFolding.run, RedundancyElimination.run, CFGSimplify.run] {
                let out = pass(o)
                guard out == o else { continue }
                unchanged += 1
                #expect(out.isSame(as: o), "seed \(seed): an unchanged function came back as a copy")
            }
        }
        #expect(unchanged > 100)
    }

    /// The pipeline tells a changed function by `isEqual(to:)`, which compares blocks field
    /// by field in place: it must agree with `==` on every pass's output, and see a change
    /// in any one of a block's fields (all of which it must list).
    @Test func inPlaceEqualityIsEquality() throws {
        var differing = 0
        for seed in 0..<40 {
            var g = RandomProgram(seed: UInt64(seed) &* 4099 &+ 3, cpu: 3)
            var f = g.generate()
            for pass in Self.passes {
                let out = pass(f)
                #expect(out.isEqual(to: f) == (out == f), "seed \(seed)")
                if out != f { differing += 1 }
                f = out
            }
        }
        #expect(differing > 40)
        var g = RandomProgram(seed: 7, cpu: 3)
        let f = g.generate()
        let b = try #require(f.blocks.indices.last)
        let edits: [(inout Block) -> Void] = [
            { $0.id = BlockID(9999) },
            { $0.instructions.append(Instruction(.mov(dst: VReg(0), src: .imm(1), width: .w64))) },
            { $0.terminator = .jump(BlockID(9998)) },
            { $0.terminatorLocation = IRLocation(file: "x.c", line: 99, column: 1) },
            { $0.unlikely.toggle() },
        ]
        #expect(Mirror(reflecting: f.blocks[b]).children.count == edits.count, "a field of Block that isEqual(to:) does not compare")
        for (k, edit) in edits.enumerated() {
            var changed = f
            edit(&changed.blocks[b])
            #expect(changed != f && !changed.isEqual(to: f), "edit \(k)")
        }
        #expect(f.isEqual(to: f))
    }
}
