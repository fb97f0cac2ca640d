/// A scalar local read before anything is assigned to it on some path (`__u32 len;` ...
/// `data + len + 1`, katran's `tc_decap_info.bpf.c`) has an indeterminate value in C.
/// clang's build reads whatever its optimizer chose for it, and loads; a register nothing
/// wrote is one the verifier refuses to read ("R7 !read_ok") on any path it cannot rule
/// out. Such registers are set to 0 where the function starts, so every path reads a
/// number:
/// - lowering sets the registers the function reads and never writes (the optimizer then
///   folds the 0 where it is read, as clang folds the undefined value);
/// - codegen sets whatever is still read before written on some path (`int i;` assigned
///   in a loop's test and read after the loop). Not earlier: before the optimizer has
///   removed the paths that cannot run, that would be a second definition of registers
///   otherwise written once, which the passes know less about.
public enum IndeterminateValues {
    /// `f` with each register live into its entry that is not a parameter set to 0 first;
    /// with `neverWritten`, only those no instruction of `f` writes.
    public static func zeroed(_ f: Function, neverWritten: Bool) -> Function {
        guard !f.blocks.isEmpty else { return f }
        var unwritten = Liveness(f).liveIn[0]
        unwritten.subtract(RegSet(f.parameters))
        guard !unwritten.isEmpty else { return f }
        if neverWritten {
            for b in f.blocks {
                for i in b.instructions { i.inst.forEachDef { unwritten.remove($0) } }
            }
            guard !unwritten.isEmpty else { return f }
        }
        var f = f
        let zeroes = unwritten.map { Instruction(.mov(dst: $0, src: .imm(0), width: .w64), location: f.location) }
        f.blocks[0].instructions.insert(contentsOf: zeroes, at: 0)
        return f
    }
}
