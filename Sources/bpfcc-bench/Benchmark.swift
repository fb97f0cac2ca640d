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

/// Runs commands and measures them.
enum Shell {
    @discardableResult
    static func run(_ argv: [String], stdout: inout String, stderr: inout String) -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = argv
        let o = Pipe(), e = Pipe()
        p.standardOutput = o; p.standardError = e
        do { try p.run() } catch { stderr = "\(error)"; return 127 }
        let od = o.fileHandleForReading.readDataToEndOfFile()
        let ed = e.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        stdout = String(decoding: od, as: UTF8.self)
        stderr = String(decoding: ed, as: UTF8.self)
        return p.terminationStatus
    }

    static func run(_ argv: [String]) -> (Int32, String, String) {
        var o = "", e = ""
        let s = run(argv, stdout: &o, stderr: &e)
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
