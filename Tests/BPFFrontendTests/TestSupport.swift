import Foundation
import CClang
@testable import BPFFrontend

/// Parses a C snippet written to a fresh temporary file.
func parseC(_ source: String, _ args: [String] = [], name: String = "t.c") throws -> TranslationUnit {
    let dir = NSTemporaryDirectory() + "fe-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let path = dir + "/" + name
    try source.write(toFile: path, atomically: true, encoding: .utf8)
    return try Frontend.parse(file: path, arguments: args)
}

/// The diagnostics a snippet produces (empty if it parses).
func diagnosticsOf(_ source: String, _ args: [String] = []) -> [Diagnostic] {
    do { _ = try parseC(source, args); return [] }
    catch let l as DiagnosticList { return l.diagnostics }
    catch let d as Diagnostic { return [d] }
    catch { return [Diagnostic(.error, .unknown, "\(error)")] }
}

extension TranslationUnit {
    func function(_ name: String) -> FunctionDecl? { functions.first { $0.name == name } }
    func global(_ name: String) -> GlobalVar? { globals.first { $0.name == name } }
    func record(_ name: String) -> RecordDecl? { records.first { $0.name == name } }
    /// The statements of a function body, dumped one per element.
    func bodyDump(_ name: String) -> [String] {
        guard let f = function(name), case .compound(let ss)? = f.body?.kind else { return [] }
        return ss.map { ASTDump.stmt($0, self) }
    }
    func typeDump(_ t: CType) -> String { ASTDump.type(t, self) }
    func initDump(_ global: String) -> String? { self.global(global)?.initializer.map { ASTDump.initializer($0, self) } }
}

/// The first (returned) expression of `return e;` in a function with a one-statement body.
func returnedExpr(_ tu: TranslationUnit, _ fn: String) -> Expr? {
    guard let f = tu.function(fn), case .compound(let ss)? = f.body?.kind else { return nil }
    for s in ss { if case .returnStmt(let e?) = s.kind { return e } }
    return nil
}

/// A token libclang found: its kind, spelling, byte offset, and expansion line and column.
struct LibclangToken {
    var kind: CXTokenKind
    var spelling: String
    var offset: Int
    var line: Int
    var column: Int
}

/// libclang's text of `file` and every token it finds there, `file` parsed as part of
/// `main` (the same path for a main file).
func libclangTokens(of file: String, in main: String) throws -> (text: [UInt8], tokens: [LibclangToken]) {
    struct Failed: Error { var what: String }
    guard let index = clang_createIndex(0, 0) else { throw Failed(what: "no index") }
    defer { clang_disposeIndex(index) }
    var tuOut: CXTranslationUnit? = nil
    guard clang_parseTranslationUnit2(index, main, nil, 0, nil, 0, 0, &tuOut) == CXError_Success, let tu = tuOut else {
        throw Failed(what: "\(main) does not parse")
    }
    defer { clang_disposeTranslationUnit(tu) }
    guard let f = clang_getFile(tu, file) else { throw Failed(what: "\(file) is not in the unit") }
    var size = 0
    guard let bytes = clang_getFileContents(tu, f, &size) else { throw Failed(what: "no text of \(file)") }
    let text = Array(UnsafeRawBufferPointer(start: bytes, count: size))
    var tokens: UnsafeMutablePointer<CXToken>? = nil
    var count: UInt32 = 0
    clang_tokenize(tu, clang_getRange(clang_getLocationForOffset(tu, f, 0), clang_getLocationForOffset(tu, f, UInt32(size))), &tokens, &count)
    defer { clang_disposeTokens(tu, tokens, count) }
    let found = UnsafeBufferPointer(start: tokens, count: Int(count)).map { t -> LibclangToken in
        var line: UInt32 = 0, column: UInt32 = 0, offset: UInt32 = 0
        clang_getExpansionLocation(clang_getTokenLocation(tu, t), nil, &line, &column, &offset)
        return LibclangToken(kind: clang_getTokenKind(t), spelling: string(clang_getTokenSpelling(tu, t)),
                             offset: Int(offset), line: Int(line), column: Int(column))
    }
    return (text, found)
}
