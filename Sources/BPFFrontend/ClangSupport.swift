import Glibc
import CClang

// Small helpers over libclang's C API. Nothing here escapes the module.

func string(_ s: CXString) -> String {
    defer { clang_disposeString(s) }
    guard let p = clang_getCString(s) else { return "" }
    return String(cString: p)
}

/// The direct children of a cursor, in visiting order.
func children(_ c: CXCursor) -> [CXCursor] {
    var result: [CXCursor] = []
    withUnsafeMutablePointer(to: &result) { ptr in
        _ = clang_visitChildren(c, { child, _, data in
            data!.assumingMemoryBound(to: [CXCursor].self).pointee.append(child)
            return CXChildVisit_Continue
        }, ptr)
    }
    return result
}

/// The names of the files a parsed unit included (as libclang spells them, in its order,
/// repeated when included again).
func includedFileNames(_ tu: CXTranslationUnit) -> [String] {
    var files: [String] = []
    withUnsafeMutablePointer(to: &files) { ptr in
        clang_getInclusions(tu, { f, _, _, data in
            guard let f = f else { return }
            data!.assumingMemoryBound(to: [String].self).pointee.append(string(clang_getFileName(f)))
        }, ptr)
    }
    return files
}

/// The kinds of the attributes written on a declaration. `clang_Cursor_hasAttrs` counts
/// implicit ones too: every member of a `preserve_access_index` record has one (all of
/// vmlinux.h's), which libclang does not show as a child.
func writtenAttributeKinds(_ c: CXCursor) -> [CXCursorKind] {
    guard clang_Cursor_hasAttrs(c) != 0 else { return [] }
    var kinds: [CXCursorKind] = []
    withUnsafeMutablePointer(to: &kinds) { ptr in
        _ = clang_visitChildren(c, { child, _, data in
            if clang_isAttribute(child.kind) != 0 { data!.assumingMemoryBound(to: [CXCursorKind].self).pointee.append(child.kind) }
            return CXChildVisit_Continue
        }, ptr)
    }
    return kinds
}

/// The field declarations of a struct/union type, in order.
func fields(of t: CXType) -> [CXCursor] {
    var result: [CXCursor] = []
    withUnsafeMutablePointer(to: &result) { ptr in
        _ = clang_Type_visitFields(t, { field, data in
            data!.assumingMemoryBound(to: [CXCursor].self).pointee.append(field)
            return CXVisit_Continue
        }, ptr)
    }
    return result
}

func spelling(_ c: CXCursor) -> String { string(clang_getCursorSpelling(c)) }

func isExpression(_ c: CXCursor) -> Bool { clang_isExpression(c.kind) != 0 }
func isStatement(_ c: CXCursor) -> Bool { clang_isStatement(c.kind) != 0 }
func isNull(_ c: CXCursor) -> Bool { clang_Cursor_isNull(c) != 0 }

/// The expansion location (the macro use site for code from macros), as clang reports it;
/// `name` names its file (the converter keeps the names it made).
func location(_ loc: CXSourceLocation, name: (CXFile) -> String = fileName) -> SourceLocation {
    var file: CXFile? = nil
    var line: UInt32 = 0, column: UInt32 = 0
    clang_getExpansionLocation(loc, &file, &line, &column, nil)
    return SourceLocation(file: file.map(name) ?? "<built-in>", line: Int(line), column: Int(column))
}

/// The presumed location, as clang reports it in diagnostics and debug information: the
/// expansion location renamed and renumbered by `#line` directives (and GNU line markers)
/// before it.
func presumedLocation(_ loc: CXSourceLocation) -> SourceLocation {
    var name = CXString()
    var line: UInt32 = 0, column: UInt32 = 0
    clang_getPresumedLocation(loc, &name, &line, &column)
    let file = string(name)
    return SourceLocation(file: file.isEmpty ? "<built-in>" : relativeToWorkingDirectory(file), line: Int(line), column: Int(column))
}

