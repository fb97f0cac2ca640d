#if canImport(Glibc)
import Glibc
#endif

/// A one-entry memo of an analysis of a function (use and definition counts, the flow
/// graph, liveness): the passes ask them of the same body one after another, and a
/// pass that changes nothing hands back its input's arrays (see `Function.setInst`).
///
/// A function is recognized by the identity of its `blocks` and `slots` arrays and its
/// other fields' values. The memo keeps the function it answered for, so no other array
/// can take those arrays' addresses; and while the memo shares them, a pass that changes
/// the body copies them first (copy on write), so an array recognized holds what the
/// answer was computed from. Tests compile on several threads at once: a lock guards
/// the entry.
final class AnalysisMemo<Value>: @unchecked Sendable {
    private var function: Function?
    private var value: Value?
    private let lock: UnsafeMutablePointer<pthread_mutex_t>

    init() {
        lock = .allocate(capacity: 1)
        pthread_mutex_init(lock, nil)
    }

    /// The analysis of `f`: the remembered one when `f` is the body it was made for, else
    /// `compute(f)` (remembered in its place).
    func value(for f: Function, _ compute: (Function) -> Value) -> Value {
        pthread_mutex_lock(lock)
        if let v = value, let known = function, known.isSame(as: f) {
            pthread_mutex_unlock(lock)
            return v
        }
        pthread_mutex_unlock(lock)
        let v = compute(f)
        pthread_mutex_lock(lock)
        function = f; value = v
        pthread_mutex_unlock(lock)
        return v
    }
}

extension Function {
    /// The same function: the same arrays of blocks and slots (not equal ones: the same
    /// storage) and equal other fields.
    func isSame(as g: Function) -> Bool {
        func same<T>(_ a: [T], _ b: [T]) -> Bool {
            a.count == b.count && a.withUnsafeBufferPointer { x in b.withUnsafeBufferPointer { y in x.baseAddress == y.baseAddress } }
        }
        return nextVReg == g.nextVReg && same(blocks, g.blocks) && same(slots, g.slots) && otherFieldsEqual(g)
    }
}
