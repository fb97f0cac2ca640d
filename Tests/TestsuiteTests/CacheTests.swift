import Testing
import Foundation

/// The on-disk cache of parsed #include prefixes (precompiled headers) must never
/// change the output: hits, damaged entries and changed headers all give the bytes
/// an uncached compile gives.
@Suite struct CacheTests {
    struct Setup { var work: String; var source: String; var include: String; var compiler: String }

    func setup() throws -> Setup? {
        guard let compiler = Environment.compiler, Shell.which("bpftool") != nil,
              FileManager.default.fileExists(atPath: "/sys/kernel/btf/vmlinux") else {
            if Environment.isCI { Issue.record("prerequisites for the cache tests are missing in CI") }
            else { print("SKIP: cache tests need swift-bpfcc, bpftool and /sys/kernel/btf/vmlinux") }
            return nil
        }
        let work = NSTemporaryDirectory() + "cache-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: work + "/inc", withIntermediateDirectories: true)
        let vmlinux = try Environment.vmlinuxDir.get() + "/vmlinux.h"
        try FileManager.default.copyItem(atPath: vmlinux, toPath: work + "/inc/vmlinux.h")
        let source = work + "/prog.c"
        try FileManager.default.copyItem(atPath: Environment.root + "/testsuite/core/core_task_read.c", toPath: source)
        return Setup(work: work, source: source, include: work + "/inc", compiler: compiler)
    }

    func compile(_ s: Setup, cache: String?, output: String) -> Shell.Result {
        // No background cache builds: entries are made explicitly with --build-parse-cache.
        let env = cache.map { ["SWIFT_BPFCC_CACHE_DIR=\($0)", "SWIFT_BPFCC_NO_CACHE_BUILD=1", "SWIFT_BPFCC_TIME_STAGES=1"] }
            ?? ["SWIFT_BPFCC_NO_CACHE=1"]
        return Shell.run(env + [s.compiler, "-O2", "-g", "-target", "bpf", "-I\(s.include)", "-I/usr/include/x86_64-linux-gnu",
                                "-c", s.source, "-o", output])
    }

    func buildEntry(_ s: Setup, cache: String) -> Shell.Result {
        Shell.run(["SWIFT_BPFCC_CACHE_DIR=\(cache)", s.compiler, "--build-parse-cache", "-O2", "-g", "-target", "bpf",
                   "-I\(s.include)", "-I/usr/include/x86_64-linux-gnu", s.source])
    }

    func bytes(_ path: String) -> Data? { FileManager.default.contents(atPath: path) }

    /// Whether a compile run with SWIFT_BPFCC_TIME_STAGES parsed with a cache entry (a
    /// failed attempt falls back to the ordinary parse, which would hide a broken hit).
    func usedCache(_ r: Shell.Result) -> Bool { r.stderr.contains("swift-bpfcc: parse cache: used ") }

