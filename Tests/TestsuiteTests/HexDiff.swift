/// Describes where two hex strings (bytes) differ, for failure messages.
enum HexDiff {
    /// nil when equal; else lengths, the first differing byte offset and both windows
    /// of 16 bytes around it, e.g.
    /// `first difference at byte 12 (ours 0x08, clang 0x86); ours 42 bytes, clang 42 bytes`
    /// followed by `ours  [0008] ...` / `clang [0008] ...` lines.
    static func describe(ours: String, clang: String) -> String? {
        if ours == clang { return nil }
        let a = bytes(ours), b = bytes(clang)
        let common = min(a.count, b.count)
        var first = common
        for i in 0..<common where a[i] != b[i] { first = i; break }
        var s = "ours \(a.count) bytes, clang \(b.count) bytes; "
        if first < common {
            s += "first difference at byte \(first) (ours 0x\(hex(a[first])), clang 0x\(hex(b[first])))"
        } else {
            s += "one is a prefix of the other; they differ from byte \(first)"
        }
        let start = max(0, first - 8) / 8 * 8
        s += "\n  ours  [\(offset(start))] \(window(a, start, first))"
        s += "\n  clang [\(offset(start))] \(window(b, start, first))"
        return s
    }

    static func bytes(_ hexString: String) -> [UInt8] {
        var out: [UInt8] = []
        let chars = Array(hexString.utf8)
        var i = 0
        while i + 1 < chars.count {
            if let hi = nibble(chars[i]), let lo = nibble(chars[i + 1]) { out.append(hi << 4 | lo) }
            i += 2
        }
        return out
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    private static func hex(_ b: UInt8) -> String { b < 16 ? "0" + String(b, radix: 16) : String(b, radix: 16) }

    private static func offset(_ o: Int) -> String {
        let h = String(o, radix: 16)
        return String(repeating: "0", count: max(0, 4 - h.count)) + h
    }

    /// 24 bytes from `start`, the first differing one marked with `>`.
    private static func window(_ b: [UInt8], _ start: Int, _ mark: Int) -> String {
        guard start < b.count else { return "(ends before byte \(start))" }
        return b[start..<min(b.count, start + 24)].enumerated().map { i, v in
            (start + i == mark ? ">" : "") + hex(v)
        }.joined(separator: " ")
    }
}
