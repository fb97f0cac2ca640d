import Glibc
import BPFFrontend

/// Prints diagnostics the way clang does: `file:line:col: error: message`, the
/// source line, and a caret under the column.
struct DiagnosticPrinter {
    private var fileCache: [String: [Substring]] = [:]

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
        if fileCache[file] == nil {
            guard let data = System.readFile(file) else { return nil }
            // Not UTF-8: each byte is one Latin-1 character.
            let text = String(validating: data, as: UTF8.self) ?? String(String.UnicodeScalarView(data.map { Unicode.Scalar($0) }))
            fileCache[file] = text.split(separator: "\n", omittingEmptySubsequences: false)
        }
        guard let lines = fileCache[file], n >= 1, n <= lines.count else { return nil }
        return String(lines[n - 1])
    }
}
