import Foundation
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
