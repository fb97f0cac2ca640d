import Testing
import TestSupport
import Foundation
@testable import BPFELF

/// End to end: a hand-built object for `int prog(void *ctx) { return XDP_PASS; }`
/// with BTF (FUNC + func_info + line_info) loaded through libbpf by bpftool.
@Suite struct XDPLoadTests {
    struct LE {
        var bytes: [UInt8] = []
        mutating func u16(_ v: Int) { bytes += [UInt8(v & 0xff), UInt8(v >> 8 & 0xff)] }
        mutating func u32(_ v: Int) { for i in 0..<4 { bytes.append(UInt8(v >> (8 * i) & 0xff)) } }
    }

    /// .BTF and .BTF.ext written by hand, independently of the BTF module.
    static func btf() -> (btf: [UInt8], ext: [UInt8]) {
        var strings: [UInt8] = [0]
        func str(_ s: String) -> Int { let o = strings.count; strings += Array(s.utf8) + [0]; return o }
        let sInt = str("int"), sCtx = str("ctx"), sProg = str("prog"), sXdp = str("xdp"), sFile = str("/tmp/x.c")
        let sLine1 = str("int prog(void *ctx) {"), sLine2 = str("return 2;")
        var t = LE()
        t.u32(sInt); t.u32(1 << 24); t.u32(4); t.u32(1 << 24 | 32)      // [1] INT int
        t.u32(0); t.u32(2 << 24); t.u32(0)                                // [2] PTR void
        t.u32(0); t.u32(13 << 24 | 1); t.u32(1); t.u32(sCtx); t.u32(2)    // [3] FUNC_PROTO int(void *ctx)
        t.u32(sProg); t.u32(12 << 24 | 1); t.u32(3)                       // [4] FUNC prog global
        var b = LE()
        b.u16(0xeB9F); b.bytes += [1, 0]; b.u32(24)
        b.u32(0); b.u32(t.bytes.count); b.u32(t.bytes.count); b.u32(strings.count)
        b.bytes += t.bytes + strings
        var fi = LE(); fi.u32(8); fi.u32(sXdp); fi.u32(1); fi.u32(0); fi.u32(4)
        var li = LE(); li.u32(16); li.u32(sXdp); li.u32(2)
        li.u32(0); li.u32(sFile); li.u32(sLine1); li.u32(1 << 10 | 1)
        li.u32(8); li.u32(sFile); li.u32(sLine2); li.u32(2 << 10 | 3)
        var e = LE()
        e.u16(0xeB9F); e.bytes += [1, 0]; e.u32(32)
        e.u32(0); e.u32(fi.bytes.count); e.u32(fi.bytes.count); e.u32(li.bytes.count)
        e.u32(fi.bytes.count + li.bytes.count); e.u32(0)
        e.bytes += fi.bytes + li.bytes
        return (b.bytes, e.bytes)
    }

    static func object() -> ObjectFile {
        let code: [UInt8] = [0xb7, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00,    // r0 = 2 (XDP_PASS)
                             0x95, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]    // exit
        let (btf, ext) = btf()
        return ObjectFile(bigEndian: false, sections: [
            ELFSection(name: "xdp", kind: .program, alignment: 8, bytes: code),
            ELFSection(name: "license", kind: .data, alignment: 1, bytes: Array("GPL\0".utf8)),
            ELFSection(name: ".BTF", kind: .metadata, alignment: 4, bytes: btf),
            ELFSection(name: ".BTF.ext", kind: .metadata, alignment: 4, bytes: ext),
        ], symbols: [
            ELFSymbol(name: "prog", section: "xdp", value: 0, size: 16, binding: .global, type: .function),
            ELFSymbol(name: "LICENSE", section: "license", value: 0, size: 4, binding: .global, type: .object),
        ])
    }

    @Test func bpftoolReadsTheBTF() throws {
        guard Tool.exists(Tool.bpftool) else { print("SKIP: bpftool is not installed"); return }
        let path = Tool.tempFile(try ELFWriter.write(Self.object()), suffix: ".o")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let r = try Tool.run(Tool.bpftool, ["btf", "dump", "file", path])
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out.contains("[4] FUNC 'prog' type_id=3 linkage=global"))
        #expect(r.out.contains("'ctx' type_id=2"))
    }

    @Test func kernelLoadsTheProgram() throws {
        guard getuid() == 0 else { print("SKIP: kernelLoadsTheProgram needs root"); return }
        guard Tool.exists(Tool.bpftool) else { print("SKIP: bpftool is not installed"); return }
        guard FileManager.default.fileExists(atPath: "/sys/fs/bpf") else { print("SKIP: /sys/fs/bpf is not mounted"); return }
        let path = Tool.tempFile(try ELFWriter.write(Self.object()), suffix: ".o")
        let pin = "/sys/fs/bpf/swiftbpfcc_elftest_\(getpid())_\(UUID().uuidString.prefix(8))"
        defer {
            try? FileManager.default.removeItem(atPath: path)
            unlink(pin)
        }
        let load = try Tool.run(Tool.bpftool, ["prog", "load", path, pin])
        #expect(load.status == 0, "bpftool prog load failed: \(load.err)")
        guard load.status == 0 else { return }
        let show = try Tool.run(Tool.bpftool, ["prog", "show", "pinned", pin])
        #expect(show.out.contains("xdp") && show.out.contains("name prog"), "\(show.out)")
        #expect(show.out.contains("btf_id"), "no BTF attached: \(show.out)")
        // line_info reached the kernel: the dump interleaves our source lines.
        let dump = try Tool.run(Tool.bpftool, ["prog", "dump", "xlated", "pinned", pin])
        #expect(dump.out.contains("return 2;"), "\(dump.out)")
    }
}
