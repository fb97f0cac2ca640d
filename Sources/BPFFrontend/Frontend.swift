import CClang
#if canImport(Glibc)
import Glibc
#endif

/// The C front end: libclang-22 parses, `Converter` builds the typed AST.
public enum Frontend {
    /// Directory of clang's own headers (stddef.h, stdint.h, ...): libclang loaded from
    /// the system library path computes a wrong resource directory.
    public static let resourceInclude = "/usr/lib/llvm-22/lib/clang/22/include"

    /// Parses `file`. With `useCache`, the leading `#include` block is parsed once and
    /// kept as a precompiled header (see PrefixCache); any problem with a cache entry
    /// falls back to the ordinary parse.
    /// `listsIncludedFiles`: fill the unit's `includedFiles` (for a dependency file); the
    /// walk over every inclusion is skipped otherwise.
    /// `text`: the file's contents when they are not on disk (standard input, named
    /// `<stdin>` as clang names it); such a parse uses no cache.
    public static func parse(file: String, arguments: [String], useCache: Bool = true,
                             listsIncludedFiles: Bool = true, text: String? = nil) throws -> TranslationUnit {
        let args = fullArguments(file: file, arguments)
        let timing = System.timesStages
        // libclang's own work (its index, the parse, freeing the parsed unit, laying out
        // the records the program uses), reported apart from ours; other lazy reads of the
        // PCH while the converter asks are not in it.
        libclangNanoseconds = 0
        defer {
            if timing { System.writeError("swift-bpfcc: time: libclang \(Double(libclangNanoseconds) / 1e6) ms\n") }
        }
        var rejectedEntry: (cache: PrefixCache, key: String)? = nil
        if useCache && text == nil, let entry = cacheEntry(file: file, arguments: args) {
            let t0 = System.nanoseconds()
            let hit = entry.cache.lookup(entry.key)
            if timing {
                let ms = Double(System.nanoseconds() - t0) / 1e6
                System.writeError("swift-bpfcc: time: cache lookup \(ms) ms\n")
            }
            if let hit = hit {
                // Without definitions in the headers, the converter needs only the main
                // file's declarations and what they reference: an index that excludes the
                // PCH's declarations does not deserialize all of them (vmlinux.h's thousands).
                // A program that needs one anyway is parsed again with them.
                func parseWithPCH(hidingHeaderDeclarations hide: Bool) throws -> TranslationUnit {
                    guard let pchIndex = libclangCall({ clang_createIndex(hide ? 1 : 0, 0) }) else {
                        throw DiagnosticList([Diagnostic(.error, .unknown, "cannot create a libclang index")])
                    }
                    defer { libclangCall { clang_disposeIndex(pchIndex) } }
                    return try parseOnce(file: file, arguments: args + ["-include-pch", hit.pch], index: pchIndex,
                                         mainText: entry.rest, listsIncludedFiles: listsIncludedFiles,
                                         headerDeclarationsHidden: hide)
                }
                do {
                    var unit: TranslationUnit
                    do {
                        unit = try parseWithPCH(hidingHeaderDeclarations: !hit.headersDefine)
                    } catch is HeaderDeclarationsNeeded {
                        unit = try parseWithPCH(hidingHeaderDeclarations: false)
                    }
                    // The headers inside the PCH are not reported as inclusions: add the entry's inputs.
                    if listsIncludedFiles {
                        var listed = Set(unit.includedFiles)
                        for f in hit.inputs where listed.insert(f).inserted { unit.includedFiles.append(f) }
                    }
                    if timing { System.writeError("swift-bpfcc: parse cache: used \(hit.pch)\n") }
                    return unit
                } catch {
                    if timing {
                        let first = (error as? DiagnosticList)?.diagnostics.first.map { "\($0.location.file):\($0.location.line): \($0.message)" } ?? "\(error)"
                        System.writeError("swift-bpfcc: parse cache: not used (\(first))\n")
                    }
                    rejectedEntry = (entry.cache, entry.key)
                }
            }
            cacheMiss = true
        }
        // Without the cache (or after it failed: the program's own errors are reported by
        // this parse; an entry is dropped only when the program compiles without it).
        // (An index is made only here: creating one costs as much as a small program's parse.)
        guard let index = libclangCall({ clang_createIndex(0, 0) }) else {
            throw DiagnosticList([Diagnostic(.error, .unknown, "cannot create a libclang index")])
        }
        defer { libclangCall { clang_disposeIndex(index) } }
        let unit = try parseOnce(file: file, arguments: args, index: index, mainText: text, listsIncludedFiles: listsIncludedFiles)
        if let r = rejectedEntry { r.cache.remove(r.key) }
        return unit
    }

    /// Time spent in libclang's index creation, parse and disposal during `parse`, and in
    /// the record layouts it computes when the converter first asks a record's size or a
    /// field's offset.
    nonisolated(unsafe) static var libclangNanoseconds: UInt64 = 0

    @discardableResult
    static func libclangCall<T>(_ body: () -> T) -> T {
        let t0 = System.nanoseconds()
        defer { libclangNanoseconds += System.nanoseconds() - t0 }
        return body()
    }

    /// Set when `parse` found no usable cache entry: the driver then builds it in the
    /// background (`buildCache`) so this compilation does not wait for it.
    nonisolated(unsafe) public static var cacheMiss = false

    /// Builds the prefix cache entry for `file` (run by `swift-bpfcc --build-parse-cache`).
    public static func buildCache(file: String, arguments: [String]) {
        let args = fullArguments(file: file, arguments)
        guard let entry = cacheEntry(file: file, arguments: args), entry.cache.lookup(entry.key) == nil,
              let index = clang_createIndex(0, 0) else { return }
        defer { clang_disposeIndex(index) }
        _ = entry.cache.build(entry.key, prefix: entry.prefix, arguments: args, index: index)
    }

