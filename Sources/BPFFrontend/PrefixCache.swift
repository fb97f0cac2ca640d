import CClang
import Glibc

/// An on-disk cache of the parsed form of a source file's leading `#include` block
/// (vmlinux.h, libbpf's headers) as a clang precompiled header.
///
/// - Key: the include lines, every parsing argument, the main file's directory and
///   the libclang version; an entry also records the size and a hash of the bytes of
///   every file the prefix included, checked before each use (by the file's status when
///   that stands for its bytes: see `hashAndStatus`).
/// - An entry also records whether the headers define anything the object must hold
///   (a non-static function or variable definition): only then does a compilation that
///   uses it have to visit every declaration of the PCH (see `Entry.headersDefine`).
/// - Entries are written to temporary files and renamed, so parallel `make -j`
///   builds never see half an entry; a stale or damaged entry only costs a fallback
///   to the normal parse (the output is the same either way).
struct PrefixCache {
    let directory: String

    /// A usable cache entry.
    struct Entry {
        let pch: String
        /// The headers define functions or variables with external linkage, which the front
        /// end converts even when unused; without them it needs only the main file's
        /// declarations and what they reference.
        let headersDefine: Bool
        /// The files the entry was built from (the program's inputs for dependency
        /// output; the cache's own prefix header is not one).
        let inputs: [String]
    }

    /// The marker line of the dependency file for `Entry.headersDefine`.
    private static let definesMarker = "#headers-define"

    /// `SWIFT_BPFCC_CACHE_DIR`, else `$XDG_CACHE_HOME/swift-bpfcc`, else `~/.cache/swift-bpfcc`;
    /// nil when `SWIFT_BPFCC_NO_CACHE` is set.
    static func defaultDirectory() -> String? {
        if System.environment("SWIFT_BPFCC_NO_CACHE") != nil { return nil }
        if let d = System.environment("SWIFT_BPFCC_CACHE_DIR"), !d.isEmpty { return d }
        if let x = System.environment("XDG_CACHE_HOME"), !x.isEmpty { return x + "/swift-bpfcc" }
        if let h = System.environment("HOME"), !h.isEmpty { return h + "/.cache/swift-bpfcc" }
        return nil
    }

    /// The leading block of `#include` lines (with blank lines and comments between them),
    /// and the source with those lines blanked (spaces, so every other line and column stays
    /// where it was): the main file as parsed after the prefix's PCH, which must not include
    /// the headers again (a header without an include guard would be defined twice).
    static func split(_ text: String) -> (prefix: String, rest: String)? {
        var text = text
        return text.withUTF8 { split(bytes: $0) }
    }

    /// `split` on the file's bytes (a line ends at `\n`; spaces, tabs and `\r` around
    /// it are not part of it): the compiler runs this on every file it compiles.
    private static func split(bytes s: UnsafeBufferPointer<UInt8>) -> (prefix: String, rest: String)? {
        let slash = UInt8(ascii: "/"), star = UInt8(ascii: "*"), hash = UInt8(ascii: "#")
        func isBlank(_ c: UInt8) -> Bool { c == 32 || c == 9 || c == 13 }
        func has(_ p: StaticString, at i: Int, before end: Int) -> Bool {
            let n = p.utf8CodeUnitCount
            guard i + n <= end else { return false }
            for k in 0..<n where s[i + k] != p.utf8Start[k] { return false }
            return true
        }
        func closesComment(_ from: Int, _ end: Int) -> Bool {
            var i = from
            while i + 1 < end { if s[i] == star && s[i + 1] == slash { return true }; i += 1 }
            return false
        }
        var prefix: [UInt8] = []
        var includeLines: [Range<Int>] = []
        var inComment = false
        var start = 0
        while start < s.count {
            var end = start
            while end < s.count && s[end] != 10 { end += 1 }
            var lo = start, hi = end
            while lo < hi && isBlank(s[lo]) { lo += 1 }
            while hi > lo && isBlank(s[hi - 1]) { hi -= 1 }
            if inComment {
                if closesComment(lo, hi) { inComment = false }
            } else if lo == hi || has("//", at: lo, before: hi) {
            } else if has("/*", at: lo, before: hi) {
                inComment = !closesComment(lo + 2, hi)
            } else if s[lo] == hash && (has("#include", at: lo, before: hi) || has("# include", at: lo, before: hi)) {
                prefix += s[lo..<hi]
                prefix.append(10)
                includeLines.append(start..<end)
            } else {
                break
            }
            start = end + 1
        }
        guard !includeLines.isEmpty else { return nil }
        var rest = Array(s)
        for r in includeLines { for i in r { rest[i] = 32 } }
        return (String(decoding: prefix, as: UTF8.self), String(decoding: rest, as: UTF8.self))
    }

