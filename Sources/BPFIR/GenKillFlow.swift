/// A gen/kill data flow over a function's blocks, with sets of small numbers (`RegSet`),
/// solved to its least fixed point: a block's input is the union of the outputs of the
/// blocks it receives from (and `boundary` for the block given with it), its output is
/// its input less `kill`, plus `gen`. A forward flow (reaching definitions) receives from
/// predecessors, a backward one (liveness) from successors; `order` is the order blocks
/// are visited in each sweep (blocks not in it keep an empty input and `gen` as output).
public enum GenKillFlow {
    public static func solve(order: [Int], from: [[Int]], gen: [RegSet], kill: [RegSet], capacity: Int,
                             boundary: (block: Int, set: RegSet)? = nil) -> (input: [RegSet], output: [RegSet]) {
        var input = [RegSet](filled: RegSet(capacity: capacity), count: gen.count)
        var output = gen
        var changed = true
        while changed {
            changed = false
            for b in order {
                var into = b == boundary?.block ? boundary!.set : RegSet(capacity: capacity)
                for p in from[b] { into.formUnion(output[p]) }
                var out = into
                out.subtract(kill[b])
                out.formUnion(gen[b])
                input[b] = into
                if out != output[b] { output[b] = out; changed = true }
            }
        }
        return (input, output)
    }
}
