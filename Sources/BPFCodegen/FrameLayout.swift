import BPFIR

/// r10-relative offsets of a function's stack slots (including spill slots).
struct FrameLayout {
    var offsets: [Int]       // negative offsets from r10, one per slot
    var size: Int

    static let limit = 512

    init(_ f: Function) {
        var total = 0
        offsets = []
        for s in f.slots {
            let a = max(1, min(8, s.alignment))
            total = (total + s.size + a - 1) / a * a
            offsets.append(-total)
        }
        size = (total + 7) / 8 * 8
    }
}