/// Where clang's own diagnostics point: a token a macro's argument spelled is reported
/// where it is spelled (`bpf_htons(KDE_GUE_PORT)`: at `KDE_GUE_PORT`), a token of a
/// macro's body where the macro is used; then as `presumedLocation` (the spelled token
/// is on the use's line or below it, in the same file).
func diagnosticLocation(_ loc: CXSourceLocation) -> SourceLocation {
    var file: CXFile? = nil, useFile: CXFile? = nil
    var line: UInt32 = 0, column: UInt32 = 0, useLine: UInt32 = 0
    clang_getFileLocation(loc, &file, &line, &column, nil)
    clang_getExpansionLocation(loc, &useFile, &useLine, nil, nil)
    let presumed = presumedLocation(loc)
    guard let file, let useFile, clang_File_isEqual(file, useFile) != 0, line >= useLine else { return presumed }
    return SourceLocation(file: presumed.file, line: presumed.line + Int(line - useLine), column: Int(column))
}

/// The name locations give a file: see `relativeToWorkingDirectory`.
func fileName(_ file: CXFile) -> String { relativeToWorkingDirectory(string(clang_getFileName(file))) }

private let workingDirectoryPrefix = System.currentDirectory + "/"

/// A header read from the parse cache's PCH has the absolute path it was built with,
/// without `.` and `..` steps; the same header parsed directly has the path as the -I
/// option spelled it (`./x.h`, `inc/../x.h`). So that diagnostics and line info (.BTF.ext
/// file names) do not depend on whether the cache was used, a path with such steps, or
/// absolute, is made absolute and rid of them (by its spelling, as clang does), and a
/// path below the working directory is then made relative to it. A plain relative path
/// (`testsuite/include/x.h`) is already both.
func relativeToWorkingDirectory(_ path: String) -> String {
    let steps = path.split(separator: "/", omittingEmptySubsequences: false)
    guard path.hasPrefix("/") || steps.contains(where: { $0 == "." || $0 == ".." || $0.isEmpty }) else { return path }
    var kept: [Substring] = []
    for step in ((path.hasPrefix("/") ? "" : workingDirectoryPrefix) + path).split(separator: "/") where step != "." {
        if step == ".." { _ = kept.popLast() } else { kept.append(step) }
    }
    // (Joined by hand, each step made a String first: `joined(separator:)` over substrings,
    // and appending a substring, run unspecialized through the runtime's type lookups.)
    var normal = ""
    for step in kept { normal += "/"; normal += String(step) }
    if normal.isEmpty { normal = "/" }
    guard normal.hasPrefix(workingDirectoryPrefix) else { return normal }
    return String(normal.dropFirst(workingDirectoryPrefix.count))
}

func location(_ c: CXCursor) -> SourceLocation { location(clang_getCursorLocation(c)) }

/// An atomic builtin's operands in the order they are written. libclang hands out the
/// operands of clang's AtomicExpr as it stores them: the pointer, the memory order, the
/// value, the failure order, the second value, `weak` (those the builtin has), whatever
/// the builtin's order (`__atomic_store_n(p, v, order)`: p, order, v). Source positions
/// cannot tell: the operands of a call a header's macro makes are spelled in two files.
func atomicOperandsAsWritten<T>(_ stored: [T]) -> [T]? {
    switch stored.count {
    case 2: return stored                                                       // load, init
    case 3: return [stored[0], stored[2], stored[1]]                            // p, v, order
    case 4: return [stored[0], stored[2], stored[3], stored[1]]                 // __atomic_exchange
    case 5: return [stored[0], stored[2], stored[4], stored[1], stored[3]]      // C11 compare-exchange
    case 6: return [stored[0], stored[2], stored[4], stored[5], stored[1], stored[3]]   // GNU compare-exchange
    default: return nil
    }
}

// Positions as file and byte offset. libclang computes a line or column only when asked
// for one, and the first line number asked of a file makes it read the whole file and
// index its lines: vmlinux.h's megabytes, for a record declared there.

/// Where a location is spelled (inside a macro definition for code a macro produced).
func spellingPosition(_ l: CXSourceLocation) -> (file: CXFile, offset: UInt32)? {
    var file: CXFile? = nil
    var offset: UInt32 = 0
    clang_getSpellingLocation(l, &file, nil, nil, &offset)
    guard let f = file else { return nil }
    return (f, offset)
}

/// Where a location's macro expansion (or the location itself) is.
func expansionPosition(_ l: CXSourceLocation) -> (file: CXFile?, offset: UInt32) {
    var file: CXFile? = nil
    var offset: UInt32 = 0
    clang_getExpansionLocation(l, &file, nil, nil, &offset)
    return (file, offset)
}

