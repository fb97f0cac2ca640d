private let livenessMemo = AnalysisMemo<Liveness>()

/// Block-level liveness of virtual registers (indexed like `Function.blocks`).
public struct Liveness: Sendable {
    public var liveIn: [RegSet]
    public var liveOut: [RegSet]

    public init(_ f: Function) { self = livenessMemo.value(for: f) { Liveness(computing: $0) } }

    init(computing f: Function) {
        var capacity = max(f.nextVReg, (f.parameters.map(\.id).max() ?? 0) + 1)
        // (A register at or past the function's count, which none is made, costs a second
        // computation with room for it.)
        while true {
            switch Liveness.computing(f, capacity: capacity) {
            case .done(let live): self = live; return
            case .needs(let more): capacity = more
            }
        }
    }

    private enum Attempt { case done(Liveness), needs(capacity: Int) }

    private init(liveIn: [RegSet], liveOut: [RegSet]) { self.liveIn = liveIn; self.liveOut = liveOut }

    /// Every block's set in one array of words (block i's at i * words): no array per
    /// block and set until the end.
    private static func computing(_ f: Function, capacity: Int) -> Attempt {
        let n = f.blocks.count
        let words = (capacity + 63) >> 6
        var use = [UInt64](repeating: 0, count: n * words)
        var def = use
        var largest = -1
        for i in 0..<n {
            let base = i * words
            func read(_ u: VReg) {
                guard u.id < capacity else { largest = max(largest, u.id); return }
                let w = base + u.id >> 6, bit: UInt64 = 1 << UInt64(u.id & 63)
                if def[w] & bit == 0 { use[w] |= bit }
            }
            for ins in f.blocks[i].instructions {
                ins.inst.forEachUse(read)
                ins.inst.forEachDef { d in
                    guard d.id < capacity else { largest = max(largest, d.id); return }
                    def[base + d.id >> 6] |= 1 << UInt64(d.id & 63)
                }
            }
            f.blocks[i].terminator.forEachUse(read)
        }
        if largest >= capacity { return .needs(capacity: largest + 1) }
        let successors = f.flowGraph.successors
        var liveIn = use
        var liveOut = [UInt64](repeating: 0, count: n * words)
        var out = [UInt64](repeating: 0, count: words)
        var changed = true
        while changed {
            changed = false
            for i in stride(from: n - 1, through: 0, by: -1) {
                let base = i * words
                for w in 0..<words { out[w] = 0 }
                for k in successors[i] { for w in 0..<words { out[w] |= liveIn[k * words + w] } }
                var same = true
                for w in 0..<words where out[w] != liveOut[base + w] { same = false; break }
                if same { continue }
                for w in 0..<words {
                    liveOut[base + w] = out[w]
                    liveIn[base + w] = out[w] & ~def[base + w] | use[base + w]
                }
                changed = true
            }
        }
        func sets(_ flat: [UInt64]) -> [RegSet] {
            (0..<n).map { i in
                var s = RegSet()
                s.words = Array(flat[i * words..<(i + 1) * words])
                return s
            }
        }
        return .done(Liveness(liveIn: sets(liveIn), liveOut: sets(liveOut)))
    }
}
