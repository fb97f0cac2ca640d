import Foundation

/// Runs external tools (compilers, llvm readers, bpfrun) with a time limit.
enum Shell {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        /// Killed by a signal (a crash, or the time limit).
        var crashed = false
        var timedOut = false

        /// How the process ended, for failure messages.
        var ending: String {
            if timedOut { return "timed out" }
            if crashed { return "crashed (signal \(status))" }
            return "exit status \(status)"
        }
    }

    /// Default limit for one tool invocation: a compiler that loops forever fails its
    /// test instead of hanging the suite.
    static let defaultTimeout: TimeInterval = 300

    private static let launchLock = NSLock()

    /// `argv[0]` is looked up on PATH (through /usr/bin/env, so `VAR=value` words
    /// before the tool set its environment).
    static func run(_ argv: [String], cwd: String? = nil, timeout: TimeInterval = defaultTimeout) -> Result {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = argv
        if let cwd = cwd { p.currentDirectoryURL = URL(fileURLWithPath: cwd) }
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        // Foundation's Process.run is not safe to call from several threads at once (it
        // crashed in CI copying the environment while Swift Testing ran cases in parallel):
        // launches are serialised, the children still run concurrently.
        launchLock.lock()
        do { try p.run() } catch { launchLock.unlock(); return Result(status: 127, stdout: "", stderr: "\(error)") }
        launchLock.unlock()

        // The timer holds the child's pid and a flag, not the Process: a Process keeps its
        // pipes' descriptors open, and a timer holding it for the whole time limit kept
        // two descriptors of every tool run in the last five minutes open (some
        // thousands in a full run, past what Foundation's launching copes with).
        let watch = Watch()
        let pid = p.processIdentifier
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout) {
            watch.killIfRunning(pid)
        }
        // Read both pipes concurrently so a chatty child cannot block on a full pipe.
        let errBox = DataBox()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async { errBox.data = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        p.waitUntilExit()
        watch.finish()
        try? out.fileHandleForReading.close()
        try? err.fileHandleForReading.close()
        var r = Result(status: p.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                       stderr: String(decoding: errBox.data, as: UTF8.self))
        r.crashed = p.terminationReason == .uncaughtSignal
        r.timedOut = watch.timedOut
        return r
    }

    static func which(_ tool: String) -> String? {
        if tool.contains("/") { return FileManager.default.isExecutableFile(atPath: tool) ? tool : nil }
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let p = "\(dir)/\(tool)"
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return nil
    }
}

private final class DataBox: @unchecked Sendable { var data = Data() }

/// A tool run's time limit: the child is killed when it is still running at the limit
/// (never after it was reaped, when its pid may name another process).
private final class Watch: @unchecked Sendable {
    private let lock = NSLock()
    private var finished = false
    private var killed = false

    func killIfRunning(_ pid: Int32) {
        lock.lock(); defer { lock.unlock() }
        guard !finished else { return }
        killed = true
        kill(pid, SIGKILL)
    }

    func finish() { lock.lock(); finished = true; lock.unlock() }

    var timedOut: Bool { lock.lock(); defer { lock.unlock() }; return killed }
}