    static func hash(_ bytes: [UInt8]) -> String { bytes.withUnsafeBytes { hash($0) } }

    /// A 128-bit content hash: four independent 64-bit lanes, each taking every fourth
    /// 8-byte word through a multiply and a rotation (bijective steps, so a changed word
    /// always changes its lane; independent lanes keep the multiplier busy: vmlinux.h's
    /// megabytes are hashed before every cached compile, so this must be fast), then the
    /// remaining words, the tail bytes and the length, and a final mix of all lanes
    /// into each half.
    static func hash(_ bytes: UnsafeRawBufferPointer) -> String {
        var lanes: (UInt64, UInt64, UInt64, UInt64) =
            (0xcbf2_9ce4_8422_2325, 0x8422_2325_cbf2_9ce4, 0x9e37_79b9_7f4a_7c15, 0xc2b2_ae3d_27d4_eb4f)
        @inline(__always) func step(_ l: UInt64, _ w: UInt64) -> UInt64 {
            let m = (l ^ w) &* 0x9e37_79b9_7f4a_7c15
            return (m << 31) | (m >> 33)
        }
        let n = bytes.count
        var o = 0
        while o + 32 <= n {
            lanes.0 = step(lanes.0, bytes.loadUnaligned(fromByteOffset: o, as: UInt64.self))
            lanes.1 = step(lanes.1, bytes.loadUnaligned(fromByteOffset: o + 8, as: UInt64.self))
            lanes.2 = step(lanes.2, bytes.loadUnaligned(fromByteOffset: o + 16, as: UInt64.self))
            lanes.3 = step(lanes.3, bytes.loadUnaligned(fromByteOffset: o + 24, as: UInt64.self))
            o += 32
        }
        while o + 8 <= n {
            lanes.0 = step(lanes.0, bytes.loadUnaligned(fromByteOffset: o, as: UInt64.self))
            o += 8
        }
        var tail: UInt64 = 0
        while o < n { tail = tail << 8 | UInt64(bytes[o]); o += 1 }
        lanes.1 = step(lanes.1, tail)
        lanes.2 = step(lanes.2, UInt64(n))
        func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }
        func avalanche(_ x: UInt64) -> UInt64 {
            var h = x
            h = (h ^ (h >> 33)) &* 0xff51_afd7_ed55_8ccd
            h = (h ^ (h >> 33)) &* 0xc4ce_b9fe_1a85_ec53
            return h ^ (h >> 33)
        }
        let a = avalanche(lanes.0 &+ rotl(lanes.1, 17) ^ rotl(lanes.2, 31) &+ rotl(lanes.3, 47))
        let b = avalanche(lanes.1 ^ rotl(lanes.0, 13) &+ rotl(lanes.3, 29) ^ rotl(lanes.2, 43) &+ a)
        return hex(a) + hex(b)
    }

    /// `x` in lowercase hexadecimal without leading zeros, as `String(x, radix: 16)`
    /// writes it (which runs generic code through the runtime's type lookups).
    static func hex(_ x: UInt64) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        var v = x
        repeat { out.append(digits[Int(v & 15)]); v >>= 4 } while v != 0
        out.reverse()
        return String(decoding: out, as: UTF8.self)
    }

    static func hash(file: String) -> (size: Int, hash: String)? {
        System.withMappedFile(file) { bytes in (bytes.count, hash(bytes)) }
    }

    /// How long before the hash a file must have last changed for its status to stand for
    /// its bytes: time stamps are coarser than a write (a clock tick), so a file changed
    /// twice within one tick, once before the hash and once after, keeps its status.
    static let settledNanoseconds: Int64 = 2_000_000_000

    /// A file's bytes hashed, and its status when the bytes can be recognised by it later
    /// ("-" otherwise): device, inode, size, and modification and change times to the
    /// nanosecond. The kernel sets the change time on every write and on every change of
    /// the modification time (a program can set the modification time back, not the change
    /// time), so a file whose status is the same has the same bytes, if it had settled
    /// before they were hashed (the same rule as git's for its index: a change in the tick
    /// the status was taken is invisible to it). A lookup compares the status, and hashes
    /// only when it differs: vmlinux.h's megabytes are not read by every compile.
    static func hashAndStatus(file: String) -> (size: Int, hash: String, status: String)? {
        guard let before = System.fileStatus(file), let h = hash(file: file),
              let after = System.fileStatus(file) else { return nil }
        let settled = before.identity == after.identity && before.changed < System.realTimeNanoseconds() - settledNanoseconds
        return (h.size, h.hash, settled ? after.identity : "-")
    }

    /// An input's line in an entry's dependency file.
    static func depsLine(_ h: (size: Int, hash: String, status: String), path: String) -> String {
        "\(h.size)\t\(h.hash)\t\(h.status)\t\(path)"
    }

    func key(prefix: String, arguments: [String], mainDirectory: String) -> String {
        let version = string(clang_getClangVersion())
        // The parts separated by NUL bytes (none can hold one).
        var material: [UInt8] = []
        for part in ["swift-bpfcc-pch-4", version, mainDirectory, prefix] + arguments {
            if !material.isEmpty { material.append(0) }
            material += part.utf8
        }
        return PrefixCache.hash(material)
    }

    private func paths(_ key: String) -> (header: String, pch: String, deps: String) {
        ("\(directory)/\(key).h", "\(directory)/\(key).pch", "\(directory)/\(key).deps")
    }

    /// A usable PCH for `key`, after checking every recorded input still has its bytes.
    func lookup(_ key: String) -> Entry? {
        let p = paths(key)
        guard System.fileExists(p.pch), let deps = System.readFile(p.deps) else { return nil }
        var statusChecks = 0, hashChecks = 0
        defer {
            if System.timesStages {
                System.writeError("swift-bpfcc: parse cache: \(statusChecks) inputs known by their status, \(hashChecks) hashed\n")
            }
        }
        var headersDefine = false
        var inputs: [String] = []
        // An input hashed again that has settled since gets its status recorded (an entry
        // built right after vmlinux.h was written would hash it on every use otherwise).
        var lines: [String] = [], settled = false
        // Lines of "size\thash\tstatus\tpath" (see `hashAndStatus`), or the marker.
        var start = 0
        while start < deps.count {
            var end = start
            while end < deps.count && deps[end] != 10 { end += 1 }
            defer { start = end + 1 }
            if end == start { continue }
            let line = String(decoding: deps[start..<end], as: UTF8.self)
            lines.append(line)
            var tabs: [Int] = []
            for i in start..<end where deps[i] == 9 && tabs.count < 3 { tabs.append(i) }
            guard tabs.count == 3 else {
                if line == PrefixCache.definesMarker { headersDefine = true; continue }
                return nil
            }
            let field = { (r: Range<Int>) in String(decoding: deps[r], as: UTF8.self) }
            let path = field(tabs[2] + 1..<end)
            let status = field(tabs[1] + 1..<tabs[2])
            if status != "-" && System.fileStatus(path)?.identity == status {
                statusChecks += 1
            } else {
                guard let size = Int(field(start..<tabs[0])), let now = PrefixCache.hashAndStatus(file: path),
                      now.size == size, now.hash == field(tabs[0] + 1..<tabs[1]) else { return nil }
                hashChecks += 1
                if now.status != "-" {
                    lines[lines.count - 1] = PrefixCache.depsLine(now, path: path)
                    settled = true
                }
            }
            inputs.append(path)
        }
        if settled { try? System.writeAtomically(p.deps, Array(lines.map { $0 + "\n" }.joined().utf8)) }
        return Entry(pch: p.pch, headersDefine: headersDefine, inputs: inputs)
    }

    /// Parses the prefix on its own and saves it as a PCH; returns its path.
    func build(_ key: String, prefix: String, arguments: [String], index: CXIndex) -> String? {
        let p = paths(key)
        System.makeDirectories(directory)
        let tmpSuffix = ".tmp-\(getpid())"
        // The header is named by its key, so an existing one has the same bytes.
        if !System.fileExists(p.header) {
            do { try System.writeAtomically(p.header, Array(prefix.utf8)) } catch { return nil }
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
        let files = includedFileNames(tu)
        var deps = PrefixCache.definesExternalSymbols(tu) ? PrefixCache.definesMarker + "\n" : ""
        // The entry's own header is not listed: it is named by the hash of its bytes (the key).
        for f in Set(files).sorted() where f != p.header {
            guard let h = PrefixCache.hashAndStatus(file: f) else { return nil }
            deps += PrefixCache.depsLine(h, path: f) + "\n"
        }
        guard clang_saveTranslationUnit(tu, p.pch + tmpSuffix, clang_defaultSaveOptions(tu)) == 0 else {
            unlink(p.pch + tmpSuffix)
            return nil
        }
        guard rename(p.pch + tmpSuffix, p.pch) == 0 else { return nil }
        do { try System.writeAtomically(p.deps, Array(deps.utf8)) } catch { return nil }
        return p.pch
    }

    /// Whether a top-level declaration of `tu` defines a function or variable that is
    /// neither static nor extern (`Converter.definesExternalSymbol`).
    private static func definesExternalSymbols(_ tu: CXTranslationUnit) -> Bool {
        children(clang_getTranslationUnitCursor(tu)).contains(where: Converter.definesExternalSymbol)
    }

    /// Forgets an entry that failed to load.
    func remove(_ key: String) {
        let p = paths(key)
        unlink(p.deps)
        unlink(p.pch)
    }
}
