import BPFIR

/// After register allocation, blocks that are the same code — the same instructions and
/// terminator once every value is named by its register — are one block: branches to the
/// others go to the first (in block order), and merging repeats while that makes more
/// blocks equal. Two CO-RE or map checks that each end in `*v += 64; return HIT;` with
/// the value in r0 and the sum in r1 keep one copy (clang's branch folding, which also
/// runs after allocation). `TailMerging` merges blocks before allocation, where the
/// values still differ by name and a merge needs copies in the predecessors.
enum EqualBlockMerging {
    static func run(_ f: Function, assignment: [VReg: UInt8]) -> Function {
        // A value the allocator gave no register (defined, never read) stays apart.
        func physical(_ v: VReg) -> VReg { assignment[v].map { VReg(Int($0)) } ?? VReg(1000 + v.id) }
        func operand(_ o: Operand) -> Operand { if case .reg(let v) = o { return .reg(physical(v)) }; return o }
        struct Shape: Hashable { var instructions: [Inst]; var terminator: Terminator }
        func shape(_ b: Block) -> Shape {
            let term: Terminator
            switch b.terminator {
            case .branch(let cc, let l, let r, let w, let t, let e):
                term = .branch(cc, lhs: physical(l), rhs: operand(r), width: w, then: t, else: e)
            case .ret(let o?): term = .ret(operand(o))
            default: term = b.terminator
            }
            return Shape(instructions: b.instructions.map { $0.inst.renaming(physical) }, terminator: term)
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
        return g
    }
}
