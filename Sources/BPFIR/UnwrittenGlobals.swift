/// The globals a module only reads, or writes only at known bytes: every address of them
/// that a function computes (`symbolAddr`, and arithmetic on it) ends as the base of a
/// load, of a store or atomic operation at a constant offset, or in a branch's comparison;
/// it is never stored, passed, returned, handed to inline assembly, or the base of a
/// write at an offset not known (a write at an index `ValueBounds` bounds writes every
/// byte the index may reach: `g.buckets[i & 7]`). A `static` variable keeps its
/// initializer for the program's life in the bytes no function writes, so loads from them
/// are constants, as clang's global optimizer makes them (a `static __u64 seed;` read and
/// never written is 0; `g[0]` of a `static int g[2]` whose functions only write `g[1]`).
public enum UnwrittenGlobals {
    /// Those of `candidates` that no function of `functions` writes or lets escape.
    public static func onlyLoaded(_ candidates: Set<String>, in functions: [Function]) -> Set<String> {
        Set(writtenBytes(candidates, in: functions).filter { $0.value.isEmpty }.keys)
    }

    /// For each of `candidates` that no function lets escape, the byte ranges functions
    /// write in it (none: the object is only read).
    public static func writtenBytes(_ candidates: Set<String>, in functions: [Function]) -> [String: [Range<Int>]] {
        writes(candidates, in: functions, bigEndian: false).mapValues(\.ranges)
    }

    /// What functions write in a candidate: the byte ranges, and for the bytes only
    /// constants are stored to, those constants' bytes (a `static` flag set to 0x80 in one
    /// branch holds its initializer or 0x80).
    public struct Writes {
        public var ranges: [Range<Int>] = []
        public var constants: [Int: [UInt8]] = [:]
        var variable: Set<Int> = []
    }

    /// For each function of `module`, the statics its `writtenBytes` lists (accesses all
    /// at known places, address escaping nowhere) that no other function names: that
    /// function's private variables (`DeadControlFlow`). Empty when there are none.
    public static func privateStatics(of module: Module) -> [Set<String>] {
        guard !module.writtenBytes.isEmpty else { return [] }
        var users: [String: Set<Int>] = [:]
        for (i, f) in module.functions.enumerated() {
            f.forEachInstruction { _, inst in
                if case .symbolAddr(_, let s) = inst, module.writtenBytes[s.name] != nil { users[s.name, default: []].insert(i) }
            }
        }
        var out = [Set<String>](filled: [], count: module.functions.count)
        for (name, fs) in users where fs.count == 1 { out[fs.first!].insert(name) }
        return out
    }

    /// What `module`'s functions, optimized, still write in the objects its `writtenBytes`
    /// lists, where that differs from the list (a store of what was just loaded has gone),
    /// and in those its `unknownlyWritten` lists that they now write only at known places
    /// (the store at an index not known has gone): the byte ranges and stored constants
    /// to list instead — true of the program as it now is, every function's writes
    /// counted —, and the indices of the functions taking an address of such an object.
    /// Nil when nothing changed.
    public static func fewerWrites(in module: Module) -> (module: Module, readers: [Int])? {
        guard !module.writtenBytes.isEmpty || !module.unknownlyWritten.isEmpty else { return nil }
        let now = writes(Set(module.writtenBytes.keys).union(module.unknownlyWritten.keys), in: module.functions,
                         bigEndian: module.functions.first?.bigEndian ?? false)
        func bytes(_ ranges: [Range<Int>]) -> Set<Int> { Set(ranges.joined()) }
        var changed: Set<String> = []
        var m = module
        for (name, initial) in module.unknownlyWritten {
            guard let w = now[name] else { continue }
            changed.insert(name)
            m.unknownlyWritten[name] = nil
            m.readOnlyData[name] = initial
            m.writtenBytes[name] = w.ranges.isEmpty ? nil : w.ranges
            m.storedBytes[name] = w.constants.isEmpty ? nil : w.constants
        }
        for (name, old) in module.writtenBytes {
            // (An object that escapes now, as no optimization makes one, keeps what was known.)
            guard let w = now[name] else { continue }
            let constants = w.constants.isEmpty ? nil : w.constants
            // (As sets: the same constants may be found in another order.)
            guard bytes(w.ranges) != bytes(old) || constants?.mapValues(Set.init) != module.storedBytes[name]?.mapValues(Set.init) else { continue }
            changed.insert(name)
            m.writtenBytes[name] = w.ranges.isEmpty ? nil : w.ranges
            m.storedBytes[name] = constants
        }
        guard !changed.isEmpty else { return nil }
        let readers = module.functions.indices.filter { module.functions[$0].takesAddress(ofAnyOf: changed) }
        return (m, readers)
    }

