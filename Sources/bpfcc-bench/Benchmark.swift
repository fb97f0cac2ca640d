import Foundation

/// One compiler's figures for one program.
struct Figures: Codable {
    var compileSeconds: Double = 0      // median of the warm runs
    var coldSeconds: Double = 0         // ours: median of the cold runs (empty parse cache); clang: of all runs
    var instructions = 0
    var verifiedInstructions = 0
    var stackBytes = 0
    var runNanoseconds: Double? = nil
    var loaded = false
    var error: String? = nil
}

struct ProgramResult: Codable {
    var name: String
    var ours: Figures
    var clang: Figures
}

/// Runs commands and measures them. posix_spawn, with stdout and stderr going to
/// files, so that the time measured is the command's own (Foundation's Process adds
/// tens of milliseconds of its own per run on Linux).
enum Shell {
    /// Runs `argv` (looked up in PATH) with `environment` added to this process's;
    /// returns its exit status, stdout, stderr and wall time in seconds.
    static func timed(_ argv: [String], environment: [String: String] = [:]) -> (Int32, String, String, Double) {
        let dir = FileManager.default.temporaryDirectory.path
        let tag = "bpfcc-bench-\(getpid())"
        let outPath = "\(dir)/\(tag).out", errPath = "\(dir)/\(tag).err"
        var actions: posix_spawn_file_actions_t = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        let cArgs = argv.map { strdup($0) } + [nil]
        let cEnv = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for p in cArgs + cEnv { free(p) } }
        var pid: pid_t = 0
        let start = DispatchTime.now().uptimeNanoseconds
        let rc = posix_spawnp(&pid, argv[0], &actions, nil, cArgs, cEnv)
        guard rc == 0 else { return (127, "", "\(argv[0]): \(String(cString: strerror(rc)))", 0) }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let out = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
        let err = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
        try? FileManager.default.removeItem(atPath: outPath)
        try? FileManager.default.removeItem(atPath: errPath)
        // Exited normally: its exit code; killed by a signal: 128 + the signal, as shells say.
        let code = status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return (code, out, err, seconds)
    }

    static func run(_ argv: [String], environment: [String: String] = [:]) -> (Int32, String, String) {
        let (s, o, e, _) = timed(argv, environment: environment)
        return (s, o, e)
    }
}

/// Directives of a testsuite program that the benchmark uses.
struct ProgramSpec {
    var path: String
    var inputs: [String] = []
    var contexts: [String] = []
    var cflags: [String] = []
    var prog: String?
    var repeatCount = 1000
    var loadOnly = false
    var expectsError = false

    init(path: String) {
        self.path = path
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        for line in text.split(separator: "\n") {
            let t = line.trimmingCharacters(in: .whitespaces)
            guard t.hasPrefix("// @") else { continue }
            let body = t.dropFirst(4)
            let parts = body.split(separator: " ", maxSplits: 1).map(String.init)
            let arg = parts.count > 1 ? parts[1] : ""
            switch parts[0] {
            case "input": inputs.append(arg.replacingOccurrences(of: " ", with: ""))
            case "ctx": contexts.append(arg.replacingOccurrences(of: " ", with: ""))
            case "cflags": cflags += arg.split(separator: " ").map(String.init)
            case "prog": prog = arg
            case "repeat": repeatCount = Int(arg) ?? repeatCount
            case "load-only": loadOnly = true
            case "expect-error", "expect-reject": expectsError = true
            default: break
            }
        }
    }
}
