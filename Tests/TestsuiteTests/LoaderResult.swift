import Foundation

/// What bpfrun (testsuite/runner/bpfrun.c) reports for one object.
struct LoaderResult {
    struct Program: Equatable {
        var name: String
        var section: String
        var type: String
        var insns: Int
        var verifiedInsns: Int
    }

    struct Run: Equatable {
        var retval: Int?
        var data: String
        var durationNs: Int?
        var error: String?

        /// What the program computed (the duration is not part of it).
        func sameResult(as other: Run) -> Bool {
            retval == other.retval && data == other.data && error == other.error
        }
    }

    var loaded: Bool
    var error: String
    var log: String
    var programs: [Program]
    /// The program that was run (nil: none of a runnable type, or --prog not found).
    var runProgram: String?
    var runs: [Run]
    /// Map name → [[key hex, value hex]] (arrays in index order, hash maps by key bytes).
    var maps: [String: [[String]]]
    var skippedMaps: [String]

    init(json: String) throws {
        guard let data = json.data(using: .utf8),
              let o = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw HarnessError("bpfrun printed no JSON object: \(json.prefix(300))")
        }
        guard let load = o["load"] as? String, load == "ok" || load == "error" else {
            throw HarnessError("bpfrun JSON has no \"load\" field: \(json.prefix(300))")
        }
        loaded = load == "ok"
        error = o["error"] as? String ?? ""
        log = o["log"] as? String ?? ""
        programs = ((o["programs"] as? [[String: Any]]) ?? []).map {
            Program(name: $0["name"] as? String ?? "", section: $0["section"] as? String ?? "",
                    type: $0["type"] as? String ?? "", insns: $0["insns"] as? Int ?? 0,
                    verifiedInsns: $0["verified_insns"] as? Int ?? 0)
        }
        runProgram = o["run_prog"] as? String
        runs = ((o["runs"] as? [[String: Any]]) ?? []).map {
            Run(retval: $0["retval"] as? Int, data: $0["data"] as? String ?? "",
                durationNs: $0["duration_ns"] as? Int, error: $0["error"] as? String)
        }
        maps = (o["maps"] as? [String: [[String]]]) ?? [:]
        skippedMaps = (o["skipped_maps"] as? [String]) ?? []
    }

    /// The last `n` lines of the verifier/libbpf log (where the verifier says why it refused).
    func logTail(_ n: Int = 30) -> String {
        log.split(separator: "\n", omittingEmptySubsequences: false).suffix(n).joined(separator: "\n")
    }

    /// Type of the program that ran (xdp, sched_cls, ...), to name return values.
    var runProgramType: String? { programs.first { $0.name == runProgram }?.type }
}
