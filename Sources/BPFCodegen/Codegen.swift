import BPFIR

/// IR → eBPF for one function: register allocation, frame layout, instruction
/// selection, block layout and branch fix-ups.
public enum Codegen {
    public static func compile(_ function: Function, options: CodegenOptions) throws -> CompiledFunction {
        let ra = RegisterAllocator.allocate(function)
        let frame = FrameLayout(ra.function)
        if frame.size > FrameLayout.limit {
            throw CodegenError("stack size of \(frame.size) bytes exceeds the limit of \(FrameLayout.limit) bytes in function '\(function.name)'",
                               location: function.location)
        }
        var e = Emitter(function: ra.function, assignment: ra.assignment, frame: frame, options: options)
        try e.emitFunction()
        return CompiledFunction(name: function.name, section: function.section, linkage: function.linkage,
                                instructions: e.code, relocations: e.relocations, lines: e.lines,
                                coreRelocs: e.coreRelocs, stackSize: frame.size)
    }
}
