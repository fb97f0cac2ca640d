/// Block-level liveness of virtual registers (indexed like `Function.blocks`).
public struct Liveness: Sendable {
    public var liveIn: [RegSet]
    public var liveOut: [RegSet]

    public init(_ f: Function) {
        let n = f.blocks.count
        let capacity = max(f.nextVReg, (f.parameters.map(\.id).max() ?? 0) + 1)
        var use = [RegSet](repeating: RegSet(capacity: capacity), count: n)
        var def = use
        for (i, b) in f.blocks.enumerated() {
            for ins in b.instructions {
                ins.inst.forEachUse { u in if !def[i].contains(u) { use[i].insert(u) } }
                ins.inst.forEachDef { def[i].insert($0) }
            }
            for u in b.terminator.usedRegs where !def[i].contains(u) { use[i].insert(u) }
        }
        let successors = f.flowGraph.successors
        liveIn = use
        liveOut = [RegSet](repeating: RegSet(capacity: capacity), count: n)
        var changed = true
        while changed {
            changed = false
            for i in stride(from: n - 1, through: 0, by: -1) {
                var out = RegSet(capacity: capacity)
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
