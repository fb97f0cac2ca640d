import Testing
import Foundation
@testable import BPFFrontend

/// Whole libbpf-style programs, with the system's real headers.
@Suite struct RealProgramTests {
    static let multiarch = ["-I/usr/include/x86_64-linux-gnu"]

    @Test func libbpfXDPProgram() throws {
        guard FileManager.default.fileExists(atPath: "/usr/include/bpf/bpf_helpers.h") else {
            print("SKIP: libbpf-dev headers are not installed"); return
        }
        let tu = try parseC("""
        #include <linux/bpf.h>
        #include <linux/if_ether.h>
        #include <bpf/bpf_helpers.h>
        #include <bpf/bpf_endian.h>
        struct {
            __uint(type, BPF_MAP_TYPE_ARRAY);
            __uint(max_entries, 4);
            __type(key, __u32);
            __type(value, __u64);
        } counters SEC(".maps");
        SEC("xdp") int count(struct xdp_md *ctx) {
            void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
            struct ethhdr *eth = data;
            if ((void *)(eth + 1) > data_end) return XDP_DROP;
            __u32 key = eth->h_proto == bpf_htons(ETH_P_IP) ? 1 : 0;
            __u64 *v = bpf_map_lookup_elem(&counters, &key);
            if (v) __sync_fetch_and_add(v, 1);
            bpf_printk("proto %x", eth->h_proto);
            return XDP_PASS;
        }
        char LICENSE[] SEC("license") = "GPL";
        """, Self.multiarch)
        let map = try #require(tu.global("counters"))
        #expect(map.attributes.section == ".maps")
        guard case .record(let id) = map.type else { Issue.record("map is a struct"); return }
        #expect(tu.records[id].fields.map(\.name) == ["type", "max_entries", "key", "value"])
        #expect(tu.typeDump(tu.records[id].fields[0].type) == "int[2] *")    // BPF_MAP_TYPE_ARRAY = 2
        #expect(tu.typeDump(tu.records[id].fields[2].type) == "__u32 *")
        let prog = try #require(tu.function("count"))
        #expect(prog.attributes.section == "xdp" && prog.body != nil)
        #expect(tu.global("LICENSE")?.attributes.section == "license")
        // bpf_printk's format string is a hoisted static local.
        #expect(tu.globals.contains { $0.name.hasPrefix("count.") && $0.name.hasSuffix("fmt") })
        let helper = try #require(tu.global("bpf_map_lookup_elem"))
        #expect(helper.isStatic && helper.initializer != nil)
    }

    @Test func coreProgramWithVmlinuxHeader() throws {
        let bpftool = ["/usr/sbin/bpftool", "/usr/bin/bpftool", "/usr/local/sbin/bpftool"].first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
        guard let tool = bpftool, FileManager.default.fileExists(atPath: "/sys/kernel/btf/vmlinux") else {
            print("SKIP: bpftool or /sys/kernel/btf/vmlinux missing: vmlinux.h test not run"); return
        }
        let dir = NSTemporaryDirectory() + "fe-vmlinux-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = ["btf", "dump", "file", "/sys/kernel/btf/vmlinux", "format", "c"]
        _ = FileManager.default.createFile(atPath: dir + "/vmlinux.h", contents: nil)
        p.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: dir + "/vmlinux.h"))
        try p.run(); p.waitUntilExit()
        guard p.terminationStatus == 0 else { print("SKIP: bpftool btf dump failed"); return }
        let tu = try parseC("""
        #include "vmlinux.h"
        #include <bpf/bpf_helpers.h>
        #include <bpf/bpf_core_read.h>
        #include <bpf/bpf_tracing.h>
        char LICENSE[] SEC("license") = "GPL";
        const volatile int filter_pid = 0;
        struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 4096); } rb SEC(".maps");
        extern int LINUX_KERNEL_VERSION __kconfig;
        SEC("tp_btf/sched_switch")
        int BPF_PROG(on_switch, bool preempt, struct task_struct *prev, struct task_struct *next) {
            pid_t pid = BPF_CORE_READ(next, pid);
            if (filter_pid && pid != filter_pid) return 0;
            int ppid = BPF_CORE_READ(prev, real_parent, tgid);
            if (bpf_core_field_exists(prev->pid)) ppid++;
            if (bpf_core_type_exists(struct task_struct)) ppid++;
            if (bpf_core_enum_value_exists(enum bpf_map_type, BPF_MAP_TYPE_RINGBUF)) ppid++;
            bpf_printk("switch %d -> %d", pid, ppid);
            return 0;
        }
        """, ["-I" + dir] + Self.multiarch, name: "core.bpf.c")
        let task = try #require(tu.record("task_struct"))
        #expect(task.preserveAccessIndex)          // from vmlinux.h's #pragma clang attribute
        #expect(task.size > 1000 && task.isComplete)
        #expect(task.fields.contains { $0.name == "pid" })
        #expect(tu.global("LINUX_KERNEL_VERSION")?.attributes.section == ".kconfig")
        #expect(tu.global("filter_pid")?.type.isVolatileQualified == true)
        let body = try #require(tu.function("____on_switch")?.body)
        let text = ASTDump.stmt(body, tu)
        #expect(text.contains("fn:__builtin_preserve_access_index"))
        #expect(text.contains("(type struct task_struct):struct task_struct"))
        #expect(text.contains("(enumval enum bpf_map_type BPF_MAP_TYPE_RINGBUF)"))
        // Anonymous records are never merged: each anonymous record written in place (not
        // through a typedef such as atomic_t) is the type of one member.
        var uses: [Int: Int] = [:]
        for r in tu.records {
            for f in r.fields {
                var t = f.type
                while case .const(let u) = t { t = u }
                while case .volatile(let u) = t { t = u }
                if case .record(let id) = t, tu.records[id].name == nil { uses[id, default: 0] += 1 }
            }
        }
        #expect(uses.count > 10 && uses.values.allSatisfy { $0 == 1 })
        // Records met only behind a member pointer keep no members (clang writes them as FWD):
        // task_struct's `struct mm_struct *mm` does not pull in the memory-management types.
        #expect(!task.membersOmitted)
        #expect(tu.record("mm_struct")?.membersOmitted == true)
        #expect(tu.records.count < 2000)
    }

    /// A record first met behind a member pointer, its layout left alone, is laid out in
    /// full once the program uses it: pointer arithmetic and `sizeof` see its real size.
    @Test func recordsMetBehindMemberPointersAreLaidOutWhenUsed() throws {
        let tu = try parseC("""
            struct inner { long a, b, c; char d; };
            struct leaf { int x; };
            struct outer { struct inner *p; struct leaf *q; int n; };
            long f(struct outer *o) { return (char *)(o->p + 1) - (char *)o->p + sizeof(*o->p); }
            """)
        let inner = try #require(tu.record("inner"))
        #expect(!inner.membersOmitted && inner.size == 32 && inner.alignment == 8 && inner.fields.count == 4)
        let leaf = try #require(tu.record("leaf"))
        #expect(leaf.membersOmitted && leaf.fields.isEmpty)
        #expect(tu.record("outer")?.size == 24)
    }
}
