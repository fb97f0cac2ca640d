/// Loads from read-only data whose contents are fixed at compile time (`static const`
/// tables: `Module.readOnlyData`) at a known offset become the constant they read, in the
/// target's byte order, as clang folds them: a MAC address copied from a `static const`
/// array is stored as immediates. A pointer word among them (`Module.readOnlyAddresses`)
/// is the address it holds. The address must be the symbol's (plus a constant),
/// computed once; `const volatile` data is never in the table.
public enum ReadOnlyLoads {
    public static func run(_ f: Function, memory: ReadOnlyMemory) -> Function {
        guard !memory.isEmpty else { return f }
        let base = ReadOnlyMemory.Addresses(definedOnceIn: f, memory: memory).of
        guard !base.isEmpty else { return f }
        var g = f
        for bi in g.blocks.indices {
            for ii in g.blocks[bi].instructions.indices {
                guard case .load(let d, .reg(let r), let off, let w, let signed) = g.blocks[bi].instructions[ii].inst,
                      let s = base[r], let k = Int(exactly: s.offset) else { continue }
                // A part of a pointer word the loader fills is left as a load.
                switch memory.read(s.name, at: k + off, width: w, signed: signed, bigEndian: f.bigEndian) {
                case .address(let target)?:
                    g.blocks[bi].instructions[ii].inst = .symbolAddr(dst: d, symbol: target)
                case .value(let v)?:
                    g.blocks[bi].instructions[ii].inst = .mov(dst: d, src: .imm(Int64(bitPattern: v)), width: .w64)
                case nil:
                    break
                }
            }
        }
        return g
    }
}
