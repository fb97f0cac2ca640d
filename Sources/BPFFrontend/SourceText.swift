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
}
