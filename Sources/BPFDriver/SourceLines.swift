import Foundation

/// Source text by line, for .BTF.ext line_info records.
struct SourceLines {
    private var cache: [String: [String]] = [:]

    mutating func line(_ file: String, _ n: Int) -> String {
        if cache[file] == nil {
            let text = FileManager.default.contents(atPath: file).flatMap { String(data: $0, encoding: .utf8) } ?? ""
            cache[file] = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        }
        guard let lines = cache[file], n >= 1, n <= lines.count else { return "" }
        return lines[n - 1]
    }
}
