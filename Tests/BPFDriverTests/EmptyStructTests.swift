import Foundation
import Testing
@testable import BPFDriver

/// A global empty struct (GNU C, size 0) makes an empty .bss: the object has no DATASEC
/// for it (libbpf refuses to open one of size 0, which clang's -g build has), and loads.
extension DriverEndToEndTests {
    @Test func emptyDataSectionsHaveNoDatasec() throws {
        try withLoadableObject("empty", source: """
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
        """) { _, object, pin in
            let (dumped, btf) = try Self.tool("/usr/sbin/bpftool", ["btf", "dump", "file", object])
            #expect(dumped == 0 && !btf.contains("DATASEC '.bss'"), "\(btf)")
            let (loaded, _) = try Self.tool("/usr/sbin/bpftool", ["prog", "load", object, pin])
            #expect(loaded == 0)
        }
    }
}
