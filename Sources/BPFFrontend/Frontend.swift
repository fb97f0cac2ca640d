import CClang
#if canImport(Glibc)
import Glibc
#endif

/// The C front end: libclang-22 parses, `Converter` builds the typed AST.
public enum Frontend {
    /// Directory of clang's own headers (stddef.h, stdint.h, ...): libclang loaded from
    /// the system library path computes a wrong resource directory.
    public static let resourceInclude = "/usr/lib/llvm-22/lib/clang/22/include"

    public static func parse(file: String, arguments: [String]) throws -> TranslationUnit {
        var args = arguments
        if !args.contains(where: { $0 == "-target" || $0.hasPrefix("--target=") }) { args += ["-target", "bpf"] }
        args += ["-isystem", resourceInclude, "-isystem", "/usr/local/include", "-isystem", "/usr/include",
                 "-Wno-unknown-attributes"]
        guard let index = clang_createIndex(0, 0) else {
            throw DiagnosticList([Diagnostic(.error, .unknown, "cannot create a libclang index")])
        }
        defer { clang_disposeIndex(index) }
        var tuOut: CXTranslationUnit? = nil
        let cargs = args.map { strdup($0) }
        defer { cargs.forEach { free($0) } }
        var argv = cargs.map { UnsafePointer<CChar>($0) }
        let err = argv.withUnsafeMutableBufferPointer { buf in
            clang_parseTranslationUnit2(index, file, buf.baseAddress, Int32(buf.count), nil, 0,
                                        CXTranslationUnit_IncludeAttributedTypes.rawValue, &tuOut)
        }
        guard err == CXError_Success, let tu = tuOut else {
            throw DiagnosticList([Diagnostic(.error, SourceLocation(file: file, line: 0, column: 0),
                                             "cannot parse '\(file)' (no such file or unreadable)")])
        }
        defer { clang_disposeTranslationUnit(tu) }
        var errors: [Diagnostic] = []
        var warnings: [Diagnostic] = []
        let n = clang_getNumDiagnostics(tu)
        for i in 0..<n {
            guard let d = clang_getDiagnostic(tu, i) else { continue }
            defer { clang_disposeDiagnostic(d) }
            let sev = clang_getDiagnosticSeverity(d)
            let loc = location(clang_getDiagnosticLocation(d))
            let msg = string(clang_getDiagnosticSpelling(d))
            if sev.rawValue >= CXDiagnostic_Error.rawValue { errors.append(Diagnostic(.error, loc, msg)) }
            else if sev == CXDiagnostic_Warning { warnings.append(Diagnostic(.warning, loc, msg)) }
        }
        if !errors.isEmpty { throw DiagnosticList(warnings + errors) }
        let conv = Converter(tu: tu, mainFile: file)
        conv.convertTopLevel()
        conv.convertPendingFunctions()
        conv.finishReachability()
        if !conv.errors.isEmpty { throw DiagnosticList(conv.errors) }
        var unit = conv.unit
        unit.warnings = warnings
        return unit
    }
}
