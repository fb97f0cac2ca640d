/// Block-level liveness of virtual registers (indexed like `Function.blocks`).
public struct Liveness: Sendable {
    public var liveIn: [Set<VReg>]
    public var liveOut: [Set<VReg>]

    public init(_ f: Function) {
        let n = f.blocks.count
        let index = f.blockIndexByID
        var use = [Set<VReg>](repeating: [], count: n)
        var def = [Set<VReg>](repeating: [], count: n)
        for (i, b) in f.blocks.enumerated() {
            for ins in b.instructions {
                for u in ins.inst.usedRegs where !def[i].contains(u) { use[i].insert(u) }
                for d in ins.inst.definedRegs { def[i].insert(d) }
            }
            for u in b.terminator.usedRegs where !def[i].contains(u) { use[i].insert(u) }
        }
        liveIn = [Set<VReg>](repeating: [], count: n)
        liveOut = [Set<VReg>](repeating: [], count: n)
        var changed = true
        while changed {
            changed = false
            for i in stride(from: n - 1, through: 0, by: -1) {
                var out: Set<VReg> = []
                for s in f.blocks[i].terminator.successors { if let k = index[s] { out.formUnion(liveIn[k]) } }
                let inn = use[i].union(out.subtracting(def[i]))
                if out != liveOut[i] || inn != liveIn[i] { liveOut[i] = out; liveIn[i] = inn; changed = true }
            }
        }
    }
}

