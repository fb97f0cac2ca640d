import Testing
import Foundation

/// Programs whose verifier cost depends on one optimization: compiled by swift-bpfcc and
/// by clang-22, both loaded, ours must not take the verifier more instructions than
/// clang's. (The differential tests only compare what the programs compute.)
@Suite struct VerifierCostTests {
    /// `xdp_flood_flag_lru.c`: a flag known on each path, tested with the service's flags
    /// in one condition (`CommonTargetBranches`): 683 instructions walked without the
    /// pass against clang's 637, 477 with it.
    /// `kretprobe_latency_hist.c`: the first log2 step of a time's upper half tested on the
    /// undivided time (`QuotientCompares`): 973 walked without the pass against clang's
    /// 720, 517 with it.
    /// `xdp_fill_arrays.c`: loops filling arrays with one value store the bytes at once
    /// (`FillLoops`): 377 walked without the pass against clang's 220, 128 with it.
    /// `xdp_flow_hash_dport.c`: the arm zeroing the flow's source address laid out after
    /// the hash (`BlockPlacement`): 414 walked with the arm first against clang's 406, 250
    /// this way round.
    /// `raw_tp_unrolled_labels.c`: a `#pragma unroll` loop whose body holds labels and
    /// gotos, unrolled with labels of its own in each copy: 2,113 walked kept rolled
    /// against clang's 1,658, 1,306 unrolled.
    @Test(arguments: ["xdp/xdp_flood_flag_lru.c", "tracing/kretprobe_latency_hist.c", "xdp/xdp_fill_arrays.c",
                      "xdp/xdp_flow_hash_dport.c", "tracing/raw_tp_unrolled_labels.c"])
    func walksNoMoreThanClang(_ program: String) throws {
        if let missing = Environment.missingPrerequisite {
            if Environment.isCI { Issue.record("verifier cost: \(missing)") } else { print("SKIP: verifier cost of \(program): \(missing)") }
            return
        }
        try withCompiler("verifier cost", scratch: "verifier-cost") { compiler, work in
            let flags = ["-O2", "-g", "-target", "bpf", "-mcpu=v3", "-I/usr/include/x86_64-linux-gnu",
                         "-I\(Environment.root)/testsuite/include", "-c", "\(Environment.root)/testsuite/programs/\(program)"]
            var walked: [Int] = []
            for (cc, out) in [(compiler, "\(work)/ours.o"), ("clang-22", "\(work)/clang.o")] {
                let r = Shell.run([cc] + flags + ["-o", out])
                #expect(r.status == 0, "\(cc): \(r.stderr)")
                let loaded = try LoaderResult(json: Shell.run([try Environment.bpfrun.get(), out]).stdout)
                #expect(loaded.loaded, "\(cc): \(loaded.error)")
                walked.append(loaded.programs.reduce(0) { $0 + $1.verifiedInsns })
            }
            #expect(walked[0] > 0 && walked[0] <= walked[1], "\(program): verified instructions, ours \(walked[0]), clang \(walked[1])")
        }
    }
}
