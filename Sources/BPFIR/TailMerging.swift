/// Tail merging: blocks that do the same thing and go to the same place become one
/// (clang's common-code sinking). An unrolled search loop that counts a hit, prints and
/// returns in every iteration keeps one copy of that code; the branches that differed
/// only in where they went then become equal in turn, so the pass repeats.
///
/// Two blocks have the same shape when their instructions and terminators are equal once
/// - the registers local to each (defined there before any use and dead at its end) are
///   named by order of appearance, and
/// - the registers each only reads, and the constants of copies, stores and arithmetic,
///   are taken as parameters.
/// Blocks of one shape merge into the first: where their parameters differ, each
/// predecessor sets a fresh register to its block's value before it jumps (the merged
/// block reads that register), when the copies cost less than the instructions saved.
/// Entering the kept block from the others' predecessors is then exact: its locals are
/// dead wherever it ends, it reads what the other read and leaves every other register as
/// the other did.
public enum TailMerging {
    /// Rounds of merging (each can make predecessors of merged blocks equal).
    static let maxRounds = 8

    struct Shape: Hashable {
        var instructions: [Inst]
        var terminator: Terminator
    }

    /// A block's parameters: the registers it only reads (in order of first reading) and
    /// its parameterizable constants (in order).
    struct Parameters: Equatable {
        var registers: [VReg] = []
        var constants: [Int64] = []
        var values: [Operand] { registers.map { .reg($0) } + constants.map { .imm($0) } }
    }

    public static func run(_ f: Function) -> Function {
        var f = f
        for _ in 0..<maxRounds {
            guard let next = mergeOnce(f) else { break }
            f = CFGSimplify.removeUnreachable(next)
        }
        return f
    }

    static func mergeOnce(_ f: Function) -> Function? {
        var f = f
        let live = Liveness(f)
        let preds = f.flowGraph.predecessors
        var groups: [Shape: [Int]] = [:]
        var parameters: [Int: Parameters] = [:]
        for i in f.blocks.indices where i != 0 {
            // Blocks that only jump are CFGSimplify's.
            if f.blocks[i].instructions.isEmpty, case .jump = f.blocks[i].terminator { continue }
            let (shape, params) = shape(of: f.blocks[i], liveOut: live.liveOut[i])
            groups[shape, default: []].append(i)
            parameters[i] = params
        }
        var redirect: [BlockID: BlockID] = [:]
        var touched: Set<Int> = []
        for members in groups.values.filter({ $0.count > 1 }).sorted(by: { $0[0] < $1[0] }) {
            let kept = members[0]
            let keptValues = parameters[kept]!.values
            // Parameters that differ between the members.
            var differing: [Int] = []
            for k in keptValues.indices where members.contains(where: { parameters[$0]!.values[k] != keptValues[k] }) {
                differing.append(k)
            }
            let involved = members + members.flatMap { preds[$0] }
            if involved.contains(where: touched.contains) { continue }
            if !differing.isEmpty {
                // Each predecessor feeds one member only, and no member is its own.
                var seen: Set<Int> = []
                let all = members.flatMap { preds[$0] }
                guard all.allSatisfy({ seen.insert($0).inserted }), !members.contains(where: { preds[$0].contains($0) }) else { continue }
                let saved = (members.count - 1) * (f.blocks[kept].instructions.count + 1)
                guard differing.count * all.count < saved else { continue }
                var fresh: [Int: VReg] = [:]
                for k in differing { fresh[k] = VReg(f.nextVReg); f.nextVReg += 1 }
                for m in members {
                    let values = parameters[m]!.values
                    for p in preds[m] {
                        for k in differing {
                            f.blocks[p].instructions.append(Instruction(.mov(dst: fresh[k]!, src: values[k], width: .w64)))
                        }
                    }
                }
                f.blocks[kept] = substituting(f.blocks[kept], liveOut: live.liveOut[kept], fresh)
            }
            touched.formUnion(involved)
            for m in members.dropFirst() { redirect[f.blocks[m].id] = f.blocks[kept].id }
        }
        guard !redirect.isEmpty else { return nil }
        for i in f.blocks.indices {
            switch f.blocks[i].terminator {
            case .jump(let t): f.blocks[i].terminator = .jump(redirect[t] ?? t)
            case .branch(let cc, let l, let r, let w, let t, let e):
                let tt = redirect[t] ?? t, ee = redirect[e] ?? e
                f.blocks[i].terminator = tt == ee ? .jump(tt) : .branch(cc, lhs: l, rhs: r, width: w, then: tt, else: ee)
            default: break
            }
        }
        return f
    }

