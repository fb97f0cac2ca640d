/// A set of virtual registers as a bit vector over their ids (ids are dense from 0):
/// what liveness and dead code elimination union and test in their inner loops.
public struct RegSet: Sequence, Sendable {
    var words: [UInt64]

    public init(capacity: Int = 0) { words = Array(filled: 0, count: (capacity + 63) >> 6) }
    public init<S: Sequence>(_ regs: S, capacity: Int = 0) where S.Element == VReg {
        self.init(capacity: capacity)
        for r in regs { insert(r) }
    }

    public func contains(_ r: VReg) -> Bool {
        let w = r.id >> 6
        return w < words.count && words[w] & (1 << UInt64(r.id & 63)) != 0
    }
    public mutating func insert(_ r: VReg) {
        let w = r.id >> 6
        if w >= words.count { words += Array(filled: 0, count: w + 1 - words.count) }
        words[w] |= 1 << UInt64(r.id & 63)
    }
    public mutating func remove(_ r: VReg) {
        let w = r.id >> 6
        if w < words.count { words[w] &= ~(1 << UInt64(r.id & 63)) }
    }
    public mutating func formUnion(_ o: RegSet) {
        if o.words.count > words.count { words += Array(filled: 0, count: o.words.count - words.count) }
        for i in o.words.indices { words[i] |= o.words[i] }
    }
    public mutating func subtract(_ o: RegSet) {
        for i in 0..<Swift.min(words.count, o.words.count) { words[i] &= ~o.words[i] }
    }
    /// Inserts (`value` true) or removes every id of `ids`, a word at a time.
    public mutating func set(_ ids: Range<Int>, to value: Bool) {
        guard !ids.isEmpty else { return }
        if value && (ids.upperBound - 1) >> 6 >= words.count {
            words += Array(filled: 0, count: ((ids.upperBound - 1) >> 6) + 1 - words.count)
        }
        var i = ids.lowerBound
        while i < ids.upperBound {
            let w = i >> 6
            guard w < words.count else { return }
            let low = i & 63, high = Swift.min(64, ids.upperBound - (w << 6))
            let mask: UInt64 = (high == 64 ? ~0 : (1 << UInt64(high)) - 1) & ~((1 << UInt64(low)) - 1)
            if value { words[w] |= mask } else { words[w] &= ~mask }
            i = (w + 1) << 6
        }
    }
    public var isEmpty: Bool { words.allSatisfy { $0 == 0 } }
    /// Empties the set, keeping its storage.
    public mutating func removeAll() {
        for i in words.indices where words[i] != 0 { words[i] = 0 }
    }

    public func makeIterator() -> Iterator { Iterator(words: words) }

    /// The members in increasing id order (a concrete type: a type-erased iterator costs a
    /// closure allocation and runtime type lookups in a short-lived compiler process).
    public struct Iterator: IteratorProtocol {
        let words: [UInt64]
        var w = 0
        var bits: UInt64

        init(words: [UInt64]) {
            self.words = words
            bits = words.first ?? 0
        }

        public mutating func next() -> VReg? {
            while true {
                if bits != 0 {
                    let b = bits.trailingZeroBitCount
                    bits &= bits - 1
                    return VReg(w << 6 | b)
                }
                w += 1
                guard w < words.count else { return nil }
                bits = words[w]
            }
        }
    }
}

extension RegSet: Equatable {
    public static func == (a: RegSet, b: RegSet) -> Bool {
        let n = Swift.max(a.words.count, b.words.count)
        for i in 0..<n where (i < a.words.count ? a.words[i] : 0) != (i < b.words.count ? b.words[i] : 0) { return false }
        return true
    }
}

/// A value per virtual register, by id (ids are dense from 0): a `[VReg: Value]` table
/// without hashing, for the lookups passes make at every operand.
public struct RegMap<Value> {
    private var values: [Value?]

    public init(capacity: Int) { values = Array(filled: nil, count: max(0, capacity)) }

    public subscript(r: VReg) -> Value? {
        get { r.id >= 0 && r.id < values.count ? values[r.id] : nil }
        set {
            guard r.id >= 0 else { return }
            if r.id >= values.count { values += Array(filled: nil, count: r.id + 1 - values.count) }
            values[r.id] = newValue
        }
    }
}
