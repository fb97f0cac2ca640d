import Foundation

/// Runs external tools (llvm-readelf-22, llvm-objdump-22, bpftool, clang-22, gcc) for
/// the unit tests; callers print SKIP when a tool is missing. Module-specific paths
/// and helpers extend `Tool` in each test target.
public enum Tool {
    public struct Result {
        public var status: Int32
        public var out: String
        public var err: String
    }

    public static func exists(_ path: String) -> Bool { FileManager.default.isExecutableFile(atPath: path) }

    public static func run(_ path: String, _ args: [String]) throws -> Result {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = args
        let out = Pipe(), err = Pipe()
        p.standardOutput = out; p.standardError = err
        try p.run()
        // Read stderr on another thread so that a chatty tool cannot fill a pipe and block.
        let errBox = Box()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async { errBox.data = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        let o = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        p.waitUntilExit()
        return Result(status: p.terminationStatus, out: String(decoding: o, as: UTF8.self),
                      err: String(decoding: errBox.data, as: UTF8.self))
    }

    /// Writes bytes to a fresh temporary file and returns its path (removed when the test
    /// process exits).
    public static func tempFile(_ bytes: [UInt8], suffix: String) -> String {
        let path = NSTemporaryDirectory() + "tooltest-\(UUID().uuidString)\(suffix)"
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        removeAtExit(path)
        return path
    }

    /// Removes `path` (a file, or a directory with what it holds) when the test process
    /// exits, so that test runs leave nothing behind in the temporary directory.
    public static func removeAtExit(_ path: String) {
        TemporaryPaths.shared.add(path)
    }
}

/// The paths `Tool.removeAtExit` was given, removed by an `atexit` handler registered
/// with the first.
private final class TemporaryPaths: @unchecked Sendable {
    static let shared = TemporaryPaths()
    private let lock = NSLock()
    private var paths: [String] = []
    private var registered = false

    func add(_ path: String) {
        lock.lock(); defer { lock.unlock() }
        paths.append(path)
        if !registered {
            registered = true
            atexit { TemporaryPaths.shared.removeAll() }
        }
    }

    func removeAll() {
        lock.lock(); defer { lock.unlock() }
        for p in paths { try? FileManager.default.removeItem(atPath: p) }
        paths = []
    }
}

private final class Box: @unchecked Sendable { var data = Data() }