    /// Negative register ids name locals and parameters in shapes (no real register has one).
    static func localName(_ k: Int) -> VReg { VReg(-1 - k) }
    static func registerParameter(_ k: Int) -> VReg { VReg(-100_000 - k) }
    static func constantParameter(_ k: Int) -> VReg { VReg(-200_000 - k) }

    static func shape(of b: Block, liveOut: RegSet) -> (Shape, Parameters) {
        var local: [VReg: VReg] = [:]
        var defined: Set<VReg> = []
        var seen: Set<VReg> = []
        for i in b.instructions {
            i.inst.forEachUse { seen.insert($0) }
            i.inst.forEachDef { d in
                if !seen.contains(d) && !liveOut.contains(d) && local[d] == nil { local[d] = localName(local.count) }
                seen.insert(d)
                defined.insert(d)
            }
        }
        var params = Parameters()
        var readOnly: [VReg: VReg] = [:]
        func noteReads(_ regs: [VReg]) {
            for r in regs where !defined.contains(r) && readOnly[r] == nil {
                readOnly[r] = registerParameter(params.registers.count)
                params.registers.append(r)
            }
        }
        for i in b.instructions { noteReads(i.inst.usedRegs) }
        noteReads(b.terminator.usedRegs)
        var instructions = b.instructions.map(\.inst)
        var terminator = b.terminator
        for (r, name) in local.merging(readOnly, uniquingKeysWith: { a, _ in a }) {
            for k in instructions.indices {
                instructions[k] = instructions[k].replacingUses(of: r, with: name).replacingDefs(of: r, with: name)
            }
            terminator = terminator.replacingUses(of: r, with: name)
        }
        for k in instructions.indices {
            instructions[k] = replacingConstant(instructions[k]) { c in
                params.constants.append(c)
                return constantParameter(params.constants.count - 1)
            }
        }
        return (Shape(instructions: instructions, terminator: terminator), params)
    }

    /// The kept block reading `fresh[k]` for each differing parameter k.
    static func substituting(_ b: Block, liveOut: RegSet, _ fresh: [Int: VReg]) -> Block {
        let (_, params) = shape(of: b, liveOut: liveOut)
        var b = b
        for (k, r) in params.registers.enumerated() {
            guard let to = fresh[k] else { continue }
            for i in b.instructions.indices { b.instructions[i].inst = b.instructions[i].inst.replacingUses(of: r, with: to) }
            b.terminator = b.terminator.replacingUses(of: r, with: to)
        }
        var constant = params.registers.count
        for i in b.instructions.indices {
            b.instructions[i].inst = replacingConstant(b.instructions[i].inst) { _ in
                defer { constant += 1 }
                return fresh[constant] ?? VReg(Int.min)
            }
        }
        return b
    }

    /// The instruction with its parameterizable constant (the value of a copy or store,
    /// the right operand of arithmetic) read from the register `name` gives, unless that
    /// is `VReg(Int.min)` (keep the constant).
    static func replacingConstant(_ inst: Inst, _ name: (Int64) -> VReg) -> Inst {
        func operand(_ c: Int64) -> Operand {
            let r = name(c)
            return r == VReg(Int.min) ? .imm(c) : .reg(r)
        }
        switch inst {
        case .mov(let d, .imm(let c), let w): return .mov(dst: d, src: operand(c), width: w)
        case .store(let base, let off, .imm(let c), let w): return .store(base: base, offset: off, value: operand(c), width: w)
        case .binary(let op, let d, let l, .imm(let c), let w): return .binary(op, dst: d, lhs: l, rhs: operand(c), width: w)
        default: return inst
        }
    }
}
