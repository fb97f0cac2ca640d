import Glibc
import BPFFrontend

/// Source text by line, for .BTF.ext line_info records. Each file is read once and
/// indexed by line starts; only the lines asked for become strings. Lines end at "\n"
/// (a "\r" before it dropped), as clang's BTF writer splits a file for these records: a
/// lone "\r" does not end a line here, unlike in clang's line numbers and diagnostics
/// (`LineTable`), and clang's objects carry the text split this way.
struct SourceLines {
    private struct Text { var bytes: [UInt8]; var starts: [Int] }
    private var cache: [String: Text] = [:]

    mutating func line(_ file: String, _ n: Int) -> String {
        if cache[file] == nil {
            let bytes = Driver.sourceBytes(file) ?? []
            var starts = [0]
            for (i, b) in bytes.enumerated() where b == UInt8(ascii: "\n") { starts.append(i + 1) }
            cache[file] = Text(bytes: bytes, starts: starts)
        }
        guard let text = cache[file], n >= 1, n <= text.starts.count else { return "" }
        let start = text.starts[n - 1]
        var end = n < text.starts.count ? text.starts[n] - 1 : text.bytes.count
        if end > start && text.bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        guard start <= end else { return "" }
        return String(decoding: text.bytes[start..<end], as: UTF8.self)
    }
}
