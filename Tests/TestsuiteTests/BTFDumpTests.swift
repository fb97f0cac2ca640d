import Testing
import Foundation

/// bpftool's BTF dump of our object matches clang-22's for what BTF consumers use by
/// name: functions with their linkage, and declaration tags with what they tag (the
/// kind and name of the FUNC, STRUCT or VAR and the member or parameter index).
@Suite struct BTFDumpTests {
    @Test func functionsAndDeclTagsMatchClang() throws {
        guard let compiler = Environment.compiler, Shell.which("bpftool") != nil, Shell.which("clang-22") != nil else {
            if Environment.isCI { Issue.record("bpftool, clang-22 or swift-bpfcc missing in CI") }
            else { print("SKIP: BTF dump test needs swift-bpfcc, clang-22 and bpftool") }
            return
        }
        let work = NSTemporaryDirectory() + "btfdump-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }
        let src = Environment.root + "/testsuite/programs/lang/lang_btf_decl_tag.c"
        let flags = ["-O2", "-g", "-target", "bpf", "-I/usr/include/x86_64-linux-gnu", "-c", src, "-o"]
        try #require(Shell.run(["SWIFT_BPFCC_NO_CACHE=1", compiler] + flags + [work + "/ours.o"]).status == 0)
        try #require(Shell.run(["clang-22"] + flags + [work + "/clang.o"]).status == 0)
        func interesting(_ obj: String) -> Set<String> {
            // "[4] DECL_TAG 'tagged_fn' type_id=3 component_idx=-1" becomes
            // "DECL_TAG 'tagged_fn' -> FUNC 'tagged_add' component_idx=-1".
            let lines = Shell.run(["bpftool", "btf", "dump", "file", obj]).stdout.split(separator: "\n").filter { $0.hasPrefix("[") }
            var byID: [String: String] = [:]
            for l in lines {
                let w = l.split(separator: " ")
                if w.count >= 3 { byID[String(w[0].dropFirst().dropLast())] = "\(w[1]) \(w[2])" }
            }
            return Set(lines.filter { $0.contains(" FUNC '") || $0.contains(" DECL_TAG '") }.map { line in
                let w = line.split(separator: " ")
                let target = w.first { $0.hasPrefix("type_id=") }.map { byID[String($0.dropFirst(8))] ?? "?" } ?? ""
                let rest = w.dropFirst().filter { !$0.hasPrefix("type_id=") }.joined(separator: " ")
                return line.contains(" DECL_TAG '") ? rest + " -> " + target : rest
            })
        }
        let ours = interesting(work + "/ours.o"), clang = interesting(work + "/clang.o")
        for expected in ["DECL_TAG 'tagged_fn' component_idx=-1 -> FUNC 'tagged_add'",
                         "DECL_TAG 'param_x' component_idx=0 -> FUNC 'tagged_add'",
                         "DECL_TAG 'member_a' component_idx=0 -> STRUCT 'tagged'",
                         "DECL_TAG 'global_tag' component_idx=-1 -> VAR 'counter'"] {
            #expect(ours.contains(expected), "missing: \(expected) in \(ours.sorted())")
        }
        #expect(ours == clang, "only ours: \(ours.subtracting(clang)), only clang: \(clang.subtracting(ours))")
    }
}
