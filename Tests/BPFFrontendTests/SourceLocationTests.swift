import Testing
import Foundation
import TestSupport
@testable import BPFFrontend

/// The converter counts lines and columns itself: the main file's from libclang's text of
/// it, a header's from the file's bytes when one of its places is first read
/// (`SourceFile`). Both must be libclang's lines and columns, at every token, whatever
/// the line endings.
@Suite struct SourceLocationTests {
    /// Text with every kind of line end clang knows ("\n", "\r\n", a lone "\r") and
    /// "\n\r", which is two.
    static let mixedEndings = "int a;\r\nint b;\rint c;\n\rint d;\n\n  int e; /* x\r\n y */ int f;\r\r\n\tint g;"

    @Test func mainFileLinesAreLibclangs() throws {
        let path = Tool.tempFile(Array(Self.mixedEndings.utf8), suffix: ".c")
        let (text, tokens) = try libclangTokens(of: path, in: path)
        #expect(tokens.count > 20)
        let table = text.withUnsafeBytes(LineTable.init)
        for t in tokens {
            #expect(table.lineAndColumn(of: t.offset) == (t.line, t.column), "offset \(t.offset)")
        }
    }

    @Test func headerLinesAreLibclangs() throws {
        let header = Tool.tempFile(Array(Self.mixedEndings.utf8), suffix: ".h")
        let main = Tool.tempFile(Array("#include \"\(header)\"\nint z;\n".utf8), suffix: ".c")
        let source = SourceFile(path: header)
        let (_, tokens) = try libclangTokens(of: header, in: main)
        #expect(tokens.count > 20)
        for t in tokens {
            #expect(source.lineAndColumn(of: t.offset) == (t.line, t.column), "offset \(t.offset)")
        }
    }

    @Test func aPlaceByOffsetEqualsThePlaceByLineAndColumn() throws {
        let header = Tool.tempFile(Array(Self.mixedEndings.utf8), suffix: ".h")
        let source = SourceFile(path: header)
        // "int c" starts the third line ("\r" ends the second).
        let c = Self.mixedEndings.utf8.count - Self.mixedEndings.drop(while: { $0 != "c" }).utf8.count - 4
        let byOffset = SourceLocation(file: "h.h", offset: c, in: source)
        let byLine = SourceLocation(file: "h.h", line: 3, column: 1)
        #expect(byOffset == byLine && byOffset.hashValue == byLine.hashValue)
        #expect(byOffset.description == "h.h:3:1")
        #expect(byOffset != SourceLocation(file: "h.h", offset: c + 1, in: source))
        #expect(byOffset != SourceLocation(file: "g.h", line: 3, column: 1))
        #expect(Set([byOffset, byLine]).count == 1)
        // A file that cannot be read gives no line.
        let gone = SourceLocation(file: "gone.h", offset: 5, in: SourceFile(path: header + ".missing"))
        #expect(gone.line == 0 && gone.column == 0)
    }

    /// A diagnostic in a header names the header's line and column (the converter's
    /// places there are counted only when read).
    @Test func diagnosticsInAHeaderHaveTheirLines() throws {
        let dir = NSTemporaryDirectory() + "loc-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "// h\r\nstatic inline int twice(int x)\r{\r\n    return (int)(x * 2.5);\n}\n".write(toFile: dir + "/h.h", atomically: true, encoding: .utf8)
        try "#include \"h.h\"\nint f(void) {\n  return twice(1);\n}\n".write(toFile: dir + "/m.c", atomically: true, encoding: .utf8)
        var diagnostics: [Diagnostic] = []
        do { _ = try Frontend.parse(file: dir + "/m.c", arguments: []) }
        catch let l as DiagnosticList { diagnostics = l.diagnostics }
        catch let d as Diagnostic { diagnostics = [d] }
        let d = try #require(diagnostics.first { $0.message.contains("floating point") })
        #expect(d.location.file.hasSuffix("h.h"))
        #expect(d.location.line == 4 && d.location.column == 17)
    }
}
