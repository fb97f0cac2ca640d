import Glibc
import CSystem

/// The operating-system services the compiler needs, on the C library: the compiler
/// links no Foundation at all (its metadata and protocol conformances, which the Swift
/// runtime instantiates and scans at every process start, cost a small compile more
/// than some of its stages).
public enum System {
    /// Writes `text` to standard error.
    public static func writeError(_ text: String) { fputs(text, stderr) }

    /// Makes malloc keep the memory it is given back for reuse, for a process that lives
    /// one compile: blocks of any size come from the heap (not each from its own mapping,
    /// unmapped when freed), and the heap's top is neither returned to the system nor
    /// grown by less than 4 MiB at a time. Memory taken again then needs no new page
    /// faults; libclang, which allocates and frees megabytes while it reads a parse
    /// cache entry, spends about 5 % less time (Docs/Benchmark.md).
    public static func keepFreedMemory() {
        _ = mallopt(M_MMAP_THRESHOLD, 64 << 20)
        _ = mallopt(M_TRIM_THRESHOLD, 256 << 20)
        _ = mallopt(M_TOP_PAD, 4 << 20)
    }

    /// Makes libclang parse on the calling thread. By default it starts a thread for each
    /// parse (a crash-recovery context with a fresh 8 MiB stack); once that thread has
    /// run on the other core, every later page fault of the process that changes a
    /// mapping (the first write to each page of the binary's data, of new heap) has
    /// the kernel interrupt that core to flush its TLB, which in a virtual machine cost
    /// a small compile's own stages a fifth of their time (Docs/Benchmark.md). The main
    /// thread's stack is the larger one (`allowDeepRecursion`); libclang still recovers
    /// from a crash on this thread. Call before any other thread starts.
    public static func parseOnMainThread() {
        _ = setenv("LIBCLANG_NOTHREADS", "1", 0)
    }

    /// Lets the main thread's stack grow to 32 MiB (or the hard limit, if lower): the
    /// kernel checks the limit as the stack grows, and leaves at least 128 MiB free below
    /// it. Our conversion and lowering recurse once per nesting level (at most
    /// `Converter.deepestNesting`), libclang's parser once per level of a cast or
    /// `else if` chain; with 8 MiB, 2,000 levels overflowed the stack (as they do
    /// clang-22's, on casts). More would only let libclang go deeper, and slower, into
    /// chains that end in an overflow all the same (30,000 `else if`s: 12 s at 32 MiB,
    /// 33 s at 64 MiB; clang-22 overflows on them too).
    public static func allowDeepRecursion() {
        var limit = rlimit()
        guard getrlimit(__rlimit_resource_t(RLIMIT_STACK.rawValue), &limit) == 0 else { return }
        let wanted: rlim_t = 32 << 20
        guard limit.rlim_cur != rlim_t.max, limit.rlim_cur < wanted else { return }
        limit.rlim_cur = limit.rlim_max == rlim_t.max ? wanted : min(wanted, limit.rlim_max)
        _ = setrlimit(__rlimit_resource_t(RLIMIT_STACK.rawValue), &limit)
    }

    /// `SWIFT_BPFCC_TIME_STAGES` is set: the stages print their times on stderr.
    public static let timesStages = getenv("SWIFT_BPFCC_TIME_STAGES") != nil

    /// Everything on standard input (what was read before an error).
    public static func readStandardInput() -> [UInt8] { readAll(0, sizeHint: 0) ?? [] }

    /// Everything readable from `fd`; nil on a read error. Reads straight into the
    /// array, sized one byte past `sizeHint` so that the end of a file of that size is
    /// seen without a second buffer (a scratch buffer cost a compile more page faults
    /// than reading its source file did).
    private static func readAll(_ fd: Int32, sizeHint: Int) -> [UInt8]? {
        var out: [UInt8] = []
        var room = max(sizeHint + 1, 1 << 12)
        while true {
            var failed = false, atEnd = false
            let chunk = [UInt8](unsafeUninitializedCapacity: room) { buffer, initialized in
                while initialized < buffer.count {
                    let n = read(fd, buffer.baseAddress! + initialized, buffer.count - initialized)
                    if n < 0 && errno == EINTR { continue }
                    if n < 0 { failed = true; return }
                    if n == 0 { atEnd = true; return }
                    initialized += n
                }
            }
            if out.isEmpty { out = chunk } else { out += chunk }
            if failed { return fd == 0 ? out : nil }
            if atEnd { return out }
            room = out.count
        }
    }

