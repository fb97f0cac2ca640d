import Testing
import Foundation

/// `bpftool gen skeleton` reads our objects, and the skeleton it writes compiles.
@Suite struct SkeletonTests {
    @Test func skeletonOfGlobalsAndMapsCompiles() throws {
        guard let compiler = Environment.compiler, Shell.which("bpftool") != nil, Shell.which("gcc") != nil else {
            if Environment.isCI { Issue.record("bpftool, gcc or swift-bpfcc missing in CI") }
            else { print("SKIP: skeleton test needs swift-bpfcc, bpftool and gcc") }
            return
        }
        let work = NSTemporaryDirectory() + "skel-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }
        let src = Environment.root + "/testsuite/programs/maps/global_data.c"
        let c = Shell.run(["SWIFT_BPFCC_NO_CACHE=1", compiler, "-O2", "-g", "-target", "bpf", "-I/usr/include/x86_64-linux-gnu",
                           "-c", src, "-o", work + "/global_data.o"])
        try #require(c.status == 0, "\(c.stderr)")
        let skel = Shell.run(["bpftool", "gen", "skeleton", work + "/global_data.o"])
        #expect(skel.status == 0, "bpftool gen skeleton failed: \(skel.stderr)")
        for name in ["config_mult", "packets", "bytes_seen", "custom_value", "global_data__open_and_load"] {
            #expect(skel.stdout.contains(name), "skeleton lacks \(name)")
        }
        _ = FileManager.default.createFile(atPath: work + "/global_data.skel.h", contents: Data(skel.stdout.utf8))
        // The program's own `struct stats` must be visible to user space, as with clang's skeleton.
        try "#include <linux/types.h>\nstruct stats { __u32 a, b; };\n#include \"global_data.skel.h\"\nint main(void) { struct global_data *s = global_data__open(); if (s) { s->rodata->config_mult = 2; global_data__destroy(s); } return 0; }\n"
            .write(toFile: work + "/use.c", atomically: true, encoding: .utf8)
        let g = Shell.run(["gcc", "-fsyntax-only", "-I", work, work + "/use.c"])
        #expect(g.status == 0, "the skeleton does not compile: \(g.stderr)")
    }
}
