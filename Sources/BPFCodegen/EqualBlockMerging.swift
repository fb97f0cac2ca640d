import BPFIR

/// After register allocation, blocks that are the same code — the same instructions and
/// terminator once every value is named by its register — are one block: branches to the
/// others go to the first (in block order), and merging repeats while that makes more
/// blocks equal. Two CO-RE or map checks that each end in `*v += 64; return HIT;` with
/// the value in r0 and the sum in r1 keep one copy (clang's branch folding, which also
/// runs after allocation). `TailMerging` merges blocks before allocation, where the
/// values still differ by name and a merge needs copies in the predecessors.
///
/// Then blocks that only end the same way share the end (clang's tail merging): two
/// blocks with the same terminator whose last instructions are the same code keep one
/// copy of them — in one of the two when it is all that block does (the other jumps
/// there), else in a new block both jump to — when that saves instructions: two or more
/// in the first case, three or more in the second (each side may cost a jump).
enum EqualBlockMerging {
    /// A block's code with every value named by its register.
    struct Shape: Hashable { var code: [Inst]; var terminator: Terminator }

    static func run(_ f: Function, assignment: [VReg: UInt8]) -> Function {
        // A value the allocator gave no register (defined, never read) stays apart.
        func physical(_ v: VReg) -> VReg { assignment[v].map { VReg(Int($0)) } ?? VReg(1000 + v.id) }
        func operand(_ o: Operand) -> Operand { if case .reg(let v) = o { return .reg(physical(v)) }; return o }
        func shape(_ b: Block) -> Shape {
            let term: Terminator
            switch b.terminator {
            case .branch(let cc, let l, let r, let w, let t, let e):
                term = .branch(cc, lhs: physical(l), rhs: operand(r), width: w, then: t, else: e)
            case .ret(let o?): term = .ret(operand(o))
            default: term = b.terminator
            }
            return Shape(code: b.instructions.map { $0.inst.renaming(physical) }, terminator: term)
        }
        var g = f
        while g.blocks.count > 2 {
            var first: [Shape: Int] = [:]
            var target: [BlockID: BlockID] = [:]
            for (i, b) in g.blocks.enumerated() where i > 0 {      // the entry stays where it is
                let s = shape(b)
                if let k = first[s] {
                    target[b.id] = g.blocks[k].id
                    if !b.unlikely { g.blocks[k].unlikely = false }
                } else {
                    first[s] = i
                }
            }
            guard !target.isEmpty else { break }
            g.blocks = g.blocks.filter { target[$0.id] == nil }
            for i in g.blocks.indices {
                g.blocks[i].terminator = g.blocks[i].terminator.mappingTargets { target[$0] ?? $0 }
            }
        }
        while let shared = sharingOneTail(g, g.blocks.map(shape)) { g = shared }
        return g
    }

    /// `f` with the longest end two blocks share kept once (see above), nil when no two
    /// blocks share one worth it. `shapes`: the blocks' code in registers.
    static func sharingOneTail(_ f: Function, _ shapes: [Shape]) -> Function? {
        // Only blocks whose last two instructions and terminator agree can share two or more.
        struct End: Hashable { var last: [Inst]; var terminator: Terminator }
        var byEnd: [End: [Int]] = [:]
        for (i, s) in shapes.enumerated() where s.code.count >= 2 {
            byEnd[End(last: Array(s.code.suffix(2)), terminator: s.terminator), default: []].append(i)
        }
        var best: (a: Int, b: Int, length: Int)? = nil
        for group in byEnd.values where group.count > 1 {
            for x in 0..<group.count {
                for y in (x + 1)..<group.count {
                    let a = group[x], b = group[y], p = shapes[a].code, q = shapes[b].code
                    var n = 0
                    while n < p.count && n < q.count && p[p.count - 1 - n] == q[q.count - 1 - n] { n += 1 }
                    // All of a block other than the entry: the other one jumps to it.
                    let whole = (n == p.count && a != 0) || (n == q.count && b != 0)
                    guard n >= (whole ? 2 : 3), n > (best?.length ?? 0) else { continue }
                    best = (a, b, n)
                }
            }
        }
        guard let (a, b, n) = best else { return nil }
        var g = f
        func cut(_ i: Int, to target: BlockID) {
            g.blocks[i].instructions.removeLast(n)
            g.blocks[i].terminator = .jump(target)
        }
        if shapes[a].code.count == n && a != 0 {
            cut(b, to: f.blocks[a].id)
        } else if shapes[b].code.count == n && b != 0 {
            cut(a, to: f.blocks[b].id)
        } else {
            let tail = f.unusedBlockID
            var t = Block(id: tail, instructions: Array(f.blocks[a].instructions.suffix(n)), terminator: f.blocks[a].terminator,
                          terminatorLocation: f.blocks[a].terminatorLocation)
            t.unlikely = f.blocks[a].unlikely && f.blocks[b].unlikely
            cut(a, to: tail)
            cut(b, to: tail)
            g.blocks.insert(t, at: b + 1)
        }
        return g
    }
}