    /// An environment variable's value (getenv: ProcessInfo builds the whole
    /// environment dictionary, a measurable part of a small compile).
    public static func environment(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }

    /// A file's bytes (nil when it cannot be read).
    public static func readFile(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var st = stat()
        return readAll(fd, sizeHint: fstat(fd, &st) == 0 ? max(0, Int(st.st_size)) : 0)
    }

    /// `body` applied to a file's bytes mapped read-only into memory (no copy: a parse
    /// cache lookup hashes megabytes of headers); nil when the file cannot be opened.
    public static func withMappedFile<T>(_ path: String, _ body: (UnsafeRawBufferPointer) -> T) -> T? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { return nil }
        let size = Int(st.st_size)
        guard size > 0, let base = mmap(nil, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0), base != MAP_FAILED else {
            // Empty, or not mappable (a pipe): read it.
            return readAll(fd, sizeHint: max(0, size)).map { bytes in bytes.withUnsafeBytes(body) }
        }
        defer { munmap(base, size) }
        return body(UnsafeRawBufferPointer(start: base, count: size))
    }

    /// A file's text, nil when it cannot be read or is not valid UTF-8. (Decoded, and
    /// compared with the bytes: decoding replaces what is not UTF-8. `String(validating:as:)`
    /// is generic, and looked its types up by name at run time: 1 % of a compile's own time.)
    public static func readTextFile(_ path: String) -> String? {
        guard let bytes = readFile(path) else { return nil }
        let text = String(decoding: bytes, as: UTF8.self)
        return text.utf8.elementsEqual(bytes) ? text : nil
    }

    /// Creates `path` and the directories above it that are missing (as `mkdir -p`);
    /// false when it does not exist afterwards.
    @discardableResult
    public static func makeDirectories(_ path: String) -> Bool {
        if path.isEmpty || fileExists(path) { return true }
        let parent = directory(of: path)
        if parent != path { makeDirectories(parent) }
        return mkdir(path, 0o755) == 0 || errno == EEXIST
    }

    /// Creates or truncates `path` and writes `bytes` to it; false on any failure.
    public static func writeFile(_ path: String, _ bytes: [UInt8]) -> Bool {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return false }
        let ok = writeAll(fd, bytes)
        return close(fd) == 0 && ok
    }

    /// Writes `bytes` to standard output (`-o -`).
    public static func writeStandardOutput(_ bytes: [UInt8]) -> Bool { writeAll(1, bytes) }

    private static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var done = 0
        return bytes.withUnsafeBytes { raw -> Bool in
            while done < raw.count {
                let n = write(fd, raw.baseAddress! + done, raw.count - done)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return false }
                done += n
            }
            return true
        }
    }

    /// The step of `writeAtomically` that failed.
    public enum WriteFailure: Error { case write, rename }

    /// Writes `bytes` to a temporary file beside `path` and renames it into place, so no
    /// reader (a parallel `make -j` job, the next compile) ever sees half a file; on a
    /// failure the temporary is removed. Something at `path` that is not a regular file
    /// (`-o /dev/null`, a pipe) is written to, not replaced.
    public static func writeAtomically(_ path: String, _ bytes: [UInt8]) throws(WriteFailure) {
        var st = stat()
        if stat(path, &st) == 0 && (st.st_mode & S_IFMT) != S_IFREG {
            guard writeFile(path, bytes) else { throw .write }
            return
        }
        let dir = directory(of: path)
        let tmp = (dir.isEmpty ? "." : dir) + "/.\(lastComponent(of: path)).tmp-\(getpid())"
        guard writeFile(tmp, bytes) else { unlink(tmp); throw .write }
        guard rename(tmp, path) == 0 else { unlink(tmp); throw .rename }
    }

    /// Removes the regular file at `path`, if there is one (a pipe or device stays).
    public static func removeRegularFile(_ path: String) {
        var st = stat()
        if lstat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG { unlink(path) }
    }

    /// Whether something exists at `path`.
    public static func fileExists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    /// The current working directory.
    public static let currentDirectory: String = {
        guard let p = getcwd(nil, 0) else { return "." }
        defer { free(p) }
        return String(cString: p)
    }()

    /// A file's identity and the times of its last changes as one string (device, inode,
    /// size, modification and status-change times in nanoseconds), and the status-change
    /// time on the real-time clock; nil when it cannot be stat'ed.
    public static func fileStatus(_ path: String) -> (identity: String, changed: Int64)? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        let modified = nanoseconds(st.st_mtim), changed = nanoseconds(st.st_ctim)
        return ("\(st.st_dev):\(st.st_ino):\(st.st_size):\(modified):\(changed)", changed)
    }

    /// The real-time clock (the one file times are on) in nanoseconds.
    public static func realTimeNanoseconds() -> Int64 { nanoseconds(clock: CLOCK_REALTIME) }

    /// A monotonic clock in nanoseconds, for stage timings.
    public static func nanoseconds() -> UInt64 { UInt64(nanoseconds(clock: CLOCK_MONOTONIC)) }

    private static func nanoseconds(clock: clockid_t) -> Int64 {
        var t = timespec()
        clock_gettime(clock, &t)
        return nanoseconds(t)
    }

    private static func nanoseconds(_ t: timespec) -> Int64 { Int64(t.tv_sec) * 1_000_000_000 + Int64(t.tv_nsec) }

    /// The directory part of a path ("" when it has none), as NSString's
    /// `deletingLastPathComponent`: "a/b.c" → "a", "/b.c" → "/", "b.c" → "".
    public static func directory(of path: String) -> String {
        var p = Substring(path)
        while p.count > 1 && p.hasSuffix("/") { p = p.dropLast() }
        guard let slash = p.lastIndex(of: "/") else { return "" }
        if slash == p.startIndex { return "/" }
        var d = p[..<slash]
        while d.count > 1 && d.hasSuffix("/") { d = d.dropLast() }
        return String(d)
    }

    /// The last component of a path: "a/b.c" → "b.c".
    public static func lastComponent(of path: String) -> String {
        var p = Substring(path)
        while p.count > 1 && p.hasSuffix("/") { p = p.dropLast() }
        guard let slash = p.lastIndex(of: "/") else { return String(p) }
        return p.count == 1 ? "/" : String(p[p.index(after: slash)...])
    }

    /// The absolute path with symbolic links, "." and ".." resolved (the path itself when
    /// it cannot be resolved).
    public static func absolutePath(_ path: String) -> String {
        guard let r = realpath(path, nil) else { return path }
        defer { free(r) }
        return String(cString: r)
    }

    /// Starts `arguments[0]` with `arguments` as its argument vector, standard streams on
    /// /dev/null and no other descriptors inherited; does not wait for it.
    public static func spawnDetached(_ arguments: [String]) {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for fd: Int32 in 0...2 { posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0) }
        let limit = min(Int32(sysconf(Int32(_SC_OPEN_MAX))), 4096)
        if limit > 3 { for fd in 3..<limit where fcntl(fd, F_GETFD) != -1 { posix_spawn_file_actions_addclose(&actions, fd) } }
        let cargs = arguments.map { strdup($0) }
        defer { cargs.forEach { free($0) } }
        var argv = cargs + [nil]
        var pid: pid_t = 0
        _ = posix_spawn(&pid, arguments[0], &actions, nil, &argv, environ)
    }
}

extension StringProtocol {
    /// The text without leading and trailing spaces and tabs (and, with `newlines`,
    /// line breaks).
    public func trimmed(newlines: Bool = false) -> String {
        func blank(_ c: Character) -> Bool { c == " " || c == "\t" || newlines && (c == "\n" || c == "\r") }
        guard let first = firstIndex(where: { !blank($0) }) else { return "" }
        let last = lastIndex(where: { !blank($0) })!
        return String(self[first...last])
    }
}
