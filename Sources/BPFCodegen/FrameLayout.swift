import BPFIR

/// r10-relative offsets of a function's stack slots (including spill slots). Slots no
/// instruction refers to any more (promoted to registers, or dead) take no space.
struct FrameLayout {
    var offsets: [Int]       // negative offsets from r10, one per slot
    var size: Int

    static let limit = 512

    init(_ f: Function) {
        var used = [Bool](repeating: false, count: f.slots.count)
        for b in f.blocks {
            for i in b.instructions { if let s = i.inst.slotReferenced { used[s] = true } }
        }
        var total = 0
        offsets = []
        for (k, s) in f.slots.enumerated() {
            guard used[k] else { offsets.append(0); continue }
            let a = max(1, min(8, s.alignment))
            total = (total + s.size + a - 1) / a * a
            offsets.append(-total)
        }
        size = (total + 7) / 8 * 8
    }
}
