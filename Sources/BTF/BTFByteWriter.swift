/// Appends 8/16/32-bit words in a chosen byte order.
struct BTFByteWriter {
    var bytes: [UInt8] = []
    let bigEndian: Bool
    init(bigEndian: Bool) { self.bigEndian = bigEndian }
    mutating func u8(_ v: UInt8) { bytes.append(v) }
    mutating func u16(_ v: UInt16) { put(UInt64(v), 2) }
    mutating func u32(_ v: UInt32) { put(UInt64(v), 4) }
    mutating func u32(_ v: Int) { u32(UInt32(truncatingIfNeeded: v)) }
    private mutating func put(_ v: UInt64, _ n: Int) {
        for i in 0..<n { bytes.append(UInt8(truncatingIfNeeded: v >> UInt64(bigEndian ? (n - 1 - i) * 8 : i * 8))) }
    }
}
