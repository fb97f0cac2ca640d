/// The pass pipeline run between lowering and codegen.
public enum Optimizer {
    public static func run(_ m: Module, level: Int) -> Module {
        var m = m
        for i in m.functions.indices {
            var f = m.functions[i]
            if level > 0 {
                f = CFGSimplify.run(f)
                f = CFGSimplify.run(ReturnMerging.run(f))
                f = CFGSimplify.joinStraightLines(f)
                f = FullUnrolling.run(f)
                f = AddressFolding.foldSlots(f)
                f = StackForwarding.run(f)
                f = LoadElimination.run(f)
                f = ConstantFolding.run(f)
                f = AddressFolding.foldOffsets(f)
                f = NarrowOperandFolding.run(f)
                f = RedundancyElimination.run(f)
                f = MoveFolding.run(f)
                f = NarrowStoreFolding.run(f)
                f = DeadCodeElimination.run(f)
            }
            m.functions[i] = f
        }
        return m
    }
}
