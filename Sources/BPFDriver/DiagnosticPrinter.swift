import Glibc
import BPFFrontend

/// Prints diagnostics the way clang does: `file:line:col: error: message`, the
/// source line, and a caret under the column.
struct DiagnosticPrinter {
    /// Each file read for a source line, with its lines as clang numbers them.
    private var files: [String: (bytes: [UInt8], lines: LineTable)?] = [:]

    mutating func render(_ d: Diagnostic) -> String {
        var out = d.location.line > 0 ? "\(d.location): \(d.severity.rawValue): \(d.message)\n"
                                      : "swift-bpfcc: \(d.severity.rawValue): \(d.message)\n"
        if d.location.line > 0, let line = sourceLine(d.location.file, d.location.line) {
            out += line + "\n"
            let caretColumn = max(1, d.location.column)
            var pad = ""
            for (i, ch) in line.enumerated() where i < caretColumn - 1 { pad.append(ch == "\t" ? "\t" : " ") }
            out += pad + "^\n"
        }
        return out
    }

    private mutating func sourceLine(_ file: String, _ n: Int) -> String? {
        if files[file] == nil { files[file] = .some(Driver.sourceBytes(file).map { ($0, LineTable($0)) }) }
        guard let text = files[file] ?? nil, let r = text.lines.range(ofLine: n) else { return nil }
        let bytes = text.bytes[r]
        // Not UTF-8: each byte is one Latin-1 character.
        return String(validating: bytes, as: UTF8.self) ?? String(String.UnicodeScalarView(bytes.map { Unicode.Scalar($0) }))
    }
}
