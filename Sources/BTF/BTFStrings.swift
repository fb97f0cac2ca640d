/// The BTF string section: NUL-terminated strings, deduplicated, offset 0 is "".
///
/// The strings live only in the section's bytes; an open-addressing table of their
/// offsets, hashed over the bytes (FNV-1a), finds a string already there. (A dictionary
/// keyed by `String` hashed every name with the standard library's seeded SipHash and
/// kept a second copy of it: a tenth of building a vmlinux.h program's object.)
struct BTFStrings: Sendable {
    private(set) var bytes: [UInt8] = [0]
    /// Offsets into `bytes`, `empty` where free; the count is a power of two.
    private var table = [UInt32](repeating: BTFStrings.empty, count: 256)
    private var stored = 0
    private static let empty = UInt32.max

    /// The offset of `s` (up to an embedded NUL, which would end it), added if new.
    mutating func add(_ s: String) -> UInt32 {
        var s = s
        return s.withUTF8 { add(utf8: UnsafeBufferPointer(rebasing: $0[..<($0.firstIndex(of: 0) ?? $0.count)])) }
    }

    private mutating func add(utf8 s: UnsafeBufferPointer<UInt8>) -> UInt32 {
        if s.isEmpty { return 0 }
        var i = BTFStrings.hash(s) & (table.count - 1)
        while table[i] != BTFStrings.empty {
            if holds(s, at: Int(table[i])) { return table[i] }
            i = (i + 1) & (table.count - 1)
        }
        let offset = UInt32(bytes.count)
        bytes.append(contentsOf: s)
        bytes.append(0)
        table[i] = offset
        stored += 1
        if stored * 2 > table.count { grow() }
        return offset
    }

    /// Whether the string at `offset` is `s`.
    private func holds(_ s: UnsafeBufferPointer<UInt8>, at offset: Int) -> Bool {
        guard offset + s.count < bytes.count, bytes[offset + s.count] == 0 else { return false }
        return bytes.withUnsafeBufferPointer { b in
            for k in 0..<s.count where b[offset + k] != s[k] { return false }
            return true
        }
    }

    private mutating func grow() {
        var bigger = [UInt32](repeating: BTFStrings.empty, count: table.count * 2)
        bytes.withUnsafeBufferPointer { b in
            for offset in table where offset != BTFStrings.empty {
                var end = Int(offset)
                while b[end] != 0 { end += 1 }
                var i = BTFStrings.hash(UnsafeBufferPointer(rebasing: b[Int(offset)..<end])) & (bigger.count - 1)
                while bigger[i] != BTFStrings.empty { i = (i + 1) & (bigger.count - 1) }
                bigger[i] = offset
            }
        }
        table = bigger
    }

    private static func hash(_ s: UnsafeBufferPointer<UInt8>) -> Int {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for c in s { h = (h ^ UInt64(c)) &* 0x100_0000_01b3 }
        return Int(truncatingIfNeeded: h ^ (h >> 29))
    }
}
