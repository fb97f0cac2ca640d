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
    /// Global variables of internal maps (.data/.bss/...) by name, from each object's
    /// DATASEC: static variables are the compiler's business (clang may keep them in
    /// registers), global ones are the program's observable state.
    static func globals(_ r: LoaderResult, _ secs: [String: [DataSecVar]]) -> [String: String] {
        var out: [String: String] = [:]
        for (mapName, entries) in r.maps {
            guard let dot = mapName.firstIndex(of: "."), let value = entries.first?.last else { continue }
            let section = String(mapName[dot...])
            guard let vars = secs[section] else { continue }
            let bytes = Array(value)
            for v in vars where !v.isStatic && (v.offset + v.size) * 2 <= bytes.count {
                out["\(section):\(v.name)"] = String(bytes[(v.offset * 2)..<((v.offset + v.size) * 2)])
            }
        }
        return out
    }

    static func difference(ours: LoaderResult, clang: LoaderResult, ourSections: [String: [DataSecVar]] = [:],
                           clangSections: [String: [DataSecVar]] = [:]) -> String? {
        if ours.runs.count != clang.runs.count { return "run count differs: ours \(ours.runs.count), clang \(clang.runs.count)" }
        for (i, (a, b)) in zip(ours.runs, clang.runs).enumerated() where a != b {
            if a.retval != b.retval { return "run \(i + 1): return value ours \(a.retval.map(String.init) ?? a.error ?? "?"), clang \(b.retval.map(String.init) ?? b.error ?? "?")" }
            if a.data != b.data { return "run \(i + 1): output packet differs\n  ours:  \(a.data)\n  clang: \(b.data)" }
            return "run \(i + 1): ours \(a), clang \(b)"
        }
        // Read-only data (.rodata*, including compiler-made constant pools) is an input the
        // compilers may lay out or fold differently, not a result: compare what programs write.
        func isPool(_ n: String) -> Bool { n.contains(".rodata") }
        // Internal data maps are compared variable by variable when both DATASECs are known.
        let byVariable = !ourSections.isEmpty && !clangSections.isEmpty
        if byVariable {
            let a = globals(ours, ourSections), b = globals(clang, clangSections)
            for k in Set(a.keys).union(b.keys).sorted() where a[k] != b[k] {
                return "global '\(k)' differs: ours \(a[k] ?? "missing"), clang \(b[k] ?? "missing")"
            }
        }
        func isInternal(_ n: String) -> Bool { byVariable && n.contains(".") }
        let names = Set(ours.maps.keys).union(clang.maps.keys).filter { !isPool($0) && !isInternal($0) }
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
