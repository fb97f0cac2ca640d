import Testing
import Foundation

/// The checks of testsuite/README.md for one program. Problems of the compiler under
/// test are recorded as issues; problems of the test itself (clang-22 cannot compile
/// it, the kernel refuses clang's build, a run of clang's build fails) are thrown.
struct DifferentialCheck {
    var program: TestProgram
    var compiler: String
    /// Per-test directory with clang/ and ours/ (same file stem in both).
    var work: String

    var oursObject: String { "\(work)/ours/\(program.stem).o" }
    var clangObject: String { "\(work)/clang/\(program.stem).o" }

    static func run(_ p: TestProgram, compiler: String) throws {
        let work = NSTemporaryDirectory() + "testsuite-\(p.stem)-\(UUID().uuidString.prefix(8))"
        let keep = ProcessInfo.processInfo.environment["TESTSUITE_KEEP"] != nil
        defer {
            if keep { print("testsuite: \(p.relativePath): objects kept in \(work)") }
            else { try? FileManager.default.removeItem(atPath: work) }
        }
        for sub in ["ours", "clang"] {
            try FileManager.default.createDirectory(atPath: work + "/" + sub, withIntermediateDirectories: true)
        }
        let check = DifferentialCheck(program: p, compiler: compiler, work: work)
        if p.expectError != nil || p.group == "errors" { try check.expectCompileError() } else { try check.differential() }
    }

    var flags: [String] { program.compileFlags(includeDir: Environment.includeDir, vmlinuxDir: try? Environment.vmlinuxDir.get()) }

    /// swift-bpfcc (parse cache off: every compile parses afresh; CacheTests test the cache).
    func compileOurs() -> Shell.Result {
        Shell.run(["SWIFT_BPFCC_NO_CACHE=1", compiler] + flags + ["-c", program.path, "-o", oursObject])
    }

    // MARK: errors group

