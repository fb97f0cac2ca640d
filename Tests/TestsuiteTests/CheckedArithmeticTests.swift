import Testing
import Foundation

/// GCC's checked arithmetic on 64-bit operands, which clang-22 cannot compile for BPF
/// when it multiplies (it calls `__multi3`): swift-bpfcc's build runs in the kernel and
/// its flags and wrapped results are checked against Swift's own checked arithmetic.
@Suite struct CheckedArithmeticTests {
    static let source = """
    #include <linux/bpf.h>
    #include <bpf/bpf_helpers.h>
    struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 10); __type(key, __u32); __type(value, __u64); } out SEC(".maps");
    static __always_inline void put(__u32 k, __u64 v) { __u64 *p = bpf_map_lookup_elem(&out, &k); if (p) *p = v; }
    SEC("xdp")
    int checked(struct xdp_md *ctx)
    {
        unsigned char *p = (void *)(long)ctx->data;
        if ((void *)(p + 30) > (void *)(long)ctx->data_end)
            return XDP_ABORTED;
        __u64 x = *(__u64 *)(p + 14), y = *(__u64 *)(p + 22), ur;
        long long sr;
        put(0, __builtin_mul_overflow(x, y, &ur)); put(1, ur);
        put(2, __builtin_smulll_overflow((long long)x, (long long)y, &sr)); put(3, sr);
        put(4, __builtin_add_overflow((long long)x, (long long)y, &sr)); put(5, sr);
        put(6, __builtin_usubll_overflow(x, y, &ur)); put(7, ur);
        put(8, __builtin_add_overflow(x, 4, &ur)); put(9, ur);
        return XDP_PASS;
    }
    char LICENSE[] SEC("license") = "GPL";
    """

    /// What each map slot must hold for operands x and y.
    static func expected(_ x: UInt64, _ y: UInt64) -> [UInt64] {
        let sx = Int64(bitPattern: x), sy = Int64(bitPattern: y)
        let um = x.multipliedReportingOverflow(by: y), sm = sx.multipliedReportingOverflow(by: sy)
        let sa = sx.addingReportingOverflow(sy), us = x.subtractingReportingOverflow(y), u4 = x.addingReportingOverflow(4)
        func b(_ o: Bool) -> UInt64 { o ? 1 : 0 }
        return [b(um.overflow), um.partialValue, b(sm.overflow), UInt64(bitPattern: sm.partialValue),
                b(sa.overflow), UInt64(bitPattern: sa.partialValue), b(us.overflow), us.partialValue,
                b(u4.overflow), u4.partialValue]
    }

    @Test func sixtyFourBitOperandsMatchSwiftsCheckedArithmetic() throws {
        let why = Environment.missingPrerequisite ?? (Environment.compiler == nil ? Environment.compilerNotFound : nil)
        guard Prerequisites.satisfied(why, what: "64-bit checked arithmetic") else { return }
        let dir = NSTemporaryDirectory() + "checked-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.source.write(toFile: dir + "/checked.c", atomically: true, encoding: .utf8)
        let c = Shell.run(["SWIFT_BPFCC_NO_CACHE=1", Environment.compiler!, "-O2", "-g", "-target", "bpf", "-mcpu=v3",
                           "-I/usr/include/x86_64-linux-gnu", "-c", dir + "/checked.c", "-o", dir + "/checked.o"])
        try #require(c.status == 0, "\(c.stderr)")
        let big: UInt64 = 1 << 63
        let pairs: [(UInt64, UInt64)] = [
            (3, 5), (1 << 32, 1 << 32), (1 << 32, (1 << 31) - 1), (big, UInt64(bitPattern: -1)),
            (UInt64(bitPattern: -(1 << 62)), 2), (1 << 62, 2), (UInt64(bitPattern: -3), UInt64(bitPattern: -5)),
            (UInt64.max, 7), (0, UInt64.max), (big - 1, 1), (UInt64.max - 2, UInt64.max - 1),
        ]
        for (x, y) in pairs {
            var packet = [UInt8](repeating: 0, count: 14)
            packet[12] = 0x08
            for v in [x, y] { for k in 0..<8 { packet.append(UInt8(truncatingIfNeeded: v >> (8 * k))) } }
            let hex = packet.map { String(format: "%02x", $0) }.joined()
            let run = Shell.run([try Environment.bpfrun.get(), dir + "/checked.o", "--input", hex])
            let report = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], "\(run.stdout.prefix(300))")
            try #require(report["load"] as? String == "ok", "\(report["error"] ?? "")")
            let entries = try #require((report["maps"] as? [String: [[String]]])?["out"])
            var slots = [UInt64](repeating: 0, count: 10)
            for e in entries where e.count == 2 {
                let key = Int(UInt32(littleEndianHex: e[0]))
                if key < slots.count { slots[key] = UInt64(littleEndianHex: e[1]) }
            }
            #expect(slots == Self.expected(x, y), "x = \(x), y = \(y)")
        }
    }
}

private extension FixedWidthInteger {
    /// A value from the little-endian bytes bpfrun prints in hexadecimal.
    init(littleEndianHex s: String) {
        var v: Self = 0
        var shift = 0
        var it = s.makeIterator()
        while let a = it.next(), let b = it.next(), shift < Self.bitWidth {
            v |= Self(truncatingIfNeeded: UInt8(String([a, b]), radix: 16) ?? 0) << shift
            shift += 8
        }
        self = v
    }
}
