import Testing
import Foundation

/// bpftool's BTF dump of our object matches clang-22's for what BTF consumers use by
/// name: functions with their linkage and declaration tags.
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
            // "[4] DECL_TAG 'tagged_fn' type_id=3 component_idx=-1" without the ids.
            let dump = Shell.run(["bpftool", "btf", "dump", "file", obj]).stdout
            return Set(dump.split(separator: "\n").filter { $0.contains(" FUNC '") || $0.contains(" DECL_TAG '") }
                .map { line in line.split(separator: " ").filter { !$0.hasPrefix("[") && !$0.hasPrefix("type_id=") }.joined(separator: " ") })
        }
        let ours = interesting(work + "/ours.o"), clang = interesting(work + "/clang.o")
        #expect(ours.contains { $0.contains("DECL_TAG 'tagged_fn'") })
        #expect(ours == clang, "only ours: \(ours.subtracting(clang)), only clang: \(clang.subtracting(ours))")
    }
}
