/// Read-only data whose contents are fixed at compile time (`Module.readOnlyData`:
/// `static const` tables, string literal bytes; never `const volatile`), with the pointer
/// words among them (`Module.readOnlyAddresses`) and the bytes the program writes in
/// some of them (`Module.writtenBytes`), as the passes that fold loads read it.
public struct ReadOnlyMemory: Sendable {
    public let data: [String: [UInt8]]
    public let addresses: [String: [Int: SymbolRef]]
    /// Bytes functions write, at known offsets: no load reads them as the data's.
    public let written: [String: [Range<Int>]]

    /// Of the written bytes, those only constants are stored to, with those constants.
    public let stored: [String: [Int: [UInt8]]]

    /// The objects whose bytes are all one value, with no pointer word among them and
    /// none written.
    public let uniform: [String: UInt8]

    public init(data: [String: [UInt8]] = [:], addresses: [String: [Int: SymbolRef]] = [:],
                written: [String: [Range<Int>]] = [:], stored: [String: [Int: [UInt8]]] = [:]) {
        self.data = data
        self.addresses = addresses
        self.written = written
        self.stored = stored
        var uniform: [String: UInt8] = [:]
        for (name, bytes) in data where addresses[name]?.isEmpty ?? true && written[name] == nil {
            if let first = bytes.first, bytes.allSatisfy({ $0 == first }) { uniform[name] = first }
        }
        self.uniform = uniform
    }

    public var isEmpty: Bool { data.isEmpty }

    /// What a load reads.
    public enum Content: Equatable {
        /// The bytes, in the target's byte order, extended as the load extends them.
        case value(UInt64)
        /// A whole pointer word the loader fills: the address it holds.
        case address(SymbolRef)
    }

    /// What a load of `width` bytes at `start` of `name` reads; nil outside the data, or
    /// for a part of a pointer word (its bytes are the loader's).
    public func read(_ name: String, at start: Int, width: Width, signed: Bool, bigEndian: Bool) -> Content? {
        guard let bytes = data[name], start >= 0, start + width.bytes <= bytes.count else { return nil }
        if let ranges = written[name], ranges.contains(where: { $0.overlaps(start..<(start + width.bytes)) }) { return nil }
        if let words = addresses[name] {
            if width == .w64, let target = words[start] { return .address(target) }
            if words.keys.contains(where: { $0 < start + width.bytes && start < $0 + 8 }) { return nil }
        }
        var v: UInt64 = 0
        for j in 0..<width.bytes {
            let shift = bigEndian ? (width.bytes - 1 - j) * 8 : j * 8
            v |= UInt64(bytes[start + j]) << UInt64(shift)
        }
        return .value(width.extend(v, signed: signed))
    }

    /// The bits known set and known clear in what a load of `width` bytes at `start` of
    /// `name` reads (zero-extended), byte by byte: a byte not written is its initial value;
    /// one only constants are written to has the bits its initial value and those
    /// constants agree on; any other byte, or a part of a pointer word, is not known.
    public func knownBits(_ name: String, at start: Int, width: Width, bigEndian: Bool) -> (ones: UInt64, zeros: UInt64)? {
        guard let bytes = data[name], start >= 0, start + width.bytes <= bytes.count else { return nil }
        if let words = addresses[name], words.keys.contains(where: { $0 < start + width.bytes && start < $0 + 8 }) { return nil }
        let ranges = written[name] ?? []
        var ones: UInt64 = 0, zeros: UInt64 = ~width.mask
        for j in 0..<width.bytes {
            let at = start + j
            var byteOnes = bytes[at], byteZeros = ~bytes[at]
            if ranges.contains(where: { $0.contains(at) }) {
                guard let values = stored[name]?[at] else { continue }
                for v in values { byteOnes &= v; byteZeros &= ~v }
            }
            let shift = UInt64(bigEndian ? (width.bytes - 1 - j) * 8 : j * 8)
            ones |= UInt64(byteOnes) << shift
            zeros |= UInt64(byteZeros) << shift
        }
        return (ones, zeros)
    }

    /// What a load of `width` bytes anywhere in `name` reads, when that is one value: every
    /// byte of the object is the same, none of a pointer word (a `static` array no
    /// function writes, all zeros, indexed by a register).
    public func readAnywhere(_ name: String, width: Width, signed: Bool) -> UInt64? {
        guard let byte = uniform[name], let bytes = data[name], bytes.count >= width.bytes else { return nil }
        var v: UInt64 = 0
        for j in 0..<width.bytes { v |= UInt64(byte) << UInt64(j * 8) }
        return width.extend(v, signed: signed)
    }

    /// Addresses into the data, followed through a walk of straight-line code (a loop
    /// being unrolled): a symbol's address, copied, plus a known constant. With
    /// `KnownValues`, which does not follow symbols, a walk learns the bytes a load of
    /// constant data reads (`prefix[i]` of a string literal, `i` known).
    struct Addresses: Equatable {
        private(set) var of: [VReg: SymbolRef] = [:]

        /// The registers `f` defines once, with a symbol's address in the data: known
        /// wherever the walk starts.
        init(definedOnceIn f: Function, memory: ReadOnlyMemory) {
            guard !memory.isEmpty else { return }
            let (_, defs) = f.useDefCounts()
            for b in f.blocks {
                for i in b.instructions {
                    if case .symbolAddr(let d, let s) = i.inst, defs[d] == 1, memory.data[s.name] != nil { of[d] = s }
                }
            }
        }

        /// Carries the addresses past `inst`, whose operands have `value` before it;
        /// the constant `inst` loads from the data, if it loads from it.
        mutating func step(_ inst: Inst, in memory: ReadOnlyMemory, bigEndian: Bool,
                           value: (Operand) -> KnownValue?) -> UInt64? {
            var loaded: UInt64? = nil
            var address: SymbolRef? = nil
            switch inst {
            case .symbolAddr(_, let s) where memory.data[s.name] != nil:
                address = s
            case .mov(_, .reg(let r), .w64):
                address = of[r]
            case .binary(.add, _, let l, let r, .w64):
                if let s = of[l], case .int(let k)? = value(r) { address = s.adding(k) }
                else if case .reg(let rr) = r, let s = of[rr], case .int(let k)? = value(.reg(l)) { address = s.adding(k) }
            case .binary(.sub, _, let l, let r, .w64):
                if let s = of[l], case .int(let k)? = value(r) { address = s.adding(0 &- k) }
            case .load(_, .reg(let r), let off, let w, let signed):
                // A number, or a pointer word of a table of pointers (`prefixes[p]` of
                // `static const char *const prefixes[]`): an address into the data in turn.
                if let s = of[r], let offset = Int(exactly: s.offset) {
                    switch memory.read(s.name, at: offset + off, width: w, signed: signed, bigEndian: bigEndian) {
                    case .value(let v)?: loaded = v
                    case .address(let target)? where memory.data[target.name] != nil: address = target
                    default: break
                    }
                }
            default:
                break
            }
            inst.forEachDef { of[$0] = nil }
            if let d = inst.singleDef, let a = address { of[d] = a }
            return loaded
        }

        func agreeing(with other: Addresses) -> Addresses {
            var a = self
            a.of = of.agreeing(with: other.of)
            return a
        }
    }
}

extension SymbolRef {
    /// The address `k` bytes on (wrapping as the machine does); nil past what an offset holds.
    func adding(_ k: UInt64) -> SymbolRef? {
        let d = Int64(bitPattern: k)
        guard d.magnitude < 1 << 30 else { return nil }
        var s = self
        s.offset += d
        return s
    }
}