    /// The system include directories of a parse, in search order. With `hostMultiarch`,
    /// the host's multiarch directory (/usr/include/x86_64-linux-gnu) is listed as well, as
    /// a clang for the host lists it: Makefiles probe `-v -E -` without `-target bpf` and
    /// add what they find with -idirafter (asm/types.h lives there).
    public static func systemIncludeDirectories(hostMultiarch: Bool = false) -> [String] {
        var dirs = [resourceInclude, "/usr/local/include"]
        if hostMultiarch {
            var u = utsname()
            uname(&u)
            let machine = withUnsafeBytes(of: &u.machine) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            let multiarch = "/usr/include/\(machine)-linux-gnu"
            if System.fileExists(multiarch) { dirs.append(multiarch) }
        }
        return dirs + ["/usr/include"]
    }

    private static func fullArguments(file: String, _ arguments: [String]) -> [String] {
        var args = arguments
        if !args.contains(where: { $0 == "-target" || $0.hasPrefix("--target=") }) { args += ["-target", "bpf"] }
        let mainDirectory = System.directory(of: file)
        args += systemIncludeDirectories().flatMap { ["-isystem", $0] } + ["-Wno-unknown-attributes", "-iquote", mainDirectory.isEmpty ? "." : mainDirectory]
        return args
    }

    /// The cache entry of `file`: its key, the prefix it is built from, and the rest of the
    /// file (the prefix blanked) to parse after the entry's PCH.
    private static func cacheEntry(file: String, arguments args: [String]) -> (cache: PrefixCache, key: String, prefix: String, rest: String)? {
        guard let dir = PrefixCache.defaultDirectory(),
              let text = System.readTextFile(file), let (prefix, rest) = PrefixCache.split(text) else { return nil }
        let mainDirectory = System.directory(of: file)
        let cache = PrefixCache(directory: dir)
        let absoluteDir = mainDirectory.isEmpty ? System.currentDirectory
                                                : System.absolutePath(mainDirectory)
        return (cache, cache.key(prefix: prefix, arguments: args, mainDirectory: absoluteDir), prefix, rest)
    }

    /// Thrown by a parse whose index hides the PCH's declarations when the program needs
    /// one of them that nothing it references reaches (a cleanup function a header defines).
    struct HeaderDeclarationsNeeded: Error {}

    /// Parses `file`, or `mainText` in its place when given (same name, so locations and
    /// diagnostics name the file on disk).
    private static func parseOnce(file: String, arguments args: [String], index: CXIndex, mainText: String? = nil,
                                  listsIncludedFiles: Bool, headerDeclarationsHidden: Bool = false) throws -> TranslationUnit {
        var tuOut: CXTranslationUnit? = nil
        let cargs = args.map { strdup($0) }
        defer { cargs.forEach { free($0) } }
        var argv = cargs.map { UnsafePointer<CChar>($0) }
        let err = libclangCall { file.withCString { name in
            (mainText ?? "").withCString { contents in
                var unsaved = [CXUnsavedFile(Filename: name, Contents: contents, Length: UInt(strlen(contents)))]
                if mainText == nil { unsaved = [] }
                return unsaved.withUnsafeMutableBufferPointer { files in
                    argv.withUnsafeMutableBufferPointer { buf in
                        clang_parseTranslationUnit2(index, file, buf.baseAddress, Int32(buf.count), files.baseAddress,
                                                    UInt32(files.count), CXTranslationUnit_IncludeAttributedTypes.rawValue, &tuOut)
                    }
                }
            }
        } }
        guard err == CXError_Success, let tu = tuOut else {
            throw DiagnosticList([Diagnostic(.error, SourceLocation(file: file, line: 0, column: 0),
                                             "cannot parse '\(file)' (no such file or unreadable)")])
        }
        defer { libclangCall { clang_disposeTranslationUnit(tu) } }
        var errors: [Diagnostic] = []
        var warnings: [Diagnostic] = []
        let n = clang_getNumDiagnostics(tu)
        for i in 0..<n {
            guard let d = clang_getDiagnostic(tu, i) else { continue }
            defer { clang_disposeDiagnostic(d) }
            let sev = clang_getDiagnosticSeverity(d)
            let loc = diagnosticLocation(clang_getDiagnosticLocation(d))
            let msg = string(clang_getDiagnosticSpelling(d))
            if sev.rawValue >= CXDiagnostic_Error.rawValue { errors.append(Diagnostic(.error, loc, msg)) }
            else if sev == CXDiagnostic_Warning { warnings.append(Diagnostic(.warning, loc, msg)) }
        }
        if !errors.isEmpty { throw DiagnosticList(warnings + errors) }
        let conv = Converter(tu: tu, mainFile: file)
        conv.headerDeclarationsHidden = headerDeclarationsHidden
        conv.convertTopLevel()
        conv.convertPendingFunctions()
        conv.finishReachability()
        if conv.neededHiddenDeclarations { throw HeaderDeclarationsNeeded() }
        if !conv.errors.isEmpty { throw DiagnosticList(conv.errors) }
        var unit = conv.unit
        unit.warnings = warnings
        guard listsIncludedFiles else { return unit }
        var seen: Set<String> = []
        unit.includedFiles = ([file] + includedFileNames(tu)).filter { !$0.hasSuffix(".pch") && seen.insert($0).inserted }
        return unit
    }
}
