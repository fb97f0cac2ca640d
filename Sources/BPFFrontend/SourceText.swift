/// The text of a file as libclang holds it, for the converter to read a word from
/// in place of asking libclang to tokenize (it lexes a whole extent to hand out its first
/// token).
///
/// The bytes are libclang's buffer of the file: the translation unit must outlive this.
struct SourceText {
    let bytes: UnsafeRawBufferPointer

    /// The identifier or keyword starting at `offset` (empty when none starts there; nil
    /// when the word goes on in an escape, a line splice or a non-ASCII character, which
    /// only a lexer reads, or `offset` is past the end).
    func word(at offset: Int) -> String? {
        guard offset >= 0, offset <= bytes.count else { return nil }
        guard offset < bytes.count, Self.startsWord(bytes[offset]) else { return "" }
        var end = offset
        while end < bytes.count, Self.startsWord(bytes[end]) || (48...57).contains(bytes[end]) { end += 1 }
        if end < bytes.count, bytes[end] >= 0x80 || bytes[end] == UInt8(ascii: "\\") { return nil }
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[offset..<end]), as: UTF8.self)
    }

    /// Whether a byte starts an identifier (`$` too, as clang allows by default).
    static func startsWord(_ b: UInt8) -> Bool {
        (65...90).contains(b) || (97...122).contains(b) || b == UInt8(ascii: "_") || b == UInt8(ascii: "$")
    }

    /// Whether an initializer element starting at `offset` starts with a designator
    /// (`[` or `.` and a name; `.5` is a number).
    func startsDesignator(at offset: Int) -> Bool {
        guard offset < bytes.count else { return false }
        if bytes[offset] == UInt8(ascii: "[") { return true }
        return bytes[offset] == UInt8(ascii: ".") && offset + 1 < bytes.count && !(48...57).contains(bytes[offset + 1])
            && bytes[offset + 1] != UInt8(ascii: ".")
    }

    /// The designators of an initializer element starting at `offset`, up to its `=`: for
    /// each `[...]` group, whether it is a GNU range (`[lo ... hi]`). Comments, literals
    /// and line splices are skipped as a lexer skips them; nil when the text does not read
    /// as designators followed by `=`.
    func designatorRanges(at offset: Int) -> [Bool]? {
        var i = offset
        var groups = DesignatorGroups()
        func at(_ k: Int) -> UInt8 { k < bytes.count ? bytes[k] : 0 }
        while i < bytes.count {
            let c = bytes[i]
            switch c {
            case 32, 9, 10, 11, 12, 13: i += 1; continue
            case UInt8(ascii: "\\") where at(i + 1) == 10 || at(i + 1) == 13: i += 2; continue
            case UInt8(ascii: "/") where at(i + 1) == UInt8(ascii: "/"):
                while i < bytes.count && bytes[i] != 10 { i += 1 }
                continue
            case UInt8(ascii: "/") where at(i + 1) == UInt8(ascii: "*"):
                i += 2
                while i < bytes.count && !(bytes[i] == UInt8(ascii: "*") && at(i + 1) == UInt8(ascii: "/")) { i += 1 }
                i += 2
                continue
            case UInt8(ascii: "'"), UInt8(ascii: "\""):
                i += 1
                while i < bytes.count && bytes[i] != c && bytes[i] != 10 { i += bytes[i] == UInt8(ascii: "\\") ? 2 : 1 }
                i += 1
                continue
            case UInt8(ascii: "."), UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "="):
                let ellipsis = c == UInt8(ascii: ".") && at(i + 1) == UInt8(ascii: ".") && at(i + 2) == UInt8(ascii: ".")
                if !groups.read(ellipsis ? "..." : String(UnicodeScalar(c))) { return groups.malformed ? nil : groups.ranges }
                i += ellipsis ? 3 : 1
                continue
            default:
                // Outside brackets only `.member` designators come before the `=`.
                if !groups.inBrackets && !(Self.startsWord(c) || (48...57).contains(c)) { return nil }
            }
            i += 1
        }
        return nil
    }
}

/// Which `[...]` groups of an initializer element's designators are GNU ranges (`[lo ...
/// hi]`), read one token at a time up to the `=` (from the text, or from libclang's tokens).
struct DesignatorGroups {
    private(set) var ranges: [Bool] = []
    /// A `]` closed no `[`.
    private(set) var malformed = false
    private var depth = 0, sawEllipsis = false
    var inBrackets: Bool { depth > 0 }

    /// Takes a token; false once the designators are over (at their `=`, or malformed).
    mutating func read(_ token: String) -> Bool {
        switch token {
        case "=" where depth == 0: return false
        case "[":
            if depth == 0 { sawEllipsis = false }
            depth += 1
        case "]":
            depth -= 1
            if depth < 0 { malformed = true; return false }
            if depth == 0 { ranges.append(sawEllipsis) }
        case "..." where depth == 1: sawEllipsis = true
        default: break
        }
        return true
    }
}
