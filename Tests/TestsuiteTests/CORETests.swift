import Testing
import Foundation

/// CO-RE programs loaded against the running kernel's BTF (vmlinux.h generated at
/// test time) and against a custom target BTF, checked against known values and
/// against clang-22's build of the same source.
@Suite struct CORETests {
    func prerequisites() -> Bool {
        var why = Environment.missingPrerequisite
        if why == nil && Shell.which("bpftool") == nil { why = "bpftool is not installed" }
        guard let w = why else { return true }
        if Environment.isCI { Issue.record("prerequisite missing in CI: \(w)") } else { print("SKIP: CO-RE tests: \(w)") }
        return false
    }

    /// Compiles a testsuite/core program with both compilers; returns (ours, clang) object paths.
    func build(_ name: String, into work: String, extra: [String] = [], source: String? = nil) throws -> (String, String) {
        let src = source ?? Environment.root + "/testsuite/core/\(name).c"
        let include = try Environment.vmlinuxDir.get()
        let flags = ["-O2", "-g", "-target", "bpf", "-I\(include)", "-I/usr/include/x86_64-linux-gnu",
                     "-I\(Environment.root)/testsuite/include"] + extra
        try FileManager.default.createDirectory(atPath: work + "/ours", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: work + "/clang", withIntermediateDirectories: true)
        let ours = "\(work)/ours/\(name).o", theirs = "\(work)/clang/\(name).o"
        let c = Shell.run(["SWIFT_BPFCC_NO_CACHE=1", Environment.compiler ?? "swift-bpfcc"] + flags + ["-c", src, "-o", ours])
        guard c.status == 0 else { throw HarnessError("swift-bpfcc failed:\n\(c.stderr)") }
        let k = Shell.run(["clang-22"] + flags + ["-c", src, "-o", theirs])
        guard k.status == 0 else { throw HarnessError("clang-22 failed:\n\(k.stderr)") }
        return (ours, theirs)
    }

