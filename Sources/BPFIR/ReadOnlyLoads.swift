/// Loads from read-only data whose contents are fixed at compile time (`static const`
/// tables: `Module.readOnlyData`) at a known offset become the constant they read, in the
/// target's byte order, as clang folds them: a MAC address copied from a `static const`
/// array is stored as immediates. A pointer word among them (`Module.readOnlyAddresses`)
/// is the address it holds. The address must be the symbol's (plus a constant),
/// computed once; `const volatile` data is never in the table. A load at an offset not
/// known reads a constant too when the object's bytes are all one value (a `static`
/// array no function writes, all zeros, indexed by a register: C leaves a load outside
/// the object undefined, and the verifier refuses it).
public enum ReadOnlyLoads {
    public static func run(_ f: Function, memory: ReadOnlyMemory) -> Function {
        guard !memory.isEmpty else { return f }
        let base = ReadOnlyMemory.Addresses(definedOnceIn: f, memory: memory).of
        guard !base.isEmpty else { return f }
        // Addresses into an object of one repeated byte, found when a load needs them.
        var within: [VReg: String]? = base.values.contains { memory.uniform[$0.name] != nil } ? nil : [:]
        var g = f
        for bi in g.blocks.indices {
            for ii in g.blocks[bi].instructions.indices {
                guard case .load(let d, .reg(let r), let off, let w, let signed) = g.blocks[bi].instructions[ii].inst else { continue }
                guard let s = base[r], let k = Int(exactly: s.offset) else {
                    if within == nil { within = addressesWithin(f, base) }
                    if let name = within?[r], let v = memory.readAnywhere(name, width: w, signed: signed) {
                        g.blocks[bi].instructions[ii].inst = .mov(dst: d, src: .imm(Int64(bitPattern: v)), width: .w64)
                    }
                    continue
                }
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

    /// Registers written once with an address into one of the objects `base` holds the
    /// address of, at an offset not known: a 64-bit sum of such an address (or the
    /// object's) and anything else, followed to a fixed point (a loop's block may come
    /// after a use's).
    static func addressesWithin(_ f: Function, _ base: [VReg: SymbolRef]) -> [VReg: String] {
        let (_, defs) = f.useDefCounts()
        var within: [VReg: String] = [:]
        func object(_ r: VReg) -> String? { base[r]?.name ?? within[r] }
        var grew = true
        while grew {
            grew = false
            for b in f.blocks {
                for i in b.instructions {
                    guard case .binary(.add, let d, let l, let r, .w64) = i.inst, defs[d] == 1, within[d] == nil, base[d] == nil else { continue }
                    var name = object(l)
                    if case .reg(let rr) = r, let other = object(rr) { name = name == nil ? other : nil }
                    if let name = name { within[d] = name; grew = true }
                }
            }
        }
        return within
    }
}
