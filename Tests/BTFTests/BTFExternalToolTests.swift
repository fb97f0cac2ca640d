import Testing
import TestSupport
import Foundation
@testable import BTF
import BPFFrontend

/// Independent readers: bpftool decodes our raw .BTF; the kernel's BTF loader accepts it.
@Suite struct BTFExternalToolTests {
    /// Every kind the kernel accepts in a loaded BTF blob (not extern FUNC, not size-0 DATASEC: libbpf fixes those up).
    func kernelBlob() -> [UInt8] {
        var b = BTFBuilder(unit: Fixture.unit)
        let ft = FunctionType(returnType: Fixture.int, parameters: [.pointer(.record(Fixture.node))], isVariadic: false)
        let f = b.addFunction(name: "prog", type: ft, parameterNames: ["ctx"], linkage: .global)
        _ = b.addFunction(name: "helper", type: FunctionType(returnType: .void, parameters: [Fixture.int, Fixture.char],
                                                             isVariadic: false),
                          parameterNames: ["x"], linkage: .static)
        b.addDeclTag("kernel_tag", to: f, component: 0)
        _ = b.typeID(of: .pointer(.function(FunctionType(returnType: Fixture.int, parameters: [Fixture.int],
                                                         isVariadic: true))))
        _ = b.typeID(of: .pointer(.typeTag("user", .const(Fixture.int))))
        _ = b.typeID(of: .record(Fixture.fwdStruct))
        _ = b.typeID(of: .record(Fixture.fwdUnion))
        _ = b.typeID(of: .record(Fixture.anon))
        _ = b.typeID(of: .restrict(.pointer(.volatile(Fixture.u64))))
        _ = b.typeID(of: .float(bytes: 8))
        let vars = [
            BTFVariable(name: "prog.cnt", type: Fixture.int, offset: 0, size: 4, linkage: .static),
            BTFVariable(name: "e", type: .enumeration(Fixture.enumE), offset: 4, size: 4, linkage: .global),
            BTFVariable(name: "big", type: .enumeration(Fixture.enumBig), offset: 8, size: 8, linkage: .global),
            BTFVariable(name: "flag", type: .bool, offset: 16, size: 1, linkage: .global),
            BTFVariable(name: "n", type: .record(Fixture.node), offset: 24, size: 16, linkage: .global),
            BTFVariable(name: "buf", type: .array(Fixture.char, count: 16), offset: 40, size: 16, linkage: .global),
        ]
        b.addDataSection(name: ".bss", size: 56, variables: vars)
        b.addDataSection(name: "license", size: 4, variables: [
            BTFVariable(name: "LICENSE", type: .array(Fixture.char, count: 4), offset: 0, size: 4, linkage: .global)])
        return b.encode(bigEndian: false).btf
    }

    @Test func kernelAcceptsEveryKind() throws {
        guard Tool.canUseBPF else { print("SKIP: kernelAcceptsEveryKind needs root and /sys/kernel/btf/vmlinux"); return }
        guard let loader = Tool.btfLoader() else { print("SKIP: cannot build the BTF loader (gcc, libbpf-dev)"); return }
        let path = Tool.tempFile(kernelBlob(), suffix: ".btf")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let r = try Tool.run(loader, [path])
        #expect(r.status == 0, "kernel rejected BTF: \(r.err)")
    }

    @Test func kernelRejectsBrokenBlob() throws {
        guard Tool.canUseBPF else { print("SKIP: kernelRejectsBrokenBlob needs root"); return }
        guard let loader = Tool.btfLoader() else { print("SKIP: cannot build the BTF loader (gcc, libbpf-dev)"); return }
        var blob = kernelBlob()
        blob[24 + 4 + 3] = 0x1f                          // first type's kind becomes 31: unknown
        let path = Tool.tempFile(blob, suffix: ".btf")
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try Tool.run(loader, [path]).status != 0)   // the loader really checks
    }

    @Test func bpftoolDecodesLikeClang() throws {
        guard Tool.exists("/usr/sbin/bpftool") else { print("SKIP: bpftool is not installed"); return }
        let path = Tool.tempFile(kernelBlob(), suffix: ".btf")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let r = try Tool.run("/usr/sbin/bpftool", ["btf", "dump", "file", path])
        #expect(r.status == 0, "bpftool: \(r.err)")
        let text = r.out
        // Lines in the exact form bpftool prints for clang-22's BTF of the same C.
        for line in ["INT 'int' size=4 bits_offset=0 nr_bits=32 encoding=SIGNED",
                     "STRUCT 'node' size=16 vlen=4",
                     "'a' type_id=", "bits_offset=64 bitfield_size=3", "bits_offset=67 bitfield_size=5",
                     "FUNC 'prog' type_id=", "linkage=global", "FUNC 'helper'", "linkage=static",
                     "'ctx' type_id=", "'x' type_id=", "'arg1' type_id=",
                     "INT 'char' size=1 bits_offset=0 nr_bits=8 encoding=SIGNED",
                     "INT '_Bool' size=1 bits_offset=0 nr_bits=8 encoding=BOOL",
                     "INT '__ARRAY_SIZE_TYPE__' size=4 bits_offset=0 nr_bits=32 encoding=(none)",
                     "ENUM 'E' encoding=SIGNED size=4 vlen=2", "'EB' val=-2",
                     "ENUM64 'Big' encoding=UNSIGNED size=8 vlen=1", "'BIG' val=4294967296ULL",
                     "FWD 'fwdonly' fwd_kind=struct", "FWD 'fwdu' fwd_kind=union",
                     "TYPE_TAG 'user' type_id=", "DECL_TAG 'kernel_tag' type_id=", "component_idx=0",
                     "FLOAT 'double' size=8", "TYPEDEF 'u64' type_id=",
                     "VAR 'prog.cnt' type_id=", "DATASEC '.bss' size=56 vlen=6",
                     "offset=40 size=16 (VAR 'buf')", "DATASEC 'license' size=4 vlen=1"] {
            #expect(text.contains(line), "missing in bpftool output: \(line)")
        }
    }
}
