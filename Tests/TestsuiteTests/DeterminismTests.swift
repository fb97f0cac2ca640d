import Testing
import Foundation

/// The same source compiles to the same bytes in every process (Swift's hashing is
/// seeded per process: an optimizer or allocator decision that followed a dictionary's
/// order would show here as differing objects).
@Suite struct DeterminismTests {
    @Test(arguments: ["lang/lang_static_noinline.c", "lang/lang_byteswap.c", "tc/tc_udp_csum_verify.c", "xdp/xdp_inline_asm_bounds.c"])
    func sameBytesEveryRun(_ program: String) throws {
        guard let compiler = Environment.compiler else {
            if Environment.isCI { Issue.record("swift-bpfcc is missing in CI") } else { print("SKIP: determinism: swift-bpfcc not built") }
            return
        }
        let work = NSTemporaryDirectory() + "determinism-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }
        var objects: [Data] = []
        for run in 0..<5 {
            let out = "\(work)/\(run).o"
            let r = Shell.run(["SWIFT_BPFCC_NO_CACHE=1", compiler, "-O2", "-g", "-target", "bpf", "-mcpu=v3",
                               "-I/usr/include/x86_64-linux-gnu", "-I\(Environment.root)/testsuite/include",
                               "-c", "\(Environment.root)/testsuite/programs/\(program)", "-o", out])
            #expect(r.status == 0, "\(r.stderr)")
            objects.append(FileManager.default.contents(atPath: out) ?? Data())
        }
        #expect(Set(objects).count == 1, "\(program): \(Set(objects).count) different objects from 5 compiles")
    }
}

/// `-o -` writes the object to standard output, as clang's does (it used to create a
/// file named `-`): the bytes are those of the same compile written to a file.
@Suite struct StandardOutputTests {
    @Test func objectGoesToStandardOutput() throws {
        try withCompiler("-o -", scratch: "stdout") { compiler, work in
            let common = [compiler, "-O2", "-target", "bpf", "-I/usr/include/x86_64-linux-gnu",
                          "-I\(Environment.root)/testsuite/include", "-c", "\(Environment.root)/testsuite/programs/lang/lang_byteswap.c"]
            let file = Shell.run(["SWIFT_BPFCC_NO_CACHE=1"] + common + ["-o", "\(work)/a.o"])
            #expect(file.status == 0, "\(file.stderr)")
            let command = "SWIFT_BPFCC_NO_CACHE=1 " + common.map { "'\($0)'" }.joined(separator: " ") + " -o - > '\(work)/b.o'"
            let piped = Shell.run(["sh", "-c", command], cwd: work)
            #expect(piped.status == 0, "\(piped.stderr)")
            #expect(!FileManager.default.fileExists(atPath: "\(work)/-"))
            let a = FileManager.default.contents(atPath: "\(work)/a.o"), b = FileManager.default.contents(atPath: "\(work)/b.o")
            #expect(a != nil && a == b, "\(a?.count ?? -1) vs \(b?.count ?? -1) bytes")
        }
    }
}

/// `-x c -` reads the program from standard input (Makefiles probe features so), naming it
/// `<stdin>` in diagnostics and line info, as clang does: the code is that of the same
/// file compiled from disk, and an error leaves no object.
@Suite struct StandardInputTests {
    @Test func programComesFromStandardInput() throws {
        try withCompiler("-x c -", scratch: "stdin") { compiler, work in
            let source = "\(Environment.root)/testsuite/programs/lang/lang_byteswap.c"
            let flags = ["-O2", "-g", "-target", "bpf", "-I/usr/include/x86_64-linux-gnu", "-I\(Environment.root)/testsuite/include", "-c"]
            let file = Shell.run([compiler] + flags + [source, "-o", "\(work)/a.o"])
            #expect(file.status == 0, "\(file.stderr)")
            let quoted = ([compiler] + flags).map { "'\($0)'" }.joined(separator: " ")
            let piped = Shell.run(["sh", "-c", "\(quoted) -x c - -o '\(work)/b.o' < '\(source)'"], cwd: work)
            #expect(piped.status == 0, "\(piped.stderr)")
            func code(_ o: String) -> String {
                Shell.run(["llvm-objdump-22", "-d", "--no-show-raw-insn", o]).stdout.split(separator: "\n").dropFirst(2).joined(separator: "\n")
            }
            #expect(!code("\(work)/a.o").isEmpty && code("\(work)/a.o") == code("\(work)/b.o"))
            let lines = Shell.run(["llvm-objdump-22", "-d", "-l", "\(work)/b.o"]).stdout
            #expect(lines.contains("<stdin>"), "\(lines.prefix(400))")

            let bad = Shell.run(["sh", "-c", "echo 'int f(void) { return nope; }' | \(quoted) -x c - -o '\(work)/c.o'"], cwd: work)
            #expect(bad.status != 0)
            #expect(bad.stderr.contains("<stdin>:1:22: error: use of undeclared identifier 'nope'"), "\(bad.stderr)")
            #expect(!FileManager.default.fileExists(atPath: "\(work)/c.o"))
        }
    }
}

/// Runs `body` with the built swift-bpfcc and a scratch directory, removed afterwards.
/// Without the compiler: an issue in CI, a visible SKIP line elsewhere.
func withCompiler(_ what: String, scratch prefix: String, _ body: (_ compiler: String, _ work: String) throws -> Void) throws {
    guard let compiler = Environment.compiler else {
        if Environment.isCI { Issue.record("swift-bpfcc is missing in CI") } else { print("SKIP: \(what): swift-bpfcc not built") }
        return
    }
    let work = NSTemporaryDirectory() + "\(prefix)-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: work) }
    try body(compiler, work)
}
