import Foundation

/// A testsuite program and its `// @` directives (testsuite/README.md).
struct TestProgram: CustomStringConvertible, Sendable {
    var path: String
    var relativePath: String
    var inputs: [String] = []
    var contexts: [String] = []
    var cflags: [String] = []
    var prog: String?
    var expectError: String?
    var expectReject = false
    var loadOnly = false

    var description: String { relativePath }
    var stem: String { URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent }

    init(path: String, root: String) {
        self.path = path
        relativePath = path.hasPrefix(root + "/") ? String(path.dropFirst(root.count + 1)) : path
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        for raw in text.split(separator: "\n") {
            let line = raw.trimmingCharacters(in: .whitespaces)
            guard line.hasPrefix("// @") else { continue }
            let body = line.dropFirst(4)
            let word = body.prefix { $0 != " " }
            let arg = body.dropFirst(word.count).trimmingCharacters(in: .whitespaces)
            switch word {
            case "input": inputs.append(arg.replacingOccurrences(of: " ", with: ""))
            case "ctx": contexts.append(arg.replacingOccurrences(of: " ", with: ""))
            case "cflags": cflags += arg.split(separator: " ").map(String.init)
            case "prog": prog = arg
            case "expect-error": expectError = arg
            case "expect-reject": expectReject = true
            case "load-only": loadOnly = true
            default: break
            }
        }
    }
}

/// Where things are, and whether the machine can run the suite.
enum Environment {
    static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    static var programs: [TestProgram] {
        let dir = root + "/testsuite/programs"
        guard let e = FileManager.default.enumerator(atPath: dir) else { return [] }
        var out: [TestProgram] = []
        for case let f as String in e where f.hasSuffix(".c") {
            out.append(TestProgram(path: dir + "/" + f, root: root + "/testsuite/programs"))
        }
        return out.sorted { $0.relativePath < $1.relativePath }
    }

    static var knownFailures: Set<String> {
        let text = (try? String(contentsOfFile: root + "/testsuite/known-failures.txt", encoding: .utf8)) ?? ""
        return Set(text.split(separator: "\n").map { $0.split(separator: "#").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? "" }
            .filter { !$0.isEmpty })
    }

    static var compiler: String? {
        if let c = ProcessInfo.processInfo.environment["SWIFT_BPFCC"] { return c }
        var dir = URL(fileURLWithPath: ProcessInfo.processInfo.arguments[0])
        for _ in 0..<4 {
            dir.deleteLastPathComponent()
            let candidate = dir.appendingPathComponent("swift-bpfcc").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        for config in ["debug", "release"] {
            let candidate = root + "/.build/\(config)/swift-bpfcc"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// Why the differential suite cannot run here, if it cannot.
    static var missingPrerequisite: String? {
        if geteuid() != 0 { return "not root: the kernel refuses to load BPF programs" }
        if !FileManager.default.fileExists(atPath: "/sys/kernel/btf/vmlinux") { return "no /sys/kernel/btf/vmlinux" }
        if Shell.which("clang-22") == nil { return "clang-22 is not installed" }
        if Shell.which("gcc") == nil { return "gcc is not installed" }
        if !FileManager.default.fileExists(atPath: "/usr/include/bpf/libbpf.h") { return "libbpf-dev is not installed" }
        if compiler == nil { return "swift-bpfcc binary not found (build it or set SWIFT_BPFCC)" }
        return nil
    }

    static let isCI = ProcessInfo.processInfo.environment["CI"] == "true"

    /// The loader, built once per test process.
    static let bpfrun: Result<String, Error> = {
        let out = NSTemporaryDirectory() + "bpfrun-\(getpid())"
        let r = Shell.run(["gcc", "-O2", "-o", out, root + "/testsuite/runner/bpfrun.c", "-lbpf"])
        if r.status != 0 { return .failure(HarnessError("cannot build bpfrun: \(r.stderr)")) }
        return .success(out)
    }()
}

struct HarnessError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

enum Shell {
    struct Result { var status: Int32; var stdout: String; var stderr: String }

    static func run(_ argv: [String], cwd: String? = nil) -> Result {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = argv
        if let cwd = cwd { p.currentDirectoryURL = URL(fileURLWithPath: cwd) }
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        do { try p.run() } catch { return Result(status: 127, stdout: "", stderr: "\(error)") }
        // Read both pipes concurrently so a chatty child cannot block on a full pipe.
        var errData = Data()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async { errData = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        p.waitUntilExit()
        return Result(status: p.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errData, as: UTF8.self))
    }

    static func which(_ tool: String) -> String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":") {
            let p = "\(dir)/\(tool)"
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return nil
    }
}