    func load(_ obj: String, _ args: [String]) throws -> [String: Any] {
        let out = Shell.run([try Environment.bpfrun.get(), obj] + args).stdout
        guard let o = try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any] else {
            throw HarnessError("bpfrun printed no JSON: \(out.prefix(300))")
        }
        return o
    }

    func mapValue(_ o: [String: Any], _ map: String, key: Int = 0) -> [UInt8]? {
        guard let entries = (o["maps"] as? [String: [[String]]])?[map] else { return nil }
        for e in entries where e.count == 2 {
            let k = hexBytes(e[0])
            var kv = 0
            for (i, b) in k.prefix(4).enumerated() { kv |= Int(b) << (8 * i) }
            if kv == key { return hexBytes(e[1]) }
        }
        return nil
    }

    func hexBytes(_ s: String) -> [UInt8] {
        var out: [UInt8] = []
        var it = s.makeIterator()
        while let a = it.next(), let b = it.next() { out.append(UInt8(String([a, b]), radix: 16) ?? 0) }
        return out
    }

    func u32(_ b: [UInt8], _ o: Int) -> UInt32 { (0..<4).reduce(0) { $0 | UInt32(b[o + $1]) << (8 * $1) } }
    func u64(_ b: [UInt8], _ o: Int) -> UInt64 { (0..<8).reduce(0) { $0 | UInt64(b[o + $1]) << (8 * $1) } }

    @Test func readsCurrentTaskThroughBPFCoreRead() throws {
        guard prerequisites() else { return }
        let work = NSTemporaryDirectory() + "core-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: work) }
        let (ours, theirs) = try build("core_task_read", into: work)
        let o = try load(ours, ["--ctx", "0000000000000000"])
        let c = try load(theirs, ["--ctx", "0000000000000000"])
        #expect(o["load"] as? String == "ok", "verifier rejected swift-bpfcc's CO-RE build: \(String(describing: o["log"]).suffix(1500))")
        guard let v = mapValue(o, "res"), let cv = mapValue(c, "res"), v.count >= 72 else {
            Issue.record("no result in the map"); return
        }
        // pid/tgid/comm of the loader process, which BPF_PROG_TEST_RUN ran in.
        #expect(Int(Int32(bitPattern: u32(v, 0))) == o["pid"] as? Int)
        #expect(Int(Int32(bitPattern: u32(v, 4))) == o["tgid"] as? Int)
        let comm = String(decoding: v[8..<24].prefix { $0 != 0 }, as: UTF8.self)
        #expect(comm == o["comm"] as? String)
        #expect(u32(v, 24) > 0)                              // parent's tgid
        #expect(u32(v, 28) == 1 && u32(v, 32) == 0)          // pid exists, the flavor's bogus field does not
        #expect(u32(v, 36) == 4)                             // sizeof(pid_t)
        // Everything but the process identity equals clang's build on this kernel.
        #expect(Array(v[28...]) == Array(cv[28...]), "relocated values differ from clang-22's build")
        #expect(u32(v, 24) == u32(cv, 24))
    }

    /// Our .BTF.ext CO-RE records equal clang-22's, record by record (instruction
    /// offsets aside, which depend on code generation).
    @Test(arguments: ["core_task_read", "core_custom_target", "core_kfunc_ksym"])
    func relocationRecordsMatchClang(_ name: String) throws {
        guard prerequisites() else { return }
        let work = NSTemporaryDirectory() + "core-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: work) }
        let (ours, theirs) = try build(name, into: work)
        let a = try BTFExtReader.coreRecords(objectPath: ours), b = try BTFExtReader.coreRecords(objectPath: theirs)
        #expect(!b.isEmpty)
        #expect(Set(a) == Set(b), "only ours: \(Set(a).subtracting(b)), only clang: \(Set(b).subtracting(a))")
    }

    /// The `// @vmlinux` programs of the differential suite (context structs of vmlinux.h:
    /// relocations on ctx loads and stores) write the same CO-RE records as clang-22.
    @Test(arguments: Environment.allPrograms.filter(\.needsVmlinux))
    func vmlinuxProgramRecordsMatchClang(_ p: TestProgram) throws {
        guard prerequisites() else { return }
        let work = NSTemporaryDirectory() + "core-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: work) }
        let (ours, theirs) = try build(p.stem, into: work, extra: p.cflags, source: p.path)
        let a = try BTFExtReader.coreRecords(objectPath: ours), b = try BTFExtReader.coreRecords(objectPath: theirs)
        #expect(!b.isEmpty)
        #expect(Set(a) == Set(b), "only ours: \(Set(a).subtracting(b)), only clang: \(Set(b).subtracting(a))")
    }

    /// The .BTF of a vmlinux.h program holds the same types as clang-22's, kind and name
    /// (as a multiset; ids differ): records behind pointers inside members are FWDs as in
    /// clang's output, not the whole kernel type graph.
    @Test(arguments: ["core_task_read", "core_custom_target", "core_kfunc_ksym"].map { Environment.root + "/testsuite/core/\($0).c" }
          + Environment.allPrograms.filter(\.needsVmlinux).map(\.path))
    func btfTypesMatchClang(_ path: String) throws {
        guard prerequisites() else { return }
        let work = NSTemporaryDirectory() + "core-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: work) }
        let program = TestProgram(path: path, root: Environment.programsDir)
        let stem = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        let (ours, theirs) = try build(stem, into: work, extra: program.cflags, source: path)
        func types(_ obj: String) -> [String: Int] {
            let r = Shell.run(["bpftool", "btf", "dump", "file", obj])
            var m: [String: Int] = [:]
            for line in r.stdout.split(separator: "\n") where line.hasPrefix("[") {
                let words = line.split(separator: " ")
                guard words.count >= 3 else { continue }
                m["\(words[1]) \(words[2])", default: 0] += 1
            }
            return m
        }
        let a = types(ours), b = types(theirs)
        #expect(!b.isEmpty)
        let differing = Set(a.keys).union(b.keys).filter { a[$0] != b[$0] }.sorted()
        #expect(differing.isEmpty, "types whose count differs (ours/clang): \(differing.prefix(20).map { "\($0) \(a[$0] ?? 0)/\(b[$0] ?? 0)" })")
    }

    /// kfuncs, __weak kfuncs with bpf_ksym_exists, .kconfig externs and trusted BTF
    /// pointers in a tp_btf program: the verifier accepts our build as it does clang's,
    /// and the extern records match clang's (.ksyms/.kconfig DATASECs).
    @Test func kfuncsKsymsAndKconfigLoad() throws {
        guard prerequisites() else { return }
        let work = NSTemporaryDirectory() + "core-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: work) }
        let (ours, theirs) = try build("core_kfunc_ksym", into: work)
        let c = try load(theirs, [])
        try #require(c["load"] as? String == "ok", "clang-22's build does not load here: \(String(describing: c["log"]).suffix(800))")
        let o = try load(ours, [])
        #expect(o["load"] as? String == "ok", "verifier rejected swift-bpfcc's build: \(String(describing: o["log"]).suffix(1500))")
        let syms = Shell.run(["llvm-readelf-22", "-s", ours]).stdout
        for name in ["bpf_task_from_pid", "bpf_task_release", "bpf_kfunc_that_does_not_exist", "LINUX_KERNEL_VERSION"] {
            #expect(syms.contains(name), "extern symbol \(name) missing")
        }
        #expect(syms.contains("WEAK") , "the __weak kfunc must be a weak symbol")
    }

    /// Typed __ksym variables: our build gets exactly as far as clang's. The extern is a
    /// VAR of the .ksyms DATASEC with extern linkage and the ld_imm64 is relocated against
    /// it, as in clang's object; libbpf resolves it to the kernel BTF's VAR for both. This
    /// kernel keeps no data symbols in kallsyms, so the verifier then refuses both at the
    /// address lookup; where it can, both load and read CPU 0's runqueue.
    @Test func typedKsymsResolveAsClangsDo() throws {
        guard prerequisites() else { return }
        let work = NSTemporaryDirectory() + "core-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: work) }
        let (ours, theirs) = try build("core_typed_ksym", into: work)
        for obj in [ours, theirs] {
            let btf = Shell.run(["bpftool", "btf", "dump", "file", obj]).stdout
            #expect(btf.contains("VAR 'runqueues'") && btf.contains("linkage=extern"), "\(obj): no extern VAR runqueues")
            #expect(btf.contains("DATASEC '.ksyms'"), "\(obj): no .ksyms DATASEC")
            let relocs = Shell.run(["llvm-readelf-22", "-r", obj]).stdout
            #expect(relocs.contains("runqueues") && relocs.contains("cpu_number"), "\(obj): ld_imm64 of the externs not relocated")
        }
        let c = try load(theirs, [])
        let o = try load(ours, [])
        #expect(o["load"] as? String == c["load"] as? String,
                "clang-22: \(c["load"] ?? "?"), ours: \(o["load"] ?? "?"): \(String(describing: o["log"]).suffix(800))")
        if c["load"] as? String == "ok" {
            #expect(mapValue(o, "res", key: 0).map { u64($0, 0) } == 100, "CPU 0's runqueue says cpu 0")
            #expect(mapValue(o, "res", key: 0) == mapValue(c, "res", key: 0))
        } else {
            let lookup = "failed to find the address for kernel symbol 'runqueues'"
            let clangLog = c["log"] as? String ?? "", ourLog = o["log"] as? String ?? ""
            #expect(clangLog.contains(lookup), "clang's build failed elsewhere: \(clangLog.suffix(600))")
            #expect(ourLog.contains(lookup), "ours failed before the kernel's address lookup: \(ourLog.suffix(800))")
            print("NOTE: typed __ksym: this kernel cannot resolve variable addresses (no data symbols in kallsyms); both builds stop at the same lookup")
        }
    }

    @Test func relocatesAgainstACustomTargetBTF() throws {
        guard prerequisites() else { return }
        let work = NSTemporaryDirectory() + "core-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: work) }
        let (ours, theirs) = try build("core_custom_target", into: work)
        // The target BTF: compiled by clang-22, so the target is independent of our BTF writer.
        let target = work + "/target.o"
        let t = Shell.run(["clang-22", "-O2", "-g", "-target", "bpf", "-c", Environment.root + "/testsuite/core/core_target_btf.c", "-o", target])
        guard t.status == 0 else { throw HarnessError("cannot build the target BTF: \(t.stderr)") }
        let o = try load(ours, ["--ctx", "0000000000000000", "--btf", target])
        let c = try load(theirs, ["--ctx", "0000000000000000", "--btf", target])
        #expect(o["load"] as? String == "ok", "load failed: \(String(describing: o["log"]).suffix(1500))")
        #expect(c["load"] as? String == "ok")
        func value(_ k: Int) -> UInt64? { mapValue(o, "res", key: k).map { u64($0, 0) } }
        #expect(value(0) == 24)      // moved: offset in the target (pad 12, a 4, small 2 + padding → 24)
        #expect(value(1) == 2)       // small is a short in the target
        #expect(value(2) == 0)       // gone does not exist in the target
        #expect(value(3) == 12)      // a moved behind pad
        #expect(value(4) == 40)      // target struct size
        #expect(value(5) == 1)       // the ___v2 flavor matches core_probe and finds renamed_now
        #expect(value(6) == 32)
        #expect(value(7) == 20)      // CORE_BLUE's value in the target
        #expect(value(8) == 0)       // CORE_GREEN does not exist there
        #expect(value(9) == 1)
        for k in 0..<10 {
            #expect(mapValue(o, "res", key: k) == mapValue(c, "res", key: k), "key \(k) differs from clang-22's build")
        }
    }
}
