import Foundation

/// A testsuite program and its `// @` directives (testsuite/README.md).
struct TestProgram: CustomStringConvertible, Sendable {
    var path: String
    /// Path below testsuite/programs, e.g. `xdp/xdp_vlan_parse.c` (the test case's name).
    var relativePath: String
    var inputs: [String] = []
    var contexts: [String] = []
    var cflags: [String] = []
    var prog: String?
    var expectError: String?
    var expectReject = false
    var loadOnly = false
    /// `// @vmlinux`: both compilers also get `-I` of a vmlinux.h generated from this kernel.
    var needsVmlinux = false
    var repeatCount = 1
    /// Directive lines the harness does not know (a typo must not silently drop a check).
    var unknownDirectives: [String] = []

    var description: String { relativePath }
    var stem: String { URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent }
    /// The directory below testsuite/programs (xdp, tc, errors, ...).
    var group: String { relativePath.split(separator: "/").dropLast().first.map(String.init) ?? "" }
    /// Number of BPF_PROG_TEST_RUN executions the directives ask for.
    var runCount: Int { loadOnly ? 0 : max(inputs.count, contexts.count) }

    init(path: String, root: String) {
        let relative = path.hasPrefix(root + "/") ? String(path.dropFirst(root.count + 1)) : path
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        self.init(path: path, relativePath: relative, text: text)
    }

    init(path: String, relativePath: String, text: String) {
        self.path = path
        self.relativePath = relativePath
        for raw in text.split(separator: "\n", omittingEmptySubsequences: true) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            guard line.hasPrefix("// @") else { continue }
            let body = line.dropFirst(4)
            let word = body.prefix { $0 != " " && $0 != "\t" }
            let arg = body.dropFirst(word.count).trimmingCharacters(in: .whitespaces)
            switch word {
            case "input": inputs.append(arg.filter { !$0.isWhitespace })
            case "ctx": contexts.append(arg.filter { !$0.isWhitespace })
            case "cflags": cflags += arg.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            case "prog": prog = arg
            case "expect-error": expectError = arg
            case "expect-reject": expectReject = true
            case "load-only": loadOnly = true
            case "vmlinux": needsVmlinux = true
            case "repeat": repeatCount = Int(arg) ?? 1
            default: unknownDirectives.append(String(line))
            }
        }
    }

    /// Compile flags shared by both compilers (testsuite format).
    func compileFlags(includeDir: String, vmlinuxDir: String? = nil) -> [String] {
        ["-O2", "-g", "-target", "bpf", "-mcpu=v3", "-I/usr/include/x86_64-linux-gnu", "-I\(includeDir)"]
            + (needsVmlinux ? vmlinuxDir.map { ["-I\($0)"] } ?? [] : []) + cflags
    }

    /// Arguments for bpfrun: the program to run and one --input/--ctx per run.
    var loaderArguments: [String] {
        var args: [String] = []
        if let prog = prog { args += ["--prog", prog] }
        if !loadOnly {
            for i in inputs { args += ["--input", i] }
            for x in contexts { args += ["--ctx", x] }
        }
        return args
    }
}
