import Foundation
import Testing
@testable import BPFDriver

/// 128-bit products, which clang's BPF target refuses (it would call `__multi3`), so no
/// differential test can check them: our build runs in the kernel (`bpftool prog run`)
/// and its results are compared with Swift's own `UInt128` arithmetic.
extension DriverEndToEndTests {
    @Test func wideProductsComputeWhatUInt128Computes() throws {
        try withLoadableObject("wide", source: """
        #include <linux/bpf.h>
        #include <bpf/bpf_helpers.h>
        typedef unsigned __int128 u128;
        SEC("xdp")
        int wide_mul(struct xdp_md *ctx)
        {
        \t__u64 *v = (void *)(long)ctx->data;
        \tif ((void *)(v + 4) > (void *)(long)ctx->data_end)
        \t\treturn 0;
        \t__u64 a = v[0], b = v[1], c = v[2], d = v[3];
        \tu128 p = ((u128)a << 64) | b, q = ((u128)c << 64) | d;
        \tu128 r = p * q - (u128)a * c * 7;
        \t__u64 x = (__u64)r ^ (__u64)(r >> 64) * 3;
        \treturn (__u32)x ^ (__u32)(x >> 32);
        }
        char LICENSE[] SEC("license") = "GPL";
        """) { dir, object, pin in
            let (loaded, _) = try Self.tool("/usr/sbin/bpftool", ["prog", "load", object, pin])
            #expect(loaded == 0)
            guard loaded == 0 else { return }

            var seed: UInt64 = 0x9e37_79b9_7f4a_7c15
            func next() -> UInt64 { seed = seed &* 6364136223846793005 &+ 1442695040888963407; return seed ^ (seed >> 29) }
            var inputs: [[UInt64]] = [[0, 0, 0, 0], [~0, ~0, ~0, ~0], [1, 0, 0, 1], [0, ~0, 0, ~0], [0xffff_ffff, 0x1_0000_0000, 3, 0xffff_ffff_0000_0001]]
            for _ in 0..<8 { inputs.append([next(), next(), next(), next()]) }
            for v in inputs {
                let p = UInt128(v[0]) << 64 | UInt128(v[1]), q = UInt128(v[2]) << 64 | UInt128(v[3])
                let r = p &* q &- UInt128(v[0]) &* UInt128(v[2]) &* 7
                let x = UInt64(truncatingIfNeeded: r) ^ (UInt64(truncatingIfNeeded: r >> 64) &* 3)
                let expected = UInt32(truncatingIfNeeded: x) ^ UInt32(truncatingIfNeeded: x >> 32)
                let data = v.flatMap { w in (0..<8).map { UInt8(truncatingIfNeeded: w >> (8 * $0)) } }
                let input = dir + "/in.bin"
                #expect(FileManager.default.createFile(atPath: input, contents: Data(data)))
                let (status, out) = try Self.tool("/usr/sbin/bpftool", ["prog", "run", "pinned", pin, "data_in", input])
                #expect(status == 0)
                #expect(out.contains("Return value: \(expected),"), "inputs \(v): \(out)")
            }
        }
    }
}
