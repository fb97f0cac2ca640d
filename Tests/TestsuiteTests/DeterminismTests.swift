import Testing
import Foundation

/// The same source compiles to the same bytes in every process (Swift's hashing is
/// seeded per process: an optimizer or allocator decision that followed a dictionary's
/// order would show here as differing objects).
@Suite struct DeterminismTests {
    @Test(arguments: ["lang/lang_static_noinline.c", "lang/lang_byteswap.c", "tc/tc_udp_csum_verify.c", "xdp/xdp_inline_asm_bounds.c"])
    func sameBytesEveryRun(_ program: String) throws {
        guard let compiler = Environment.compiler else {
            if Environment.isCI { Issue.record("swift-bpfcc is missing in CI") } else { print("SKIP: determinism: swift-bpfcc not built") }
            return
        }
        let work = NSTemporaryDirectory() + "determinism-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }
        var objects: [Data] = []
        for run in 0..<5 {
            let out = "\(work)/\(run).o"
            let r = Shell.run(["SWIFT_BPFCC_NO_CACHE=1", compiler, "-O2", "-g", "-target", "bpf", "-mcpu=v3",
                               "-I/usr/include/x86_64-linux-gnu", "-I\(Environment.root)/testsuite/include",
                               "-c", "\(Environment.root)/testsuite/programs/\(program)", "-o", out])
            #expect(r.status == 0, "\(r.stderr)")
            objects.append(FileManager.default.contents(atPath: out) ?? Data())
        }
        #expect(Set(objects).count == 1, "\(program): \(Set(objects).count) different objects from 5 compiles")
    }
}
