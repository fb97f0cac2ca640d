/// The globals a module only reads: every address of them that a function computes
/// (`symbolAddr`, and arithmetic on it) ends as the base of a load or in a branch's
/// comparison, never stored through, stored, passed, returned or handed to an atomic
/// operation or inline assembly. A `static` variable no function writes keeps its
/// initializer for the program's life, so loads from it are constants, as clang's
/// global optimizer makes them (a `static __u64 seed;` read and never written is 0).
public enum UnwrittenGlobals {
    /// Those of `candidates` that no function of `functions` writes or lets escape.
    public static func onlyLoaded(_ candidates: Set<String>, in functions: [Function]) -> Set<String> {
        guard !candidates.isEmpty else { return [] }
        var kept = candidates
        for f in functions {
            // Registers holding (or computed from) a candidate's address, and which one.
            var derived: [VReg: String] = [:]
            for b in f.blocks {
                for i in b.instructions {
                    if case .symbolAddr(let d, let s) = i.inst, kept.contains(s.name) { derived[d] = s.name }
                }
            }
            guard !derived.isEmpty else { continue }
            // Arithmetic on an address is an address: followed to a fixed point (a
            // register may be defined in a later block than its use in a loop).
            var grew = true
            while grew {
                grew = false
                for b in f.blocks {
                    for i in b.instructions {
                        switch i.inst {
                        case .mov, .binary, .neg, .ext, .bswap:
                            var source: String?
                            i.inst.forEachUse { r in if source == nil { source = derived[r] } }
                            if let name = source, let d = i.inst.singleDef, derived[d] == nil {
                                derived[d] = name
                                grew = true
                            }
                        default: break
                        }
                    }
                }
            }
            for b in f.blocks {
                for i in b.instructions {
                    switch i.inst {
                    case .mov, .binary, .neg, .ext, .bswap, .symbolAddr, .slotAddr, .loadImm64, .coreValue:
                        continue
                    case .load(_, .reg, _, _, _):
                        continue      // read through; what it loads is not an address of it
                    default:
                        i.inst.forEachUse { r in if let name = derived[r] { kept.remove(name) } }
                    }
                }
                if case .ret(.reg(let r)?) = b.terminator, let name = derived[r] { kept.remove(name) }
            }
            if kept.isEmpty { return [] }
        }
        return kept
    }
}
