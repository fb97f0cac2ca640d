/// The BTF string section: NUL-terminated strings, deduplicated, offset 0 is "".
struct BTFStrings: Sendable {
    private(set) var bytes: [UInt8] = [0]
    private var offsets: [String: UInt32] = ["": 0]

    mutating func add(_ s: String) -> UInt32 {
        if let o = offsets[s] { return o }
        let o = UInt32(bytes.count)
        // An embedded NUL would split the string; keep only what precedes it.
        let utf8 = Array(s.utf8.prefix { $0 != 0 })
        bytes += utf8 + [0]
        offsets[s] = o
        return o
    }

    func offset(of s: String) -> UInt32? { offsets[s] }
}
