/// The pass pipeline run between lowering and codegen.
public enum Optimizer {
    public static func run(_ m: Module, level: Int) -> Module {
        var m = level > 0 ? ExclusiveParameters.mark(m) : m
        for i in m.functions.indices {
            var f = m.functions[i]
            if level > 0 {
                f = CFGSimplify.run(f)
                f = CFGSimplify.run(ReturnMerging.run(f))
                f = CFGSimplify.joinStraightLines(f)
                f = FullUnrolling.run(f)
                f = WebSplitting.run(f)
                // Forwarding and folding feed each other (a forwarded stack value is an
                // address to fold, a folded address makes a slot private): two rounds.
                f = AddressFolding.foldSlots(f)
                for round in 0..<2 {
                    // Once dead address computations are gone, private slots become
                    // registers (one web each where their stores allow).
                    if round == 1 { f = WebSplitting.run(SlotPromotion.run(f)) }
                    f = ValueNumbering.run(f)
                    f = DeadStoreElimination.run(StackForwarding.run(f))
                    f = LoadElimination.run(f)
                    f = ConstantFolding.run(ReadOnlyLoads.run(f, data: m.readOnlyData))
                    f = AddressFolding.foldOffsets(f)
                    if round == 0 { f = DeadCodeElimination.run(f) }
                }
                // Tests of converted values test the values; the conversions die, so that
                // threading sees the small blocks that only branch on a flag.
                f = ConstantPredicates.run(DeadCodeElimination.run(BoolTests.run(NarrowCompares.run(f))))
                f = CFGSimplify.run(CFGSimplify.joinStraightLines(JumpThreading.run(StoredValueThreading.run(f))))
                // Once threading has removed the merges an inlined function's returns made
                // (`if (!reserve(&rb, ...)) return 0;`), a local struct's field stored and
                // read back reads the stored value.
                // ... and a constant it forwards decides the tests on it (a clamp against a
                // size stored in the struct).
                f = DeadStoreElimination.run(ConstantFolding.run(ValueNumbering.run(f)))
                f = NarrowOperandFolding.run(f)
                f = ConstantFolding.run(RedundancyElimination.run(f))
                f = DeadCodeElimination.run(f)
                f = MoveFolding.run(f)
                f = NarrowStoreFolding.run(f)
                f = CFGSimplify.run(DeadCodeElimination.run(f))     // blocks emptied by DCE
                f = SelectFormation.run(SignedBranches.run(WrapChecks.run(ConditionalBits.run(f))))
                f = CallArgumentSinking.run(f)
                f = CFGSimplify.run(TailMerging.run(f))
                f = BitTestBranches.run(f)
            }
            m.functions[i] = f
        }
        return m
    }
}