    /// For each of `candidates` that no function lets escape, what functions write in it.
    public static func writes(_ candidates: Set<String>, in functions: [Function], bigEndian: Bool) -> [String: Writes] {
        guard !candidates.isEmpty else { return [:] }
        var kept = candidates
        var written: [String: Writes] = [:]
        for f in functions {
            let (derived, address) = addressRegisters(of: kept, in: f)
            guard !derived.isEmpty else { continue }
            var constants: [VReg: Int64]? = nil
            var indexed: IndexedAddresses? = nil
            /// The bytes a write of `bytes` at `off` from `base` touches, when it writes a
            /// candidate, and the constant it writes if it is one.
            func write(_ base: Address, _ off: Int, _ bytes: Int, _ value: Operand? = nil) {
                guard case .reg(let r) = base, let name = derived[r] else { return }
                if address[r] == nil {
                    // At an index bounded by what it is computed from (`g.f3[i & 7]`):
                    // every byte it may reach is written, with a value not known.
                    if indexed == nil { indexed = IndexedAddresses(f, derived: derived, address: address) }
                    guard let span = indexed!.offsets(r), let lo = Int(exactly: Int64(off) + span.lowerBound),
                          let hi = Int(exactly: Int64(off) + span.upperBound), lo >= 0 else {
                        kept.remove(name)
                        return
                    }
                    written[name, default: Writes()].ranges.append(lo..<(hi + bytes))
                    written[name]!.variable.formUnion(lo..<(hi + bytes))
                    return
                }
                if let a = address[r]?.adding(UInt64(bitPattern: Int64(off))), let k = Int(exactly: a.offset) {
                    written[name, default: Writes()].ranges.append(k..<(k + bytes))
                    for j in 0..<bytes {
                        if case .imm(let v)? = value {
                            let shift = bigEndian ? (bytes - 1 - j) * 8 : j * 8
                            written[name]!.constants[k + j, default: []].append(UInt8(truncatingIfNeeded: UInt64(bitPattern: v) >> UInt64(shift)))
                        } else {
                            written[name]!.variable.insert(k + j)
                        }
                    }
                } else {
                    kept.remove(name)
                }
            }
            for b in f.blocks {
                for i in b.instructions {
                    switch i.inst {
                    case .mov, .binary, .neg, .ext, .bswap, .symbolAddr, .slotAddr, .loadImm64, .coreValue:
                        continue
                    case .load(_, .reg, _, _, _):
                        continue      // read through; what it loads is not an address of it
                    case .store(let base, let off, let value, let w):
                        // (A register written once with a constant stores that constant.)
                        if case .reg(let v) = value, case .reg(let r) = base, derived[r] != nil {
                            if constants == nil { constants = f.singleConstants }
                            write(base, off, w.bytes, constants![v].map { .imm($0) } ?? value)
                        } else {
                            write(base, off, w.bytes, value)
                        }
                        if case .reg(let v) = value, let name = derived[v] { kept.remove(name) }     // the address stored
                    case .atomic(_, let base, let off, let value, let w, _):
                        write(base, off, w.bytes)
                        if let name = derived[value] { kept.remove(name) }
                    case .cmpxchg(_, let base, let off, let expected, let new, let w):
                        write(base, off, w.bytes)
                        for v in [expected, new] { if let name = derived[v] { kept.remove(name) } }
                    default:
                        i.inst.forEachUse { r in if let name = derived[r] { kept.remove(name) } }
                    }
                }
                if case .ret(.reg(let r)?) = b.terminator, let name = derived[r] { kept.remove(name) }
            }
            if kept.isEmpty { return [:] }
        }
        var result: [String: Writes] = [:]
        for name in kept {
            var w = written[name] ?? Writes()
            for k in w.variable { w.constants[k] = nil }
            result[name] = w
        }
        return result
    }

