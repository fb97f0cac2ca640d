/// Loads from read-only data whose contents are fixed at compile time (`static const`
/// tables: `Module.readOnlyData`) at a known offset become the constant they read, in the
/// target's byte order, as clang folds them: a MAC address copied from a `static const`
/// array is stored as immediates. A pointer word among them (`Module.readOnlyAddresses`)
/// is the address it holds. The address must be the symbol's (plus a constant),
/// computed once; `const volatile` data is never in the table.
public enum ReadOnlyLoads {
    public static func run(_ f: Function, data: [String: [UInt8]], addresses: [String: [Int: SymbolRef]] = [:]) -> Function {
        guard !data.isEmpty else { return f }
        let (_, defs) = f.useDefCounts()
        var base: [VReg: (name: String, offset: Int)] = [:]
        for b in f.blocks {
            for i in b.instructions {
                if case .symbolAddr(let d, let s) = i.inst, defs[d] == 1, data[s.name] != nil { base[d] = (s.name, Int(s.offset)) }
            }
        }
        guard !base.isEmpty else { return f }
        var g = f
        for bi in g.blocks.indices {
            for ii in g.blocks[bi].instructions.indices {
                guard case .load(let d, .reg(let r), let off, let w, let signed) = g.blocks[bi].instructions[ii].inst,
                      let (name, k) = base[r], let bytes = data[name] else { continue }
                let start = k + off
                guard start >= 0, start + w.bytes <= bytes.count else { continue }
                if let words = addresses[name] {
                    // A word the loader would fill: read whole, it is the address it holds;
                    // read in part, it is left as a load.
                    if w == .w64, let target = words[start] {
                        g.blocks[bi].instructions[ii].inst = .symbolAddr(dst: d, symbol: target)
                        continue
                    }
                    if words.keys.contains(where: { $0 < start + w.bytes && start < $0 + 8 }) { continue }
                }
                var v: UInt64 = 0
                for j in 0..<w.bytes {
                    let shift = f.bigEndian ? (w.bytes - 1 - j) * 8 : j * 8
                    v |= UInt64(bytes[start + j]) << UInt64(shift)
                }
                g.blocks[bi].instructions[ii].inst = .mov(dst: d, src: .imm(Int64(bitPattern: w.extend(v, signed: signed))), width: .w64)
            }
        }
        return g
    }
}