/// The spelled tokens of a cursor's extent.
func tokens(_ tu: CXTranslationUnit, _ c: CXCursor) -> [(kind: CXTokenKind, text: String, offset: UInt32)] {
    tokens(tu, clang_getCursorExtent(c))
}

/// The spelling of the first token of a cursor's extent (the first of `tokens(tu, c)`),
/// without decoding the others: nested expressions would decode theirs again and again.
func firstToken(_ tu: CXTranslationUnit, _ c: CXCursor) -> String? {
    withTokens(tu, clang_getCursorExtent(c)) { t in t.first.map { string(clang_getTokenSpelling(tu, $0)) } }
}

/// The tokens of a source range, with their spelling offsets.
func tokens(_ tu: CXTranslationUnit, _ range: CXSourceRange) -> [(kind: CXTokenKind, text: String, offset: UInt32)] {
    withTokens(tu, range) { t in
        t.map { tok in
            let offset = spellingPosition(clang_getTokenLocation(tu, tok))?.offset ?? 0
            return (clang_getTokenKind(tok), string(clang_getTokenSpelling(tu, tok)), offset)
        }
    }
}

/// `body` given libclang's tokens of a range (freed after it).
private func withTokens<T>(_ tu: CXTranslationUnit, _ range: CXSourceRange, _ body: (UnsafeBufferPointer<CXToken>) -> T) -> T {
    var toks: UnsafeMutablePointer<CXToken>? = nil
    var n: UInt32 = 0
    clang_tokenize(tu, range, &toks, &n)
    defer { if let t = toks { clang_disposeTokens(tu, t, n) } }
    return body(UnsafeBufferPointer(start: toks, count: toks == nil ? 0 : Int(n)))
}

/// Integer value of a constant expression, if clang can evaluate it.
func evaluateInteger(_ c: CXCursor) -> (value: UInt64, isUnsigned: Bool)? {
    guard let r = clang_Cursor_Evaluate(c) else { return nil }
    defer { clang_EvalResult_dispose(r) }
    guard clang_EvalResult_getKind(r) == CXEval_Int else { return nil }
    // libclang hands out 64 bits: a 128-bit constant stays an expression (LowerWide
    // computes its halves).
    if clang_Type_getSizeOf(clang_getCursorType(c)) > 8 { return nil }
    if clang_EvalResult_isUnsignedInt(r) != 0 {
        return (UInt64(clang_EvalResult_getAsUnsigned(r)), true)
    }
    return (UInt64(bitPattern: Int64(clang_EvalResult_getAsLongLong(r))), false)
}

/// The pretty-printed declaration with attributes resolved (terse: no bodies; an unnamed
/// record's type printed without its position, which would make libclang read and index
/// the whole header it is in: see `tagIdentity`).
func prettyPrinted(_ c: CXCursor) -> String {
    guard let policy = clang_getCursorPrintingPolicy(c) else { return "" }
    defer { clang_PrintingPolicy_dispose(policy) }
    clang_PrintingPolicy_setProperty(policy, CXPrintingPolicy_TerseOutput, 1)
    clang_PrintingPolicy_setProperty(policy, CXPrintingPolicy_AnonymousTagLocations, 0)
    return string(clang_getCursorPrettyPrinted(c, policy))
}

extension StringProtocol {
    /// Whether `pattern` occurs in the text, compared byte by byte (Foundation's
    /// `contains` goes through NSString's locale-aware search, which the converter's
    /// per-field checks of vmlinux.h's tens of thousands of members cannot afford).
    func hasBytes(_ pattern: String) -> Bool {
        var p = pattern
        return p.withUTF8 { needle in
            guard !needle.isEmpty else { return true }
            if let found = utf8.withContiguousStorageIfAvailable({ hay in Self.search(hay, needle) }) { return found }
            return Array(utf8).withUnsafeBufferPointer { Self.search($0, needle) }
        }
    }

    private static func search(_ hay: UnsafeBufferPointer<UInt8>, _ needle: UnsafeBufferPointer<UInt8>) -> Bool {
        guard hay.count >= needle.count else { return false }
        let first = needle[0]
        var i = 0
        while i <= hay.count - needle.count {
            if hay[i] == first {
                var k = 1
                while k < needle.count && hay[i + k] == needle[k] { k += 1 }
                if k == needle.count { return true }
            }
            i += 1
        }
        return false
    }
}