    /// The offsets into their object that registers computed once from an address of it
    /// plus an index hold: the address plus or minus constants, plus registers whose
    /// values `ValueBounds` bounds (to a span of at most `maxSpan` bytes).
    struct IndexedAddresses {
        static let maxSpan: Int64 = 4096
        let derived: [VReg: String]
        let address: [VReg: SymbolRef]
        let definitions: [VReg: [Inst]]
        var bounds: ValueBounds

        init(_ f: Function, derived: [VReg: String], address: [VReg: SymbolRef]) {
            self.derived = derived
            self.address = address
            definitions = f.definitionsByRegister
            bounds = ValueBounds(definitions: definitions, parameters: Set(f.parameters), returns: f.returnBounds)
        }

        mutating func offsets(_ r: VReg, depth: Int = 0) -> ClosedRange<Int64>? {
            if let a = address[r] {
                let k = a.offset
                return abs(k) < Int64(Int32.max) ? k...k : nil
            }
            guard depth < 16, derived[r] != nil, let ds = definitions[r], ds.count == 1 else { return nil }
            func shifted(_ base: ClosedRange<Int64>, _ k: Int64) -> ClosedRange<Int64>? {
                abs(k) < Int64(Int32.max) ? (base.lowerBound + k)...(base.upperBound + k) : nil
            }
            switch ds[0] {
            case .mov(_, .reg(let s), .w64):
                return offsets(s, depth: depth + 1)
            case .binary(.add, _, let l, .imm(let k), .w64):
                return offsets(l, depth: depth + 1).flatMap { shifted($0, k) }
            case .binary(.sub, _, let l, .imm(let k), .w64):
                return k == .min ? nil : offsets(l, depth: depth + 1).flatMap { shifted($0, -k) }
            case .binary(.add, _, let l, .reg(let x), .w64):
                // One side the address, the other an index.
                let (addr, index) = derived[l] != nil ? (l, x) : (x, l)
                guard derived[index] == nil, let base = offsets(addr, depth: depth + 1),
                      let m = bounds.upperBound(index), m <= UInt64(Self.maxSpan) else { return nil }
                let span = base.lowerBound...(base.upperBound + Int64(m))
                return span.upperBound - span.lowerBound <= Self.maxSpan ? span : nil
            default:
                return nil
            }
        }
    }

    /// The registers of `f` holding (or computed from) the address of one of `names`, and
    /// which one; for a register defined once as the symbol plus constants, that address.
    static func addressRegisters(of names: Set<String>, in f: Function) -> (derived: [VReg: String], address: [VReg: SymbolRef]) {
        var derived: [VReg: String] = [:]
        var address: [VReg: SymbolRef] = [:]
        var defs: RegCounts? = nil
        func once(_ d: VReg) -> Bool {
            if defs == nil { defs = f.useDefCounts().defs }
            return defs![d] == 1
        }
        for b in f.blocks {
            for i in b.instructions {
                if case .symbolAddr(let d, let s) = i.inst, names.contains(s.name) {
                    derived[d] = s.name
                    if once(d) { address[d] = s }
                }
            }
        }
        guard !derived.isEmpty else { return ([:], [:]) }
        // Arithmetic on an address is an address: followed to a fixed point (a register
        // may be defined in a later block than its use in a loop).
        var grew = true
        while grew {
            grew = false
            for b in f.blocks {
                for i in b.instructions {
                    switch i.inst {
                    case .mov, .binary, .neg, .ext, .bswap:
                        var source: String?
                        i.inst.forEachUse { r in if source == nil { source = derived[r] } }
                        guard let name = source, let d = i.inst.singleDef, derived[d] == nil else { continue }
                        derived[d] = name
                        grew = true
                        guard once(d) else { continue }
                        switch i.inst {
                        case .mov(_, .reg(let r), .w64): address[d] = address[r]
                        case .binary(.add, _, let l, .imm(let k), .w64): address[d] = address[l]?.adding(UInt64(bitPattern: k))
                        case .binary(.sub, _, let l, .imm(let k), .w64): address[d] = address[l]?.adding(0 &- UInt64(bitPattern: k))
                        default: break
                        }
                    default: break
                    }
                }
            }
        }
        return (derived, address)
    }
}

extension Function {
    /// Whether the function takes the address (`symbolAddr`) of one of `names`.
    func takesAddress(ofAnyOf names: Set<String>) -> Bool {
        blocks.contains { b in
            b.instructions.contains { if case .symbolAddr(_, let s) = $0.inst { return names.contains(s.name) }; return false }
        }
    }
}
