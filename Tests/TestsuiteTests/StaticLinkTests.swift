import Testing
import Foundation

/// Separate compilation and static linking: `testsuite/link` programs compiled one object
/// per file by each compiler, linked by `bpftool gen object`, loaded and run. A call of an
/// extern function that is no `__ksym` kfunc must reach the subprogram the other object
/// defines (swift-bpfcc encoded it as a kfunc call before, and libbpf refused the linked
/// object: "incorrect bpf_call opcode").
@Suite struct StaticLinkTests {
    @Test func externFunctionsLinkToTheirDefinitions() throws {
        var why = Environment.missingPrerequisite
        if why == nil && Shell.which("bpftool") == nil { why = "bpftool is not installed" }
        if let w = why {
            if Environment.isCI { Issue.record("prerequisite missing in CI: \(w)") } else { print("SKIP: static link test: \(w)") }
            return
        }
        let work = NSTemporaryDirectory() + "link-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }
        let dir = Environment.root + "/testsuite/link"
        func linked(_ compiler: [String], _ tag: String) throws -> String {
            var objects: [String] = []
            for name in ["link_main", "link_funcs"] {
                let obj = "\(work)/\(name).\(tag).o"
                let c = Shell.run(compiler + ["-O2", "-g", "-target", "bpf", "-I/usr/include/x86_64-linux-gnu",
                                              "-c", "\(dir)/\(name).c", "-o", obj])
                guard c.status == 0 else { throw HarnessError("\(tag) failed on \(name).c:\n\(c.stderr)") }
                objects.append(obj)
            }
            let out = "\(work)/linked.\(tag).o"
            let l = Shell.run(["bpftool", "gen", "object", out] + objects)
            guard l.status == 0 else { throw HarnessError("bpftool gen object failed on \(tag)'s objects:\n\(l.stderr)") }
            return out
        }
        let ours = try linked(["SWIFT_BPFCC_NO_CACHE=1", Environment.compiler ?? "swift-bpfcc"], "ours")
        let theirs = try linked(["clang-22"], "clang")
        // The extern functions are no kfuncs: no .ksyms section names them.
        let btf = Shell.run(["bpftool", "btf", "dump", "file", "\(work)/link_main.ours.o"]).stdout
        #expect(btf.contains("FUNC 'mix'") && !btf.contains("DATASEC '.ksyms'"), "\(btf.suffix(600))")
        func run(_ obj: String) throws -> [String: Any] {
            let out = Shell.run([try Environment.bpfrun.get(), obj, "--input", "0a0b0c0d0e0f8081828384858687887f",
                                 "--input", "ff01fe02fd03fc04fb05fa06f907f808"]).stdout
            guard let o = try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any] else {
                throw HarnessError("bpfrun printed no JSON: \(out.prefix(300))")
            }
            return o
        }
        let c = try run(theirs)
        try #require(c["load"] as? String == "ok", "clang-22's linked object does not load here: \(c["log"] ?? "")")
        let o = try run(ours)
        #expect(o["load"] as? String == "ok", "swift-bpfcc's linked object: \(o["error"] ?? "") \(String(describing: o["log"] ?? "").suffix(800))")
        let retvals = { (r: [String: Any]) in ((r["runs"] as? [[String: Any]]) ?? []).map { $0["retval"] as? Int ?? -1 } }
        #expect(retvals(o) == retvals(c) && retvals(o).count == 2, "return values: ours \(retvals(o)), clang \(retvals(c))")
        #expect(String(describing: o["maps"] ?? "") == String(describing: c["maps"] ?? ""),
                "maps: ours \(o["maps"] ?? ""), clang \(c["maps"] ?? "")")
    }
}
