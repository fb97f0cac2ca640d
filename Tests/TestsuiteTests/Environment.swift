import Foundation

/// Where things are, and whether the machine can run the suite.
enum Environment {
    /// The package root (three levels above this file: Tests/TestsuiteTests/Environment.swift).
    static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    static let programsDir = root + "/testsuite/programs"
    static let includeDir = root + "/testsuite/include"

    /// Every testsuite/programs/**/*.c, sorted by relative path.
    static let allPrograms: [TestProgram] = {
        guard let e = FileManager.default.enumerator(atPath: programsDir) else { return [] }
        var out: [TestProgram] = []
        for case let f as String in e where f.hasSuffix(".c") {
            out.append(TestProgram(path: programsDir + "/" + f, root: programsDir))
        }
        return out.sorted { $0.relativePath < $1.relativePath }
    }()

    /// The programs to test: all, or those whose relative path contains one of the
    /// comma-separated words of $TESTSUITE_ONLY (`swift test --filter` cannot select
    /// one argument of a parameterized test).
    static let programs: [TestProgram] = {
        let only = (ProcessInfo.processInfo.environment["TESTSUITE_ONLY"] ?? "")
            .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        if only.isEmpty { return allPrograms }
        return allPrograms.filter { p in only.contains { p.relativePath.contains($0) } }
    }()

    /// Stems listed in testsuite/known-failures.txt (`#` starts a comment).
    static let knownFailures: Set<String> = parseKnownFailures(
        (try? String(contentsOfFile: root + "/testsuite/known-failures.txt", encoding: .utf8)) ?? "")

    static func parseKnownFailures(_ text: String) -> Set<String> {
        Set(text.split(separator: "\n").compactMap { line -> String? in
            let s = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first
                .map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
            return s.isEmpty ? nil : s
        })
    }

    /// swift-bpfcc: $SWIFT_BPFCC, else the binary next to the running test bundle
    /// (`swift test` runs .build/<triple>/<config>/swift-bpfccPackageTests.xctest).
    static let compiler: String? = {
        if let c = ProcessInfo.processInfo.environment["SWIFT_BPFCC"], !c.isEmpty { return Shell.which(c) ?? c }
        var dir = URL(fileURLWithPath: ProcessInfo.processInfo.arguments[0])
        for _ in 0..<3 {
            dir.deleteLastPathComponent()
            let candidate = dir.appendingPathComponent("swift-bpfcc").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }()

    static let compilerNotFound = """
        swift-bpfcc not found: set SWIFT_BPFCC=/path/to/swift-bpfcc, or run through `swift test` \
        so that the binary is built next to the test bundle (\(ProcessInfo.processInfo.arguments[0]))
        """

    /// Why the kernel/clang part of the suite cannot run here, if it cannot.
    static let missingPrerequisite: String? = {
        if geteuid() != 0 { return "not root: the kernel refuses to load BPF programs" }
        if !FileManager.default.fileExists(atPath: "/sys/kernel/btf/vmlinux") { return "no /sys/kernel/btf/vmlinux (kernel without BTF)" }
        for tool in ["clang-22", "gcc", "llvm-readelf-22", "llvm-objdump-22", "bpftool"] where Shell.which(tool) == nil {
            return "\(tool) is not installed"
        }
        if !FileManager.default.fileExists(atPath: "/usr/include/bpf/libbpf.h") { return "libbpf-dev is not installed" }
        return nil
    }()

    static let isCI = ProcessInfo.processInfo.environment["CI"] == "true"

    /// A directory holding vmlinux.h generated from the running kernel's BTF (once per
    /// test process), for CO-RE programs and `// @vmlinux` programs.
    static let vmlinuxDir: Result<String, Error> = {
        let dir = NSTemporaryDirectory() + "vmlinux-\(getpid())"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        vmlinuxDirToRemove = dir
        atexit { if let d = vmlinuxDirToRemove { try? FileManager.default.removeItem(atPath: d) } }   // 3 MB a run otherwise
        let r = Shell.run(["bpftool", "btf", "dump", "file", "/sys/kernel/btf/vmlinux", "format", "c"])
        guard r.status == 0 else { return .failure(HarnessError("bpftool cannot dump vmlinux BTF: \(r.stderr)")) }
        _ = FileManager.default.createFile(atPath: dir + "/vmlinux.h", contents: Data(r.stdout.utf8))
        return .success(dir)
    }()

    /// The loader, built once per test process. Cached in the temporary directory under
    /// a hash of its source (built under a private name, then renamed into place), so
    /// runs do not pile up copies and a changed bpfrun.c is always rebuilt.
    static let bpfrun: Result<String, Error> = {
        let source = root + "/testsuite/runner/bpfrun.c"
        guard let text = FileManager.default.contents(atPath: source) else {
            return .failure(HarnessError("cannot read \(source)"))
        }
        var hash: UInt64 = 0xcbf29ce484222325
        for b in text { hash = (hash ^ UInt64(b)) &* 0x100000001b3 }
        let out = NSTemporaryDirectory() + "swift-bpfcc-bpfrun-\(String(hash, radix: 16))"
        if FileManager.default.isExecutableFile(atPath: out) { return .success(out) }
        let scratch = out + ".\(getpid()).\(UUID().uuidString.prefix(8))"
        let r = Shell.run(["gcc", "-O2", "-Wall", "-o", scratch, source, "-lbpf", "-lelf", "-lz"])
        if r.status != 0 { return .failure(HarnessError("cannot build testsuite/runner/bpfrun.c (\(r.ending)):\n\(r.stderr)")) }
        if rename(scratch, out) != 0 { return .success(scratch) }
        return .success(out)
    }()
}

struct HarnessError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

/// The per-process vmlinux.h directory, removed when the test process exits.
nonisolated(unsafe) private var vmlinuxDirToRemove: String?
