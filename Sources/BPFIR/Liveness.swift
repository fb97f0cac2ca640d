private let livenessMemo = AnalysisMemo<Liveness>()

/// Block-level liveness of virtual registers (indexed like `Function.blocks`).
public struct Liveness: Sendable {
    public var liveIn: [RegSet]
    public var liveOut: [RegSet]

    public init(_ f: Function) { self = livenessMemo.value(for: f) { Liveness(computing: $0) } }

    init(computing f: Function) {
        let n = f.blocks.count
        let capacity = max(f.nextVReg, (f.parameters.map(\.id).max() ?? 0) + 1)
        var use = [RegSet](filled: RegSet(capacity: capacity), count: n)
        var def = use
        f.forEachInstruction { i, inst in
            inst.forEachUse { u in if !def[i].contains(u) { use[i].insert(u) } }
            inst.forEachDef { def[i].insert($0) }
        }
        for i in f.blocks.indices { f.blocks[i].terminator.forEachUse { u in if !def[i].contains(u) { use[i].insert(u) } } }
        let successors = f.flowGraph.successors
        liveIn = use
        liveOut = [RegSet](filled: RegSet(capacity: capacity), count: n)
        var changed = true
        // Reused for every block: most visits of the last rounds find nothing new.
        var out = RegSet(capacity: capacity)
        while changed {
            changed = false
            for i in stride(from: n - 1, through: 0, by: -1) {
                out.removeAll()
                for k in successors[i] { out.formUnion(liveIn[k]) }
                if out == liveOut[i] { continue }
                var inn = out
                inn.subtract(def[i])
                inn.formUnion(use[i])
                liveOut[i] = out
                if inn != liveIn[i] { liveIn[i] = inn }
                changed = true
            }
        }
    }
}
