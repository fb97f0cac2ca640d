extension Array {
    /// `count` copies of `value`, as `Array(repeating:count:)` makes them, without its
    /// cost: that initializer allocates through a generic entry of the standard library,
    /// which looks the storage class's metadata up at run time (about 800 instructions an
    /// array, and the passes make thousands of small arrays per compile); this one is
    /// specialized for the element type where it is used.
    @inlinable
    public init(filled value: Element, count: Int) {
        self.init(repeatElement(value, count: count))
    }
}

extension Array where Element: Equatable {
    /// Each element once, in the order of first appearance: for the few registers an
    /// instruction names, where a `Set` would be allocated through the same kind of
    /// generic entry (and iterated in an order that changes from process to process).
    @inlinable
    public var distinct: [Element] {
        var out: [Element] = []
        for e in self where !out.contains(e) { out.append(e) }
        return out
    }
}
