import Testing
import Foundation
import CClang
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
        try eachToken(of: path, in: path) { tu, file, bytes, offset, line, column in
            let table = LineTable(bytes)
            #expect(table.lineAndColumn(of: offset) == (line, column), "offset \(offset)")
        }
    }

    @Test func headerLinesAreLibclangs() throws {
        let header = Tool.tempFile(Array(Self.mixedEndings.utf8), suffix: ".h")
        let main = Tool.tempFile(Array("#include \"\(header)\"\nint z;\n".utf8), suffix: ".c")
        let source = SourceFile(path: header)
        var tokens = 0
        try eachToken(of: header, in: main) { _, _, _, offset, line, column in
            tokens += 1
            #expect(source.lineAndColumn(of: offset) == (line, column), "offset \(offset)")
        }
        #expect(tokens > 20)
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
    /// places there are counted only when read), as does one in the main file.
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

    /// Calls `body` with libclang's expansion line and column of every token of `file`
    /// (parsed as part of `main`), its offset, and libclang's text of the file.
    private func eachToken(of file: String, in main: String,
                           _ body: (CXTranslationUnit, CXFile, UnsafeRawBufferPointer, Int, Int, Int) -> Void) throws {
        let index = try #require(clang_createIndex(0, 0))
        defer { clang_disposeIndex(index) }
        var tuOut: CXTranslationUnit? = nil
        let err = clang_parseTranslationUnit2(index, main, nil, 0, nil, 0, 0, &tuOut)
        let tu = try #require(err == CXError_Success ? tuOut : nil)
        defer { clang_disposeTranslationUnit(tu) }
        let f = try #require(clang_getFile(tu, file))
        var size = 0
        let bytes = UnsafeRawBufferPointer(start: try #require(clang_getFileContents(tu, f, &size)), count: size)
        var tokens: UnsafeMutablePointer<CXToken>? = nil
        var count: UInt32 = 0
        clang_tokenize(tu, clang_getRange(clang_getLocationForOffset(tu, f, 0), clang_getLocationForOffset(tu, f, UInt32(size))), &tokens, &count)
        defer { clang_disposeTokens(tu, tokens, count) }
        #expect(count > 20)
        for t in UnsafeBufferPointer(start: tokens, count: Int(count)) {
            var line: UInt32 = 0, column: UInt32 = 0, offset: UInt32 = 0
            clang_getExpansionLocation(clang_getTokenLocation(tu, t), nil, &line, &column, &offset)
            body(tu, f, bytes, Int(offset), Int(line), Int(column))
        }
    }
}
