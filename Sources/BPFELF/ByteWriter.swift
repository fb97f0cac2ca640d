/// Appends fixed-width integers in a chosen byte order.
struct ByteWriter {
    var bytes: [UInt8] = []
    let bigEndian: Bool

    init(bigEndian: Bool) { self.bigEndian = bigEndian }

    mutating func u8(_ v: UInt8) { bytes.append(v) }
    mutating func u16(_ v: UInt16) { put(UInt64(v), 2) }
    mutating func u32(_ v: UInt32) { put(UInt64(v), 4) }
    mutating func u64(_ v: UInt64) { put(v, 8) }
    mutating func append(_ b: [UInt8]) { bytes += b }
    mutating func align(_ a: Int) { while bytes.count % a != 0 { bytes.append(0) } }

    private mutating func put(_ v: UInt64, _ n: Int) {
        for i in 0..<n {
            let shift = bigEndian ? (n - 1 - i) * 8 : i * 8
            bytes.append(UInt8(truncatingIfNeeded: v >> UInt64(shift)))
        }
    }
}

/// A string table: NUL-separated names, deduplicated, starting with the empty name.
struct StringTable {
    private(set) var bytes: [UInt8] = [0]
    private var offsets: [String: UInt32] = ["": 0]

    mutating func add(_ s: String) -> UInt32 {
        if let o = offsets[s] { return o }
        let o = UInt32(bytes.count)
        bytes += Array(s.utf8) + [0]
        offsets[s] = o
        return o
    }
}
