import Foundation

/// What bpfrun reports for one object.
struct LoaderResult: Equatable {
    struct Run: Equatable { var retval: Int?; var data: String; var error: String? }
    var loaded: Bool
    var error: String
    var log: String
    var runs: [Run]
    var maps: [String: [[String]]]

    init(json: String) throws {
        guard let data = json.data(using: .utf8),
              let o = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw HarnessError("bpfrun printed no JSON: \(json.prefix(300))")
        }
        loaded = (o["load"] as? String) == "ok"
        error = o["error"] as? String ?? ""
        log = o["log"] as? String ?? ""
        runs = ((o["runs"] as? [[String: Any]]) ?? []).map {
            Run(retval: $0["retval"] as? Int, data: $0["data"] as? String ?? "", error: $0["error"] as? String)
        }
        maps = (o["maps"] as? [String: [[String]]]) ?? [:]
    }

    /// The first difference between two results, described for a failure message.
    static func difference(ours: LoaderResult, clang: LoaderResult) -> String? {
        if ours.runs.count != clang.runs.count { return "run count differs: ours \(ours.runs.count), clang \(clang.runs.count)" }
        for (i, (a, b)) in zip(ours.runs, clang.runs).enumerated() where a != b {
            if a.retval != b.retval { return "run \(i + 1): return value ours \(a.retval.map(String.init) ?? a.error ?? "?"), clang \(b.retval.map(String.init) ?? b.error ?? "?")" }
            if a.data != b.data { return "run \(i + 1): output packet differs\n  ours:  \(a.data)\n  clang: \(b.data)" }
            return "run \(i + 1): ours \(a), clang \(b)"
        }
        // Read-only data (.rodata*, including compiler-made constant pools) is an input the
        // compilers may lay out or fold differently, not a result: compare what programs write.
        func isPool(_ n: String) -> Bool { n.contains(".rodata") }
        let names = Set(ours.maps.keys).union(clang.maps.keys).filter { !isPool($0) }
        for n in names.sorted() {
            let a = ours.maps[n] ?? [], b = clang.maps[n] ?? []
            if a != b {
                let da = Set(a.map { $0.joined(separator: "=") }), db = Set(b.map { $0.joined(separator: "=") })
                return "map '\(n)' differs: only ours \(da.subtracting(db).sorted().prefix(4)), only clang \(db.subtracting(da).sorted().prefix(4))"
            }
        }
        return nil
    }
}