    func files(_ dir: String, suffix: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.hasSuffix(suffix) }.map { dir + "/" + $0 }
    }

    @Test func hitsAndDamagedEntriesGiveTheSameObject() throws {
        guard let s = try setup() else { return }
        defer { try? FileManager.default.removeItem(atPath: s.work) }
        let cache = s.work + "/cache"
        #expect(compile(s, cache: nil, output: s.work + "/plain.o").status == 0)
        #expect(buildEntry(s, cache: cache).status == 0)
        let pchs = files(cache, suffix: ".pch")
        #expect(pchs.count == 1, "no cache entry was written")
        let hit = compile(s, cache: cache, output: s.work + "/hit.o")
        #expect(hit.status == 0, "\(hit.stderr)")
        #expect(usedCache(hit), "the entry was not used:\n\(hit.stderr)")
        #expect(bytes(s.work + "/hit.o") == bytes(s.work + "/plain.o"), "a cache hit changed the object")
        // Damage the entry: the compile falls back to parsing and still gives the same bytes.
        for p in pchs { _ = FileManager.default.createFile(atPath: p, contents: Data("not a pch".utf8)) }
        let damaged = compile(s, cache: cache, output: s.work + "/damaged.o")
        #expect(damaged.status == 0, "\(damaged.stderr)")
        #expect(bytes(s.work + "/damaged.o") == bytes(s.work + "/plain.o"), "a damaged entry changed the object")
    }

    /// Headers found through a relative -I: a cache entry records them by absolute path,
    /// a direct parse by the path as spelled (`./inc/ts_common.h`, `src/../inc/ts_common.h`).
    /// The object (its .BTF.ext line info names the header of the inlined `ts_put`) must not
    /// depend on which was used.
    @Test(arguments: ["inc", "./inc", "src/../inc", "inc/"])
    func relativeIncludePathsGiveTheSameObjectFromTheCache(_ includeDir: String) throws {
        guard let s = try setup() else { return }
        defer { try? FileManager.default.removeItem(atPath: s.work) }
        // A testsuite program and its header, in the same layout: src/x.c, inc/ts_common.h.
        try FileManager.default.createDirectory(atPath: s.work + "/src", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Environment.root + "/testsuite/include/ts_common.h", toPath: s.include + "/ts_common.h")
        try FileManager.default.copyItem(atPath: Environment.root + "/testsuite/programs/lang/lang_byteswap.c",
                                         toPath: s.work + "/src/rel.c")
        func run(_ env: [String], _ extra: [String], output: String) -> Shell.Result {
            Shell.run(env + [s.compiler] + extra + ["-O2", "-g", "-target", "bpf", "-I" + includeDir, "-I/usr/include/x86_64-linux-gnu",
                                                    "-c", "src/rel.c", "-o", output], cwd: s.work)
        }
        let cache = s.work + "/cache"
        let plain = run(["SWIFT_BPFCC_NO_CACHE=1"], [], output: "plain.o")
        #expect(plain.status == 0, "\(plain.stderr)")
        let build = Shell.run(["SWIFT_BPFCC_CACHE_DIR=\(cache)", s.compiler, "--build-parse-cache", "-O2", "-g", "-target", "bpf",
                               "-I" + includeDir, "-I/usr/include/x86_64-linux-gnu", "src/rel.c"], cwd: s.work)
        #expect(build.status == 0, "\(build.stderr)")
        #expect(files(cache, suffix: ".pch").count == 1, "no cache entry was written")
        let hit = run(["SWIFT_BPFCC_CACHE_DIR=\(cache)", "SWIFT_BPFCC_NO_CACHE_BUILD=1"], [], output: "hit.o")
        #expect(hit.status == 0, "\(hit.stderr)")
        #expect(bytes(s.work + "/plain.o") != nil && bytes(s.work + "/hit.o") == bytes(s.work + "/plain.o"),
                "a cache hit changed the object (header path in line info)")
    }

    /// One cache directory for the whole run (inside the run's vmlinux.h directory, which
    /// is removed at exit): programs with the same #include block share an entry, as they
    /// do in a user's cache.
    static func sharedCache(vmlinuxDir: String) -> String { vmlinuxDir + "/parse-cache" }

    /// Every testsuite program gives the same object from a cache hit as from a fresh
    /// parse. A hit visits only the main file's declarations (libclang's index excludes
    /// the PCH's), so everything the headers contribute must be reached by reference.
    @Test(arguments: Environment.programs.filter { $0.group != "errors" && $0.expectError == nil })
    func testsuiteProgramFromTheCache(_ p: TestProgram) throws {
        guard let compiler = Environment.compiler, let vmlinux = try? Environment.vmlinuxDir.get() else {
            if Environment.isCI { Issue.record("prerequisites for the cache tests are missing in CI") }
            else { print("SKIP: cache test of \(p.relativePath) needs swift-bpfcc and a vmlinux.h") }
            return
        }
        let work = NSTemporaryDirectory() + "cache-\(p.stem)-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }
        let flags = p.compileFlags(includeDir: Environment.includeDir, vmlinuxDir: vmlinux)
        let plain = Shell.run(["SWIFT_BPFCC_NO_CACHE=1", compiler] + flags + ["-c", p.path, "-o", work + "/plain.o"])
        try #require(plain.status == 0, "\(plain.stderr)")
        let build = Shell.run(["SWIFT_BPFCC_CACHE_DIR=\(Self.sharedCache(vmlinuxDir: vmlinux))", compiler, "--build-parse-cache"] + flags + [p.path])
        #expect(build.status == 0, "\(build.stderr)")
        let hit = Shell.run(["SWIFT_BPFCC_CACHE_DIR=\(Self.sharedCache(vmlinuxDir: vmlinux))", "SWIFT_BPFCC_NO_CACHE_BUILD=1",
                             "SWIFT_BPFCC_TIME_STAGES=1", compiler] + flags + ["-c", p.path, "-o", work + "/hit.o"])
        #expect(hit.status == 0, "\(hit.stderr)")
        #expect(usedCache(hit), "the cache entry of \(p.relativePath) was not used:\n\(hit.stderr)")
        #expect(bytes(work + "/hit.o") == bytes(work + "/plain.o"), "a cache hit changed the object of \(p.relativePath)")
    }

    /// Headers in the cached prefix that define maps, variables and a global function,
    /// some of them used by nothing: the entry records it, and a hit still puts them all in
    /// the object (the front end then visits the PCH's declarations). `typeof` of a header typedef keeps the typedef.
    @Test func headerDefinitionsSurviveTheCache() throws {
        guard let s = try setup() else { return }
        defer { try? FileManager.default.removeItem(atPath: s.work) }
        try """
            #include <linux/bpf.h>
            #include <bpf/bpf_helpers.h>
            typedef unsigned int hdr_key_t;
            struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 4); __type(key, hdr_key_t); __type(value, long); } hdr_map SEC(".maps");
            int hdr_counter = 7;
            __attribute__((noinline)) int hdr_global_fn(int x) { return x * 3 + hdr_counter; }
            struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 8); __type(key, int); __type(value, int); } hdr_unused_map SEC(".maps");
            int hdr_unused_global = 5;
            """.write(toFile: s.include + "/defs.h", atomically: true, encoding: .utf8)
        try """
            #include "defs.h"
            SEC("xdp") int prog(struct xdp_md *ctx) {
                hdr_key_t k = 1;
                long *v = bpf_map_lookup_elem(&hdr_map, &k);
                return v ? hdr_global_fn((int)*v) & 3 : XDP_PASS;
            }
            char LICENSE[] SEC("license") = "GPL";
            """.write(toFile: s.source, atomically: true, encoding: .utf8)
        let cache = s.work + "/cache"
        #expect(compile(s, cache: nil, output: s.work + "/plain.o").status == 0)
        #expect(buildEntry(s, cache: cache).status == 0)
        let deps = files(cache, suffix: ".deps").compactMap { try? String(contentsOfFile: $0, encoding: .utf8) }
        #expect(deps.count == 1 && deps[0].hasPrefix("#headers-define\n"), "the entry does not record the header definitions")
        let hit = compile(s, cache: cache, output: s.work + "/hit.o")
        #expect(hit.status == 0, "\(hit.stderr)")
        #expect(usedCache(hit), "the entry was not used:\n\(hit.stderr)")
        let symbols = Shell.run(["llvm-readelf-22", "-s", s.work + "/plain.o"]).stdout
        for name in ["hdr_map", "hdr_counter", "hdr_global_fn", "hdr_unused_map", "hdr_unused_global"] {
            #expect(symbols.contains(name), "the uncached object lacks \(name): the test no longer tests header definitions")
        }
        #expect(bytes(s.work + "/hit.o") == bytes(s.work + "/plain.o"), "a cache hit changed the object")
    }

    @Test func changedHeaderIsNotServedFromTheCache() throws {
        guard let s = try setup() else { return }
        defer { try? FileManager.default.removeItem(atPath: s.work) }
        let cache = s.work + "/cache"
        #expect(buildEntry(s, cache: cache).status == 0)
        #expect(compile(s, cache: nil, output: s.work + "/before.o").status == 0)
        // Swap task_struct's pid and tgid in the header the entry was built from: the
        // program's BTF and CO-RE access strings change, and the output must follow.
        let header = s.include + "/vmlinux.h"
        let text = try String(contentsOfFile: header, encoding: .utf8)
        let swapped = text.replacingOccurrences(of: "\tpid_t pid;\n\tpid_t tgid;", with: "\tpid_t tgid;\n\tpid_t pid;")
        try #require(swapped != text, "vmlinux.h has no adjacent pid/tgid fields to swap")
        try swapped.write(toFile: header, atomically: true, encoding: .utf8)
        let fresh = compile(s, cache: nil, output: s.work + "/fresh.o")
        let cached = compile(s, cache: cache, output: s.work + "/cached.o")
        #expect(fresh.status == 0 && cached.status == 0)
        #expect(bytes(s.work + "/fresh.o") != bytes(s.work + "/before.o"), "the header change must matter for this test")
        #expect(bytes(s.work + "/cached.o") == bytes(s.work + "/fresh.o"), "a stale entry changed the object")
    }

    /// An entry recognises a header that had settled (PrefixCache.settledNanoseconds) by its
    /// file status, without hashing it: one just written is hashed until a use finds it
    /// settled and records its status. A header changed in place with its modification
    /// time set back (same size and time: libclang's own check of a PCH's inputs passes)
    /// has a new status-change time, so it is hashed, and the stale entry is not used.
    @Test func headerChangedInPlaceWithItsTimeSetBackIsNotServedFromTheCache() throws {
        guard let s = try setup() else { return }
        defer { try? FileManager.default.removeItem(atPath: s.work) }
        let cache = s.work + "/cache"
        let header = s.include + "/vmlinux.h"
        #expect(buildEntry(s, cache: cache).status == 0)       // the header was copied just now
        #expect(compile(s, cache: nil, output: s.work + "/before.o").status == 0)
        // Its status changed now (its mode set again: libclang's check of the entry's
        // inputs reads the modification time, which stays), the header is unsettled at
        // the next compile however long the two before took (on a loaded machine, longer
        // than the settling time).
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: header)
        let fresh0 = compile(s, cache: cache, output: s.work + "/hit.o")
        #expect(usedCache(fresh0) && fresh0.stderr.contains(", 1 hashed"), "the unsettled header was not hashed:\n\(fresh0.stderr)")
        Thread.sleep(forTimeInterval: 2.5)
        let settling = compile(s, cache: cache, output: s.work + "/hit.o")
        #expect(usedCache(settling) && settling.stderr.contains(", 1 hashed"), "\(settling.stderr)")
        let hit = compile(s, cache: cache, output: s.work + "/hit.o")
        #expect(usedCache(hit), "the entry was not used:\n\(hit.stderr)")
        #expect(hit.stderr.contains(" inputs known by their status, 0 hashed"), "settled inputs were hashed:\n\(hit.stderr)")
        #expect(bytes(s.work + "/hit.o") == bytes(s.work + "/before.o"), "a cache hit changed the object")

        var old = stat()
        try #require(stat(header, &old) == 0)
        let text = try String(contentsOfFile: header, encoding: .utf8)
        let swapped = text.replacingOccurrences(of: "\tpid_t pid;\n\tpid_t tgid;", with: "\tpid_t tgid;\n\tpid_t pid;")
        try #require(swapped != text && swapped.utf8.count == text.utf8.count, "vmlinux.h has no adjacent pid/tgid fields to swap")
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: header))      // same file, same size
        try handle.write(contentsOf: Data(swapped.utf8))
        try handle.close()
        var times = [old.st_atim, old.st_mtim]
        try #require(utimensat(AT_FDCWD, header, &times, 0) == 0)
        var now = stat()
        try #require(stat(header, &now) == 0)
        try #require(now.st_ino == old.st_ino && now.st_size == old.st_size
                     && now.st_mtim.tv_sec == old.st_mtim.tv_sec && now.st_mtim.tv_nsec == old.st_mtim.tv_nsec,
                     "the header's identity, size or modification time changed: the test would not test the status-change time")

        let fresh = compile(s, cache: nil, output: s.work + "/fresh.o")
        let cached = compile(s, cache: cache, output: s.work + "/cached.o")
        #expect(fresh.status == 0 && cached.status == 0)
        #expect(bytes(s.work + "/fresh.o") != bytes(s.work + "/before.o"), "the header change must matter for this test")
        #expect(!usedCache(cached), "the stale entry was used:\n\(cached.stderr)")
        #expect(bytes(s.work + "/cached.o") == bytes(s.work + "/fresh.o"), "a stale entry changed the object")
    }
}
