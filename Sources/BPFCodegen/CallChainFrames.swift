import BPFIR

/// The verifier limits the stack of a whole chain of BPF-to-BPF calls, not only each
/// frame: the frames from a program's entry down to its deepest callee, each rounded up
/// (to 16 bytes when JIT-compiled, 32 otherwise), add up to 512 bytes at most, and a
/// function whose address is taken (a `bpf_loop` callback) counts as called there
/// ("combined stack size of 3 calls is 560. Too large": falco's `recvmmsg.bpf.c`, where
/// clang's frames add up to less). `FrameLayout` lays each frame out alone, keeping the
/// slots helpers fill apart while it fits; the functions on a chain over the limit are
/// compiled again with their frames packed as tightly as it can. So are the callers of a
/// sub-program that makes a tail call, where their frames add up to 256 bytes or more:
/// the verifier refuses such a chain ("tail_calls are not allowed when call stack of
/// previous frames is 320 bytes": inspektor-gadget's `ci/stacks` gadget, whose inlined
/// stack walk calls a `__noinline` function making a tail call; clang's frame is 208).
public enum CallChainFrames {
    /// Each function of a module compiled, in order: the compiled code or the error.
    public static func compile(_ functions: [Function], options: CodegenOptions) -> [Result<CompiledFunction, CodegenError>] {
        func compiled(_ f: Function, budget: Int?) -> Result<CompiledFunction, CodegenError> {
            do { return .success(try Codegen.compile(f, options: options, frameBudget: budget)) }
            catch let e as CodegenError { return .failure(e) }
            catch { return .failure(CodegenError("\(error)", location: f.location)) }
        }
        var results = functions.map { compiled($0, budget: nil) }
        guard functions.count > 1 else { return results }
        let over = overLimit(functions, sizes: results.map { (try? $0.get())?.stackSize ?? 0 })
        for i in over { results[i] = compiled(functions[i], budget: 0) }
        return results
    }

    /// For each function, the functions it calls or takes the address of.
    static func callees(_ functions: [Function]) -> [[Int]] {
        var index: [String: Int] = [:]
        for (i, f) in functions.enumerated() { index[f.name] = i }
        return functions.map { f in
            var out: Set<Int> = []
            f.forEachInstruction { _, inst in
                switch inst {
                case .call(_, .function(let name), _): if let j = index[name.string] { out.insert(j) }
                case .symbolAddr(_, let sym): if let j = index[sym.name] { out.insert(j) }
                default: break
                }
            }
            return out.sorted()
        }
    }

    /// Whether each function stands alone: it calls no function of the module, takes no
    /// function's address, and none calls it or takes its address (its code depends on
    /// no other function's, nor theirs on it).
    public static func standsAlone(_ functions: [Function]) -> [Bool] {
        let callees = self.callees(functions)
        var alone = callees.map(\.isEmpty)
        for c in callees { for j in c { alone[j] = false } }
        return alone
    }

    /// The stack a frame takes in a chain: its size rounded up to 32 bytes.
    static func rounded(_ size: Int) -> Int { (max(size, 1) + 31) / 32 * 32 }

    /// The stack the callers of a sub-program making a tail call may take, at most.
    static let tailCallLimit = 256

    /// Indices of the functions on some chain of calls whose frames (`sizes`) add up to
    /// more than the limit, or to `tailCallLimit` or more above a sub-program making a
    /// tail call.
    static func overLimit(_ functions: [Function], sizes: [Int]) -> [Int] {
        let callees = self.callees(functions)
        guard callees.contains(where: { !$0.isEmpty }) else { return [] }
        // The deepest chain from each function down (its own frame included); a call back
        // into a chain being measured (recursion, which the verifier refuses) adds nothing.
        var below = [Int?](repeating: nil, count: functions.count)
        var onPath = [Bool](repeating: false, count: functions.count)
        func depth(_ i: Int) -> Int {
            if let d = below[i] { return d }
            if onPath[i] { return 0 }
            onPath[i] = true
            let d = rounded(sizes[i]) + (callees[i].map(depth).max() ?? 0)
            onPath[i] = false
            below[i] = d
            return d
        }
        // The deepest chain of callers above each function, from any function.
        var above = [Int](repeating: 0, count: functions.count)
        for _ in functions.indices {
            var changed = false
            for i in functions.indices {
                for j in callees[i] where j != i && above[i] + rounded(sizes[i]) > above[j] {
                    above[j] = above[i] + rounded(sizes[i])
                    changed = true
                }
            }
            if !changed { break }
        }
        var over = Set(functions.indices.filter { above[$0] + depth($0) > FrameLayout.limit })
        for t in functions.indices where above[t] >= tailCallLimit && makesTailCall(functions[t]) {
            // Every function from which a chain of calls reaches `t`.
            var reaching: Set<Int> = [t], changed = true
            while changed {
                changed = false
                for i in functions.indices where !reaching.contains(i) && callees[i].contains(where: reaching.contains) {
                    reaching.insert(i)
                    changed = true
                }
            }
            over.formUnion(reaching.subtracting([t]))
        }
        return over.sorted()
    }

    static func makesTailCall(_ f: Function) -> Bool {
        var found = false
        f.forEachInstruction { _, inst in if case .call(_, .helper(12), _) = inst { found = true } }
        return found
    }
}
