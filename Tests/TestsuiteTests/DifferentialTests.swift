import Testing
import Foundation

/// Every program under testsuite/programs: compiled by swift-bpfcc and clang-22,
/// read by llvm tools, loaded into this kernel, run with BPF_PROG_TEST_RUN, compared.
@Suite struct DifferentialTests {
    static let programs = Environment.programs

    @Test(arguments: programs)
    func program(_ p: TestProgram) throws {
        if let why = Environment.missingPrerequisite {
            if Environment.isCI { Issue.record("prerequisite missing in CI: \(why)"); return }
            print("SKIP: \(p.relativePath): \(why)")
            return
        }
        if Environment.knownFailures.contains(p.stem) {
            withKnownIssue("known failure (testsuite/known-failures.txt): \(p.stem)") { try check(p) }
        } else {
            try check(p)
        }
    }

    func flags(_ p: TestProgram) -> [String] {
        ["-O2", "-g", "-target", "bpf", "-mcpu=v3", "-I/usr/include/x86_64-linux-gnu",
         "-I\(Environment.root)/testsuite/include"] + p.cflags
    }

    func check(_ p: TestProgram) throws {
        let work = NSTemporaryDirectory() + "ts-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: work + "/ours", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: work + "/clang", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }
        let ours = "\(work)/ours/\(p.stem).o", theirs = "\(work)/clang/\(p.stem).o"
        guard let compiler = Environment.compiler else { throw HarnessError("swift-bpfcc not found") }

        // The parse cache has its own tests (CacheTests); here every compile parses afresh.
        let c = Shell.run(["SWIFT_BPFCC_NO_CACHE=1", compiler] + flags(p) + ["-c", p.path, "-o", ours])
        if let expected = p.expectError {
            #expect(c.status != 0, "swift-bpfcc accepted a program that must fail")
            #expect(!FileManager.default.fileExists(atPath: ours), "an output file was left behind")
            let diag = c.stderr.split(separator: "\n").first { $0.contains(": error: ") } ?? ""
            #expect(diag.contains(expected), "expected an error containing '\(expected)', got:\n\(c.stderr)")
            #expect(diag.split(separator: ":").count >= 4, "diagnostic is not file:line:col: error: ...: \(diag)")
            return
        }
        let k = Shell.run(["clang-22"] + flags(p) + ["-c", p.path, "-o", theirs])
        guard k.status == 0 else { throw HarnessError("clang-22 cannot compile the test program:\n\(k.stderr)") }
        guard c.status == 0 else {
            Issue.record("swift-bpfcc failed:\n\(c.stderr)")
            return
        }
        // Independent readers accept our object.
        for tool in [["llvm-readelf-22", "-a", ours], ["llvm-objdump-22", "-d", "-r", ours]] {
            let r = Shell.run(tool)
            #expect(r.status == 0 && !r.stderr.contains("warning") && !r.stderr.contains("error"),
                    "\(tool[0]) complained: \(r.stderr.prefix(500))")
        }
        let loader = try Environment.bpfrun.get()
        var args: [String] = []
        if let prog = p.prog { args += ["--prog", prog] }
        if !p.loadOnly {
            for i in p.inputs { args += ["--input", i] }
            for x in p.contexts { args += ["--ctx", x] }
        }
        let clangResult = try LoaderResult(json: Shell.run([loader, theirs] + args).stdout)
        let ourResult = try LoaderResult(json: Shell.run([loader, ours] + args).stdout)
        if p.expectReject {
            #expect(!clangResult.loaded && !ourResult.loaded, "both builds must be rejected by the verifier")
            return
        }
        guard clangResult.loaded else { throw HarnessError("clang-22's build is rejected by the verifier:\n\(clangResult.log.suffix(1500))") }
        guard ourResult.loaded else {
            let tail = ourResult.log.split(separator: "\n").suffix(30).joined(separator: "\n")
            Issue.record("the verifier rejects swift-bpfcc's build (\(ourResult.error)):\n\(tail)")
            return
        }
        let ourSecs = try BTFExtReader.dataSections(objectPath: ours)
        let clangSecs = try BTFExtReader.dataSections(objectPath: theirs)
        if let d = LoaderResult.difference(ours: ourResult, clang: clangResult, ourSections: ourSecs, clangSections: clangSecs) {
            Issue.record("results differ from clang-22's build: \(d)")
        }
    }
}

/// The comparison itself must catch differences (a harness that cannot fail proves nothing).
@Suite struct HarnessSelfTests {
    @Test func detectsDifferentReturnValues() throws {
        let a = try LoaderResult(json: #"{"load":"ok","runs":[{"retval":2,"data":"00"}],"maps":{}}"#)
        let b = try LoaderResult(json: #"{"load":"ok","runs":[{"retval":1,"data":"00"}],"maps":{}}"#)
        #expect(LoaderResult.difference(ours: a, clang: b)?.contains("return value") == true)
        #expect(LoaderResult.difference(ours: a, clang: a) == nil)
    }

    @Test func detectsDifferentPacketsAndMaps() throws {
        let a = try LoaderResult(json: #"{"load":"ok","runs":[{"retval":2,"data":"0011"}],"maps":{"m":[["00","01"]]}}"#)
        let b = try LoaderResult(json: #"{"load":"ok","runs":[{"retval":2,"data":"0012"}],"maps":{"m":[["00","01"]]}}"#)
        let c = try LoaderResult(json: #"{"load":"ok","runs":[{"retval":2,"data":"0011"}],"maps":{"m":[["00","02"]]}}"#)
        #expect(LoaderResult.difference(ours: a, clang: b)?.contains("packet") == true)
        #expect(LoaderResult.difference(ours: a, clang: c)?.contains("map 'm'") == true)
    }

    @Test func parsesDirectives() throws {
        let path = NSTemporaryDirectory() + "directives-\(UUID().uuidString).c"
        try "// @input 00 11\n// @input 22\n// @cflags -mcpu=v4 -DX=1\n// @expect-error stack\nint x;\n"
            .write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let p = TestProgram(path: path, root: "/")
        #expect(p.inputs == ["0011", "22"])
        #expect(p.cflags == ["-mcpu=v4", "-DX=1"])
        #expect(p.expectError == "stack")
    }
}