    func expectCompileError() throws {
        guard let expected = program.expectError else {
            throw HarnessError("\(program.relativePath) is in the errors group but has no // @expect-error line")
        }
        let c = compileOurs()
        #expect(!c.crashed && !c.timedOut, "swift-bpfcc \(c.ending) instead of reporting an error:\n\(c.stderr.suffix(2000))")
        #expect(c.status != 0, "swift-bpfcc accepted a program that must fail (expected error: \(expected))")
        #expect(!FileManager.default.fileExists(atPath: oursObject), "swift-bpfcc left an output file behind after failing")
        let diagnostics = Self.errorDiagnostics(c.stderr)
        #expect(!diagnostics.isEmpty, "no `file:line:col: error: message` line on stderr:\n\(c.stderr.suffix(2000))")
        let fileName = URL(fileURLWithPath: program.path).lastPathComponent
        if !diagnostics.isEmpty {
            #expect(diagnostics.contains { $0.message.contains(expected) },
                    "no error containing '\(expected)'; swift-bpfcc said:\n\(c.stderr.suffix(2000))")
            #expect(diagnostics.contains { $0.file.hasSuffix(fileName) && $0.line > 0 },
                    "no error diagnostic names \(fileName) with a line number:\n\(c.stderr.suffix(2000))")
        }
    }

    struct Diagnostic: Equatable { var file: String; var line: Int; var column: Int; var message: String }

    /// Lines `path:line:col: error: message` (path may contain no newline; line, col > 0).
    static func errorDiagnostics(_ stderr: String) -> [Diagnostic] {
        stderr.split(separator: "\n").compactMap { raw in
            let line = String(raw)
            guard let r = line.range(of: ": error: ") else { return nil }
            let head = line[..<r.lowerBound].split(separator: ":", omittingEmptySubsequences: false)
            guard head.count >= 3, let l = Int(head[head.count - 2]), let c = Int(head[head.count - 1]),
                  l > 0, c > 0 else { return nil }
            let file = head.dropLast(2).joined(separator: ":")
            guard !file.isEmpty else { return nil }
            return Diagnostic(file: file, line: l, column: c, message: String(line[r.upperBound...]))
        }
    }

    // MARK: differential

    func differential() throws {
        if !program.unknownDirectives.isEmpty {
            throw HarnessError("unknown directive(s): \(program.unknownDirectives.joined(separator: "; "))")
        }
        let k = Shell.run(["clang-22"] + flags + ["-c", program.path, "-o", clangObject])
        guard k.status == 0, !k.crashed else { throw HarnessError("bad test: clang-22 cannot compile it (\(k.ending)):\n\(k.stderr)") }

        let c = compileOurs()
        guard c.status == 0, !c.crashed, !c.timedOut else {
            Issue.record("swift-bpfcc failed (\(c.ending)):\n\(c.stderr.suffix(3000))")
            return
        }
        guard FileManager.default.fileExists(atPath: oursObject) else {
            Issue.record("swift-bpfcc exited 0 but wrote no \(oursObject)")
            return
        }
        // Independent readers accept our object.
        for tool in [["llvm-readelf-22", "-a", oursObject], ["llvm-objdump-22", "-d", "-r", oursObject]] {
            let r = Shell.run(tool)
            let complaint = r.stderr.lowercased().contains("warning") || r.stderr.lowercased().contains("error")
            #expect(r.status == 0 && !complaint, "\(tool[0]) \(r.ending) on our object:\n\(r.stderr.prefix(1500))")
        }

        let clangResult = try load(clangObject)
        let ourResult = try load(oursObject)
        if program.expectReject {
            if clangResult.loaded { throw HarnessError("bad test: @expect-reject but the verifier accepts clang-22's build") }
            #expect(!ourResult.loaded, "@expect-reject: the verifier must refuse swift-bpfcc's build too, but accepted it")
            return
        }
        guard clangResult.loaded else {
            throw HarnessError("bad test: the verifier rejects clang-22's build (\(clangResult.error)):\n\(clangResult.logTail())")
        }
        try validateRuns(clangResult)
        guard ourResult.loaded else {
            Issue.record("the verifier rejects swift-bpfcc's build (\(ourResult.error)); last 30 log lines:\n\(ourResult.logTail())")
            return
        }
        let oursSecs = try BTFExtReader.dataSections(objectPath: oursObject)
        let clangSecs = try BTFExtReader.dataSections(objectPath: clangObject)
        if let d = ResultComparison.difference(ours: ourResult, clang: clangResult,
                                               ourSections: oursSecs, clangSections: clangSecs) {
            Issue.record("results differ from clang-22's build: \(d)")
        }
    }

    func load(_ object: String) throws -> LoaderResult {
        let loader = try Environment.bpfrun.get()
        let r = Shell.run([loader, object] + program.loaderArguments, timeout: 120)
        do { return try LoaderResult(json: r.stdout) } catch {
            throw HarnessError("bpfrun \(r.ending) on \(object): \(error)\n\(r.stderr.suffix(1000))")
        }
    }

    /// The directives must have produced the runs they ask for, on clang's build.
    func validateRuns(_ clang: LoaderResult) throws {
        guard program.runCount > 0 else { return }
        guard let ran = clang.runProgram else {
            throw HarnessError("bad test: no program to run" + (program.prog.map { " (no program named '\($0)')" }
                ?? " (no XDP/TC/socket/raw_tp program; use // @prog or // @load-only)"))
        }
        guard clang.runs.count == program.runCount else {
            throw HarnessError("bad test: \(program.runCount) runs asked, bpfrun made \(clang.runs.count) with \(ran)")
        }
        for (i, r) in clang.runs.enumerated() {
            if let e = r.error { throw HarnessError("bad test: run \(i + 1) of clang-22's build fails in BPF_PROG_TEST_RUN: \(e) (XDP/skb inputs need at least 14 bytes)") }
        }
    }
}
