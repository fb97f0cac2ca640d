import CClang
import Foundation

/// An on-disk cache of the parsed form of a source file's leading `#include` block
/// (vmlinux.h, libbpf's headers) as a clang precompiled header.
///
/// - Key: the include lines, every parsing argument, the main file's directory and
///   the libclang version; an entry also records the size and a hash of the bytes of
///   every file the prefix included, checked before each use.
/// - Entries are written to temporary files and renamed, so parallel `make -j`
///   builds never see half an entry; a stale or damaged entry only costs a fallback
///   to the normal parse (the output is the same either way).
struct PrefixCache {
    let directory: String

    /// `SWIFT_BPFCC_CACHE_DIR`, else `$XDG_CACHE_HOME/swift-bpfcc`, else `~/.cache/swift-bpfcc`;
    /// nil when `SWIFT_BPFCC_NO_CACHE` is set.
    static func defaultDirectory() -> String? {
        let env = ProcessInfo.processInfo.environment
        if env["SWIFT_BPFCC_NO_CACHE"] != nil { return nil }
        if let d = env["SWIFT_BPFCC_CACHE_DIR"], !d.isEmpty { return d }
        if let x = env["XDG_CACHE_HOME"], !x.isEmpty { return x + "/swift-bpfcc" }
        if let h = env["HOME"], !h.isEmpty { return h + "/.cache/swift-bpfcc" }
        return nil
    }

    /// The leading block of `#include` lines (with blank lines and comments between them).
    static func prefix(of text: String) -> String? {
        var lines: [String] = []
        var inComment = false
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if inComment {
                if line.contains("*/") { inComment = !line.hasSuffix("*/") && !line.contains("*/") }
                if line.hasSuffix("*/") || line.contains("*/") { inComment = false }
                continue
            }
            if line.isEmpty || line.hasPrefix("//") { continue }
            if line.hasPrefix("/*") { inComment = !line.contains("*/"); continue }
            if line.hasPrefix("#include") || line.hasPrefix("# include") { lines.append(line); continue }
            break
        }
        return lines.isEmpty ? nil : lines.joined(separator: "\n") + "\n"
    }

    static func hash(_ bytes: [UInt8]) -> String {
        // Two independent 64-bit FNV-1a lanes: a 128-bit content key.
        var a: UInt64 = 0xcbf2_9ce4_8422_2325, b: UInt64 = 0x8422_2325_cbf2_9ce4
        for x in bytes {
            a = (a ^ UInt64(x)) &* 0x100_0000_01b3
            b = (b ^ UInt64(x)) &* 0x100_0000_01b3 ^ (b >> 29)
        }
        return String(a, radix: 16) + String(b, radix: 16)
    }

    static func hash(file: String) -> (size: Int, hash: String)? {
        guard let d = FileManager.default.contents(atPath: file) else { return nil }
        return (d.count, hash([UInt8](d)))
    }

    func key(prefix: String, arguments: [String], mainDirectory: String) -> String {
        let version = string(clang_getClangVersion())
        let material = ["swift-bpfcc-pch-1", version, mainDirectory, prefix] + arguments
        return PrefixCache.hash(Array(material.joined(separator: "\u{0}").utf8))
    }

    private func paths(_ key: String) -> (header: String, pch: String, deps: String) {
        ("\(directory)/\(key).h", "\(directory)/\(key).pch", "\(directory)/\(key).deps")
    }

    /// A usable PCH for `key`, after checking every recorded input still has its bytes.
    func lookup(_ key: String) -> String? {
        let p = paths(key)
        guard FileManager.default.fileExists(atPath: p.pch),
              let deps = try? String(contentsOfFile: p.deps, encoding: .utf8) else { return nil }
        for line in deps.split(separator: "\n") {
            let parts = line.split(separator: "\t", maxSplits: 2).map(String.init)
            guard parts.count == 3, let size = Int(parts[0]) else { return nil }
            guard let now = PrefixCache.hash(file: parts[2]), now.size == size, now.hash == parts[1] else { return nil }
        }
        return p.pch
    }

    /// Parses the prefix on its own and saves it as a PCH; returns its path.
    func build(_ key: String, prefix: String, arguments: [String], index: CXIndex) -> String? {
        let p = paths(key)
        let fm = FileManager.default
        try? fm.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let tmpSuffix = ".tmp-\(getpid())"
        // The header is named by its key, so an existing one has the same bytes.
        if !fm.fileExists(atPath: p.header) {
            guard fm.createFile(atPath: p.header + tmpSuffix, contents: Data(prefix.utf8)),
                  rename(p.header + tmpSuffix, p.header) == 0 else { return nil }
        }
        var tuOut: CXTranslationUnit? = nil
        let cargs = arguments.map { strdup($0) }
        defer { cargs.forEach { free($0) } }
        var argv = cargs.map { UnsafePointer<CChar>($0) }
        let options = CXTranslationUnit_ForSerialization.rawValue | CXTranslationUnit_IncludeAttributedTypes.rawValue
        let err = argv.withUnsafeMutableBufferPointer { buf in
            clang_parseTranslationUnit2(index, p.header, buf.baseAddress, Int32(buf.count), nil, 0, options, &tuOut)
        }
        guard err == CXError_Success, let tu = tuOut else { return nil }
        defer { clang_disposeTranslationUnit(tu) }
        for i in 0..<clang_getNumDiagnostics(tu) {
            guard let d = clang_getDiagnostic(tu, i) else { continue }
            defer { clang_disposeDiagnostic(d) }
            if clang_getDiagnosticSeverity(d).rawValue >= CXDiagnostic_Error.rawValue { return nil }
        }
        // Every file the prefix pulled in, with its size and hash.
        var files: [String] = []
        withUnsafeMutablePointer(to: &files) { ptr in
            clang_getInclusions(tu, { file, _, _, data in
                guard let f = file else { return }
                data!.assumingMemoryBound(to: [String].self).pointee.append(string(clang_getFileName(f)))
            }, ptr)
        }
        var deps = ""
        for f in Set(files).sorted() {
            guard let h = PrefixCache.hash(file: f) else { return nil }
            deps += "\(h.size)\t\(h.hash)\t\(f)\n"
        }
        guard clang_saveTranslationUnit(tu, p.pch + tmpSuffix, clang_defaultSaveOptions(tu)) == 0 else {
            unlink(p.pch + tmpSuffix)
            return nil
        }
        guard rename(p.pch + tmpSuffix, p.pch) == 0,
              fm.createFile(atPath: p.deps + tmpSuffix, contents: Data(deps.utf8)),
              rename(p.deps + tmpSuffix, p.deps) == 0 else { return nil }
        return p.pch
    }

    /// The files an entry was built from.
    func inputs(_ key: String) -> [String] {
        guard let deps = try? String(contentsOfFile: paths(key).deps, encoding: .utf8) else { return [] }
        return deps.split(separator: "\n").compactMap { $0.split(separator: "\t", maxSplits: 2).last.map(String.init) }
            .filter { !$0.hasSuffix(".h") || !$0.hasPrefix(directory) }
    }

    /// Forgets an entry that failed to load.
    func remove(_ key: String) {
        let p = paths(key)
        unlink(p.deps)
        unlink(p.pch)
    }
}
