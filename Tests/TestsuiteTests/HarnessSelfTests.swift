import Testing
import Foundation

/// The harness itself must catch differences: a comparison that cannot fail proves nothing.
/// Pure parts (JSON, diffs, directives, diagnostics) are tested on literals; the loader and
/// the comparison end to end on testsuite/runner/selftest/, built in variants by clang-22.
@Suite struct HarnessSelfTests {
    @Test func detectsDifferentReturnValues() throws {
        let a = try LoaderResult(json: #"{"load":"ok","programs":[{"name":"p","type":"xdp"}],"run_prog":"p","runs":[{"retval":2,"data":"00","duration_ns":5}],"maps":{}}"#)
        let b = try LoaderResult(json: #"{"load":"ok","programs":[{"name":"p","type":"xdp"}],"run_prog":"p","runs":[{"retval":1,"data":"00","duration_ns":9}],"maps":{}}"#)
        let d = ResultComparison.difference(ours: a, clang: b)
        #expect(d == "run 1 of 1: return value differs: ours 2 (XDP_PASS), clang 1 (XDP_DROP)")
        #expect(ResultComparison.difference(ours: a, clang: a) == nil)
    }

    @Test func durationIsNotAResult() throws {
        let a = try LoaderResult(json: #"{"load":"ok","runs":[{"retval":2,"data":"00","duration_ns":5}],"maps":{}}"#)
        let b = try LoaderResult(json: #"{"load":"ok","runs":[{"retval":2,"data":"00","duration_ns":500}],"maps":{}}"#)
        #expect(ResultComparison.difference(ours: a, clang: b) == nil)
    }

    @Test func detectsDifferentPacketsAndMaps() throws {
        let a = try LoaderResult(json: #"{"load":"ok","runs":[{"retval":2,"data":"0011"}],"maps":{"m":[["00","01"]]}}"#)
        let b = try LoaderResult(json: #"{"load":"ok","runs":[{"retval":2,"data":"0012"}],"maps":{"m":[["00","01"]]}}"#)
        let c = try LoaderResult(json: #"{"load":"ok","runs":[{"retval":2,"data":"0011"}],"maps":{"m":[["00","02"]]}}"#)
        let e = try LoaderResult(json: #"{"load":"ok","runs":[{"retval":2,"data":"0011"}],"maps":{}}"#)
        #expect(ResultComparison.difference(ours: a, clang: b)?.contains("first difference at byte 1 (ours 0x11, clang 0x12)") == true)
        #expect(ResultComparison.difference(ours: a, clang: c) == "map 'm' differs: key 00: ours 01, clang 02")
        #expect(ResultComparison.difference(ours: e, clang: a)?.contains("missing in ours") == true)
        // .rodata is input, not result.
        let r1 = try LoaderResult(json: #"{"load":"ok","runs":[],"maps":{"x.rodata":[["00000000","01"]]}}"#)
        let r2 = try LoaderResult(json: #"{"load":"ok","runs":[],"maps":{"x.rodata":[["00000000","02"]]}}"#)
        #expect(ResultComparison.difference(ours: r1, clang: r2) == nil)
    }

    @Test func detectsRunFailuresAndRunCounts() throws {
        let ok = try LoaderResult(json: #"{"load":"ok","runs":[{"retval":0,"data":""}],"maps":{}}"#)
        let failed = try LoaderResult(json: #"{"load":"ok","runs":[{"error":"Invalid argument"}],"maps":{}}"#)
        let none = try LoaderResult(json: #"{"load":"ok","runs":[],"maps":{}}"#)
        #expect(ResultComparison.difference(ours: failed, clang: ok)?.contains("ours Invalid argument, clang ok") == true)
        #expect(ResultComparison.difference(ours: none, clang: ok) == "run count differs: ours 0, clang 1")
    }

    @Test func globalVariablesComparedByName() throws {
        // Same variable at different offsets in the two objects: equal; other value: different.
        let a = try LoaderResult(json: #"{"load":"ok","runs":[],"maps":{"p.bss":[["00000000","0100000002000000"]]}}"#)
        let b = try LoaderResult(json: #"{"load":"ok","runs":[],"maps":{"p.bss":[["00000000","0200000001000000"]]}}"#)
        let sa = [".bss": [DataSecVar(name: "x", isStatic: false, offset: 0, size: 4), DataSecVar(name: "y", isStatic: false, offset: 4, size: 4)]]
        let sb = [".bss": [DataSecVar(name: "x", isStatic: false, offset: 4, size: 4), DataSecVar(name: "y", isStatic: false, offset: 0, size: 4)]]
        #expect(ResultComparison.difference(ours: a, clang: b, ourSections: sa, clangSections: sb) == nil)
        let sc = [".bss": [DataSecVar(name: "x", isStatic: false, offset: 0, size: 4), DataSecVar(name: "y", isStatic: false, offset: 4, size: 4)]]
        #expect(ResultComparison.difference(ours: a, clang: b, ourSections: sa, clangSections: sc) == "global '.bss:x' differs: ours 01000000, clang 02000000")
    }

    @Test func rejectsNonJSON() {
        #expect(throws: HarnessError.self) { try LoaderResult(json: "Segmentation fault") }
        #expect(throws: HarnessError.self) { try LoaderResult(json: #"{"maps":{}}"#) }
    }

    @Test func hexDiffPointsAtTheFirstDifferentByte() {
        #expect(HexDiff.describe(ours: "00112233", clang: "00112233") == nil)
        let d = HexDiff.describe(ours: "000102030405060708090a0b0c0d0e0f10", clang: "000102030405060708090a0b0cff0e0f10")
        #expect(d?.hasPrefix("ours 17 bytes, clang 17 bytes; first difference at byte 13 (ours 0x0d, clang 0xff)") == true)
        #expect(d?.contains("ours  [0000] 00 01 02 03 04 05 06 07 08 09 0a 0b 0c >0d 0e") == true)
        #expect(HexDiff.describe(ours: "0011", clang: "001122")?.contains("differ from byte 2") == true)
    }

    @Test func returnValueNames() {
        #expect(ResultComparison.name(3, "xdp") == "3 (XDP_TX)")
        #expect(ResultComparison.name(2, "sched_cls") == "2 (TC_ACT_SHOT)")
        #expect(ResultComparison.name(4294967295, "sched_cls") == "-1 (TC_ACT_UNSPEC)")
        #expect(ResultComparison.name(nil, "xdp") == "none")
    }

    @Test func parsesDirectives() {
        let p = TestProgram(path: "/x/xdp/t.c", relativePath: "xdp/t.c", text: """
            // @input 00 11
            // @input 22
            // @ctx 0100000000000000
            // @cflags -mcpu=v4 -DX=1
            // @prog entry
            // @repeat 1000
            // @expect-reject
            // @inptu 00
            int x;
            """)
        #expect(p.inputs == ["0011", "22"])
        #expect(p.contexts == ["0100000000000000"])
        #expect(p.cflags == ["-mcpu=v4", "-DX=1"])
        #expect(p.prog == "entry")
        #expect(p.repeatCount == 1000)
        #expect(p.expectReject && !p.loadOnly && p.expectError == nil)
        #expect(p.unknownDirectives == ["// @inptu 00"])
        #expect(p.runCount == 2 && p.group == "xdp" && p.stem == "t")
        #expect(p.loaderArguments == ["--prog", "entry", "--input", "0011", "--input", "22", "--ctx", "0100000000000000"])
        let e = TestProgram(path: "/x/errors/e.c", relativePath: "errors/e.c", text: "// @expect-error unknown type name 'u128_t'\n// @load-only\n")
        #expect(e.expectError == "unknown type name 'u128_t'" && e.group == "errors" && e.runCount == 0)
    }

    @Test func parsesErrorDiagnostics() {
        let stderr = """
            /a/b:c/prog.c:7:16: error: use of undeclared identifier 'nope'
                7 |     return nope;
            prog.c:3:1: warning: something
            In file included from x.h:1:
            error: no input files
            """
        let d = DifferentialCheck.errorDiagnostics(stderr)
        #expect(d == [DifferentialCheck.Diagnostic(file: "/a/b:c/prog.c", line: 7, column: 16,
                                                     message: "use of undeclared identifier 'nope'")])
    }

    @Test func parsesKnownFailures() {
        let s = Environment.parseKnownFailures("# comment\nlang_a\n  lang_b   # why\n\n#lang_c\n")
        #expect(s == ["lang_a", "lang_b"])
    }

    @Test func shellTimesOut() {
        let r = Shell.run(["sleep", "20"], timeout: 1)
        #expect(r.timedOut && r.crashed && r.ending == "timed out")
        let ok = Shell.run(["sh", "-c", "echo out; echo err >&2; exit 3"])
        #expect(ok.status == 3 && ok.stdout == "out\n" && ok.stderr == "err\n" && !ok.crashed && !ok.timedOut)
    }
}

/// End to end through clang-22, bpfrun and the kernel: variants of one program that differ
/// in one observable way each must be told apart; equal builds must compare equal.
@Suite struct HarnessEndToEndTests {
    static let selftestDir = Environment.root + "/testsuite/runner/selftest"
    static let inputs = ["00112233445566778899aabb0800450000140000", "00112233445566778899aabb86dd", "00112233445566778899aabb0806"]

    func ready() -> Bool { Prerequisites.satisfied(Environment.missingPrerequisite, what: "harness self-test") }

    /// Builds selftest_variants.c with -DVARIANT=v into dir/<tag>/selftest.o (same stem for all).
    func build(_ file: String, variant: Int, tag: String, in dir: String) throws -> String {
        try FileManager.default.createDirectory(atPath: "\(dir)/\(tag)", withIntermediateDirectories: true)
        let out = "\(dir)/\(tag)/selftest.o"
        let r = Shell.run(["clang-22", "-O2", "-g", "-target", "bpf", "-mcpu=v3", "-I/usr/include/x86_64-linux-gnu",
                           "-DVARIANT=\(variant)", "-c", "\(Self.selftestDir)/\(file)", "-o", out])
        guard r.status == 0 else { throw HarnessError("clang-22 failed on \(file):\n\(r.stderr)") }
        return out
    }

    func load(_ obj: String, _ extra: [String] = []) throws -> LoaderResult {
        let args = Self.inputs.flatMap { ["--input", $0] }
        return try LoaderResult(json: Shell.run([try Environment.bpfrun.get(), obj] + args + extra).stdout)
    }

    func tempDir() -> String { NSTemporaryDirectory() + "harness-selftest-\(UUID().uuidString.prefix(8))" }

    @Test func loaderReportsProgramsRunsAndMaps() throws {
        guard ready() else { return }
        let dir = tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try load(try build("selftest_variants.c", variant: 0, tag: "a", in: dir))
        #expect(r.loaded && r.error.isEmpty)
        #expect(r.programs.count == 1)
        #expect(r.programs.first?.name == "selftest" && r.programs.first?.section == "xdp" && r.programs.first?.type == "xdp")
        #expect((r.programs.first?.insns ?? 0) > 10 && (r.programs.first?.verifiedInsns ?? 0) > 10)
        #expect(r.runProgram == "selftest")
        #expect(r.runs.map(\.retval) == [2, 1, 1])  // IPv4 pass, IPv6 and ARP drop
        #expect(r.runs.first?.data == "aa112233445566778899aabb0800450000140000")
        #expect(r.runs.allSatisfy { $0.error == nil && $0.durationNs != nil })
        // Hash map keys sorted by bytes (inserted 30, 10, 20); per-CPU values summed over CPUs.
        #expect(r.maps["seen"] == [["0a000000", "01000000"], ["14000000", "01000000"], ["1e000000", "01000000"]])
        #expect(r.maps["runs"] == [["00000000", "0300000000000000"]])
        #expect(r.maps["counts"]?.prefix(2) == [["00000000", "0100000000000000"], ["01000000", "0200000000000000"]])
        #expect(r.maps["counts"]?.count == 4)
        #expect(r.maps["selftest.bss"] == [["00000000", "0e000000"]])  // last_len of the last run
        #expect(r.skippedMaps.isEmpty)
    }

    @Test(arguments: [(1, "return value differs: ours 1 (XDP_DROP), clang 2 (XDP_PASS)"),
                      (2, "first difference at byte 0 (ours 0xab, clang 0xaa)"),
                      (3, "map 'counts' differs: key 00000000: ours 0200000000000000, clang 0100000000000000"),
                      (4, "global '.bss:last_len' differs: ours 0f000000, clang 0e000000")])
    func variantsAreToldApart(variant: Int, expected: String) throws {
        guard ready() else { return }
        let dir = tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let base = try build("selftest_variants.c", variant: 0, tag: "clang", in: dir)
        let other = try build("selftest_variants.c", variant: variant, tag: "ours", in: dir)
        let d = ResultComparison.difference(ours: try load(other), clang: try load(base),
                                            ourSections: try BTFExtReader.dataSections(objectPath: other),
                                            clangSections: try BTFExtReader.dataSections(objectPath: base))
        #expect(d?.contains(expected) == true, "difference reported: \(d ?? "none")")
    }

    @Test func equalBuildsCompareEqual() throws {
        guard ready() else { return }
        let dir = tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let a = try build("selftest_variants.c", variant: 0, tag: "clang", in: dir)
        let b = try build("selftest_variants.c", variant: 0, tag: "ours", in: dir)
        let d = ResultComparison.difference(ours: try load(b), clang: try load(a),
                                            ourSections: try BTFExtReader.dataSections(objectPath: b),
                                            clangSections: try BTFExtReader.dataSections(objectPath: a))
        #expect(d == nil)
    }

    @Test func verifierRejectionCarriesTheLog() throws {
        guard ready() else { return }
        let dir = tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try load(try build("selftest_reject.c", variant: 0, tag: "x", in: dir))
        #expect(!r.loaded && r.error.hasPrefix("load failed"))
        #expect(r.runs.isEmpty && r.maps.isEmpty)
        let tail = r.logTail()
        #expect(tail.split(separator: "\n", omittingEmptySubsequences: false).count <= 30)
        #expect(tail.contains("invalid access to packet"), "verifier log tail:\n\(tail)")
    }

    @Test func loaderNeverHangs() throws {
        guard ready() else { return }
        let dir = tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let obj = try build("selftest_variants.c", variant: 0, tag: "a", in: dir)
        let start = Date()
        let r = try LoaderResult(json: Shell.run([try Environment.bpfrun.get(), obj, "--input", Self.inputs[0],
                                                  "--repeat", "2000000000", "--timeout", "1"], timeout: 60).stdout)
        #expect(!r.loaded && r.error.contains("timeout"))
        #expect(Date().timeIntervalSince(start) < 30)
    }

    @Test func loaderRejectsBadHex() throws {
        guard ready() else { return }
        let dir = tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let obj = try build("selftest_variants.c", variant: 0, tag: "a", in: dir)
        let r = try LoaderResult(json: Shell.run([try Environment.bpfrun.get(), obj, "--input", "0011zz", "--input", "001"]).stdout)
        #expect(r.runs.map(\.error) == ["bad --input hex in run 1", "bad --input hex in run 2"])
    }
}

/// The whole differential check (DifferentialCheck.run) against stand-in compilers that
/// are clang-22 with a twist: each must make the check record the expected issue.
@Suite struct HarnessCheckTests {
    static let program = TestProgram(path: HarnessEndToEndTests.selftestDir + "/selftest_variants.c",
                                     root: HarnessEndToEndTests.selftestDir)

    /// A shell script standing in for swift-bpfcc.
    func fakeCompiler(_ body: String) throws -> (path: String, dir: String) {
        let dir = NSTemporaryDirectory() + "fake-bpfcc-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = dir + "/fake-bpfcc"
        try "#!/bin/sh\n\(body)\n".write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        return (path, dir)
    }

    func ready() -> Bool { Prerequisites.satisfied(Environment.missingPrerequisite, what: "harness check self-test") }

    /// Runs the check, absorbing the issues it records (as known issues), and returns their texts.
    func issues(_ p: TestProgram, compiler: String) throws -> [String] {
        let box = Comments()
        try withKnownIssue("issues the harness must record for a deviating compiler") {
            try DifferentialCheck.run(p, compiler: compiler)
        } matching: { issue in
            box.add(issue.comments.map(\.rawValue).joined(separator: "\n"))
            return true
        }
        return box.all
    }

    @Test func clangAgainstItselfPasses() throws {
        guard ready() else { return }
        let fake = try fakeCompiler(#"exec clang-22 -DVARIANT=0 "$@""#)
        defer { try? FileManager.default.removeItem(atPath: fake.dir) }
        #expect(Self.program.runCount == 3)
        try DifferentialCheck.run(Self.program, compiler: fake.path)
    }

    @Test(arguments: [
        (#"exec clang-22 -DVARIANT=1 "$@""#, "run 1 of 3: return value differs: ours 1 (XDP_DROP), clang 2 (XDP_PASS)"),
        (#"exec clang-22 -DVARIANT=2 "$@""#, "output data differs"),
        (#"exec clang-22 -DVARIANT=3 "$@""#, "map 'counts' differs: key 00000000"),
        (#"exec clang-22 -DVARIANT=4 "$@""#, "global '.bss:last_len' differs"),
        (#"exec clang-22 -DVARIANT=5 "$@""#, "the verifier rejects swift-bpfcc's build"),
        (#"echo "prog.c:1:1: error: boom" >&2; exit 1"#, "swift-bpfcc failed (exit status 1)"),
        (#"kill -SEGV $$"#, "swift-bpfcc failed (crashed"),
        (#"exit 0"#, "swift-bpfcc exited 0 but wrote no"),
    ])
    func deviationsAreReported(script: String, expected: String) throws {
        guard ready() else { return }
        let fake = try fakeCompiler(script)
        defer { try? FileManager.default.removeItem(atPath: fake.dir) }
        let found = try issues(Self.program, compiler: fake.path)
        #expect(found.contains { $0.contains(expected) }, "recorded: \(found)")
    }

    @Test func verifierRejectionShowsTheLogTail() throws {
        guard ready() else { return }
        let fake = try fakeCompiler(#"exec clang-22 -DVARIANT=5 "$@""#)
        defer { try? FileManager.default.removeItem(atPath: fake.dir) }
        let found = try issues(Self.program, compiler: fake.path)
        #expect(found.contains { $0.contains("last 30 log lines") && $0.contains("invalid access to packet") }, "recorded: \(found)")
    }

    /// The errors-group check: a stand-in that fails the right way passes, others are reported.
    @Test func expectedErrorsAreChecked() throws {
        let src = NSTemporaryDirectory() + "experr-\(UUID().uuidString.prefix(8)).c"
        try "// @expect-error use of undeclared identifier 'nope'\nint f(void) { return nope; }\n"
            .write(toFile: src, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: src) }
        let p = TestProgram(path: src, relativePath: "errors/experr.c",
                            text: (try? String(contentsOfFile: src, encoding: .utf8)) ?? "")
        let good = try fakeCompiler(#"for a; do case "$a" in *.c) f="$a";; esac; done; echo "$f:2:22: error: use of undeclared identifier 'nope'" >&2; exit 1"#)
        defer { try? FileManager.default.removeItem(atPath: good.dir) }
        try DifferentialCheck.run(p, compiler: good.path)
        let cases = [
            (#"exit 0"#, "accepted a program that must fail"),
            (#"echo "error: use of undeclared identifier 'nope'" >&2; exit 1"#, "no `file:line:col: error: message` line"),
            (#"echo "x.c:2:22: error: something else" >&2; exit 1"#, "no error containing"),
            (#"for a; do case "$a" in *.o) : > "$a";; esac; done; echo "x.c:2:22: error: use of undeclared identifier 'nope'" >&2; exit 1"#, "left an output file"),
            (#"kill -SEGV $$"#, "crashed"),
        ]
        for (script, expected) in cases {
            let fake = try fakeCompiler(script)
            defer { try? FileManager.default.removeItem(atPath: fake.dir) }
            let found = try issues(p, compiler: fake.path)
            #expect(found.contains { $0.contains(expected) }, "recorded: \(found)")
        }
    }
}

private final class Comments: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String] = []
    func add(_ s: String) { lock.lock(); items.append(s); lock.unlock() }
    var all: [String] { lock.lock(); defer { lock.unlock() }; return items }
}
