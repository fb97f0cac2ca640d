/// The BTF string section: NUL-terminated strings, deduplicated, offset 0 is "".
struct BTFStrings: Sendable {
    private(set) var bytes: [UInt8] = [0]
    private var offsets: [String: UInt32] = ["": 0]

    mutating func add(_ s: String) -> UInt32 {
        // One hash of `s`: the table's slot for it is looked up and, if new, filled at once.
        let next = UInt32(bytes.count)
        var isNew = false
        func claim(_ slot: inout UInt32) -> UInt32 {
            if slot == .max { slot = next; isNew = true }
            return slot
        }
        let o = claim(&offsets[s, default: .max])
        if isNew {
            // An embedded NUL would split the string; keep only what precedes it.
            for c in s.utf8 {
                if c == 0 { break }
                bytes.append(c)
            }
            bytes.append(0)
        }
        return o
    }

    func offset(of s: String) -> UInt32? { offsets[s] }
}
