import Foundation

/// Compares what two builds of one program computed (differential testing).
enum ResultComparison {
    /// The first difference between two results, described for a failure message;
    /// nil when runs (retval, output data) and written maps are equal.
    /// With both objects' DATASEC layouts, global variables of internal maps
    /// (.data/.bss/...) are compared by name: static variables are the compiler's
    /// business (clang may keep them in registers), global ones are the program's
    /// observable state. `.rodata*` is input, not result, and is not compared.
    static func difference(ours: LoaderResult, clang: LoaderResult, ourSections: [String: [DataSecVar]] = [:],
                           clangSections: [String: [DataSecVar]] = [:]) -> String? {
        if ours.runs.count != clang.runs.count {
            return "run count differs: ours \(ours.runs.count), clang \(clang.runs.count)"
        }
        for (i, (a, b)) in zip(ours.runs, clang.runs).enumerated() where !a.sameResult(as: b) {
            let run = "run \(i + 1) of \(ours.runs.count)"
            if a.error != b.error {
                return "\(run): test run failed differently: ours \(a.error ?? "ok"), clang \(b.error ?? "ok")"
            }
            if a.retval != b.retval {
                let type = clang.runProgramType
                return "\(run): return value differs: ours \(name(a.retval, type)), clang \(name(b.retval, type))"
            }
            return "\(run): output data differs: " + (HexDiff.describe(ours: a.data, clang: b.data) ?? "")
        }
        let byVariable = !ourSections.isEmpty && !clangSections.isEmpty
        if byVariable {
            let a = globals(ours, ourSections), b = globals(clang, clangSections)
            for k in Set(a.keys).union(b.keys).sorted() where a[k] != b[k] {
                return "global '\(k)' differs: ours \(a[k] ?? "missing"), clang \(b[k] ?? "missing")"
            }
        }
        func compared(_ n: String) -> Bool { !n.contains(".rodata") && !(byVariable && n.contains(".")) }
        for n in Set(ours.maps.keys).union(clang.maps.keys).filter(compared).sorted() {
            if let d = mapDifference(ours: ours.maps[n], clang: clang.maps[n]) { return "map '\(n)' differs: \(d)" }
        }
        return nil
    }

    /// Entry-by-entry description of how two map dumps differ (at most 4 keys shown).
    static func mapDifference(ours: [[String]]?, clang: [[String]]?) -> String? {
        guard let a = ours, let b = clang else {
            return ours == nil ? "missing in ours (not created or not dumpable)" : "missing in clang's build"
        }
        if a == b { return nil }
        func table(_ e: [[String]]) -> [String: String] {
            var t: [String: String] = [:]
            for kv in e where kv.count == 2 { t[kv[0]] = kv[1] }
            return t
        }
        let ta = table(a), tb = table(b)
        var lines: [String] = []
        for k in Set(ta.keys).union(tb.keys).sorted() where ta[k] != tb[k] {
            lines.append("key \(k): ours \(ta[k] ?? "absent"), clang \(tb[k] ?? "absent")")
        }
        if lines.isEmpty { return "same entries in a different order" }
        let shown = lines.prefix(4).joined(separator: "; ")
        return lines.count > 4 ? "\(shown); ... (\(lines.count) keys differ)" : shown
    }

    /// Global variables of internal maps by "section:name" → value hex.
    static func globals(_ r: LoaderResult, _ secs: [String: [DataSecVar]]) -> [String: String] {
        var out: [String: String] = [:]
        for (mapName, entries) in r.maps {
            guard let dot = mapName.firstIndex(of: "."), let value = entries.first?.last else { continue }
            let section = String(mapName[dot...])
            guard let vars = secs[section] else { continue }
            let chars = Array(value)
            for v in vars where !v.isStatic && (v.offset + v.size) * 2 <= chars.count {
                out["\(section):\(v.name)"] = String(chars[(v.offset * 2)..<((v.offset + v.size) * 2)])
            }
        }
        return out
    }

    /// A return value with its symbolic name where the program type gives one.
    static func name(_ retval: Int?, _ type: String?) -> String {
        guard let v = retval else { return "none" }
        let xdp = ["XDP_ABORTED", "XDP_DROP", "XDP_PASS", "XDP_TX", "XDP_REDIRECT"]
        let tc = [-1: "TC_ACT_UNSPEC", 0: "TC_ACT_OK", 1: "TC_ACT_RECLASSIFY", 2: "TC_ACT_SHOT", 3: "TC_ACT_PIPE",
                  4: "TC_ACT_STOLEN", 5: "TC_ACT_QUEUED", 6: "TC_ACT_REPEAT", 7: "TC_ACT_REDIRECT"]
        let signed = Int(Int32(truncatingIfNeeded: v))
        switch type {
        case "xdp" where v < xdp.count: return "\(v) (\(xdp[v]))"
        case "sched_cls", "sched_act": return tc[signed].map { "\(signed) (\($0))" } ?? "\(v)"
        default: return v > 0xffff ? "\(v) (0x\(String(v, radix: 16)))" : "\(v)"
        }
    }
}
