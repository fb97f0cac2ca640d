import Foundation
import Testing
@testable import BPFDriver

/// A global empty struct (GNU C, size 0) makes an empty .bss: the object has no DATASEC
/// for it (libbpf refuses to open one of size 0, which clang's -g build has), and loads.
extension DriverEndToEndTests {
    @Test func emptyDataSectionsHaveNoDatasec() throws {
        guard getuid() == 0, FileManager.default.isExecutableFile(atPath: "/usr/sbin/bpftool"),
              FileManager.default.fileExists(atPath: "/sys/fs/bpf") else {
            print("SKIP: needs root, bpftool and /sys/fs/bpf"); return
        }
        let dir = NSTemporaryDirectory() + "empty-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let pin = "/sys/fs/bpf/swiftbpfcc_empty_\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: dir); unlink(pin) }
        let src = dir + "/empty.c"
        try """
        #include <linux/bpf.h>
        #include <bpf/bpf_helpers.h>
        struct marker {};
        struct marker seen;
        SEC("xdp")
        int f(struct xdp_md *ctx)
        {
        \tstruct marker m = {};
        \tseen = m;
        \treturn XDP_PASS + sizeof(seen);
        }
        char LICENSE[] SEC("license") = "GPL";
        """.write(toFile: src, atomically: true, encoding: .utf8)
        var o = try OptionParser.parse(["-O2", "-g", "-target", "bpf", "-I/usr/include/x86_64-linux-gnu", src])
        o.parseCache = false
        let object = try Driver.compile(file: src, options: o).object
        #expect(FileManager.default.createFile(atPath: dir + "/empty.o", contents: Data(object)))
        let (dumped, btf) = try Self.tool("/usr/sbin/bpftool", ["btf", "dump", "file", dir + "/empty.o"])
        #expect(dumped == 0 && !btf.contains("DATASEC '.bss'"), "\(btf)")
        let (loaded, _) = try Self.tool("/usr/sbin/bpftool", ["prog", "load", dir + "/empty.o", pin])
        #expect(loaded == 0)
    }
}
