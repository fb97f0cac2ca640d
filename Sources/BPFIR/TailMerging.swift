/// Tail merging: blocks that do the same thing and go to the same place become one
/// (clang's common-code sinking). An unrolled search loop that counts a hit, prints and
/// returns in every iteration keeps one copy of that code; the branches that differed
/// only in where they went then become equal in turn, so the pass repeats.
///
/// Two blocks have the same shape when their instructions and terminators are equal once
/// - the registers local to each (defined there before any use and dead at its end) are
///   named by order of appearance, and
/// - the registers each only reads, the constants of copies, stores, arithmetic and call
///   arguments, and the symbols whose addresses it takes (maps, globals) are taken as
///   parameters.
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
        /// `signature(of:)` of the block: equal shapes have equal signatures, so hashing
        /// it and the terminator buckets shapes (and costs a fraction of hashing every
        /// instruction). The terminator tells apart the tests of an `else if` chain, which
        /// differ only in the constant compared with.
        var signature: Int

        func hash(into h: inout Hasher) { h.combine(signature); h.combine(terminator) }
    }

    /// What a predecessor passes for a parameter.
    enum Value: Equatable {
        case operand(Operand)
        case symbol(SymbolRef)

        /// The instruction that sets `r` to the value.
        func definition(of r: VReg) -> Inst {
            switch self {
            case .operand(let o): return .mov(dst: r, src: o, width: .w64)
            case .symbol(let s): return .symbolAddr(dst: r, symbol: s)
            }
        }

        /// The instruction slots that costs.
        var slots: Int { TailMerging.slots(definition(of: VReg(0))) }
    }

    /// A block's parameters: the registers it only reads (in order of first reading), then
    /// its parameterizable constants and symbols (in order).
    struct Parameters: Equatable {
        var registers: [VReg] = []
        var inline: [Value] = []
        var values: [Value] { registers.map { .operand(.reg($0)) } + inline }
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
        // Only blocks whose instruction kinds match another's can share a shape; most
        // blocks have none such, and then nothing needs liveness or shapes.
        var bySignature: [Int: Int] = [:]
        var candidates: [Int] = []
        var signatures = [Int](filled: 0, count: f.blocks.count)
        for i in f.blocks.indices where i != 0 {
            // Blocks that only jump are CFGSimplify's.
            if f.blocks[i].instructions.isEmpty, case .jump = f.blocks[i].terminator { continue }
            candidates.append(i)
            signatures[i] = signature(of: f.blocks[i])
            bySignature[signatures[i], default: 0] += 1
        }
        candidates.removeAll { bySignature[signatures[$0]]! < 2 }
        guard !candidates.isEmpty else { return nil }
        let live = Liveness(f)
        let preds = f.flowGraph.predecessors
        var groups: [Shape: [Int]] = [:]
        var parameters: [Int: Parameters] = [:]
        for i in candidates {
            let (shape, params) = shape(of: f.blocks[i], liveOut: live.liveOut[i], signature: signatures[i])
            groups[shape, default: []].append(i)
            parameters[i] = params
        }
        var redirect: [BlockID: BlockID] = [:]
        var touched: Set<Int> = []
        // Blocks made on edges, placed right before the block they enter (in block order, a
        // register they set then lives only from there on, not over the code between).
        var edgeBlocks: [Int: [Block]] = [:]
        var nextID = f.unusedBlockID.id
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
                guard !members.contains(where: { preds[$0].contains($0) }) else { continue }
                // A predecessor that feeds several members passes each its values on a
                // block of its own on that edge; the others set them before they branch.
                var feeds: [Int: Int] = [:]
                for m in members { for p in preds[m] { feeds[p, default: 0] += 1 } }
                let saved = (members.count - 1) * (slots(f.blocks[kept]) + 1)
                var cost = 0
                for m in members {
                    let copies = differing.reduce(0) { $0 + parameters[m]!.values[$1].slots }
                    for p in preds[m] { cost += copies + (feeds[p]! > 1 ? 1 : 0) }
                }
                guard cost < saved else { continue }
                var fresh: [Int: VReg] = [:]
                for k in differing { fresh[k] = VReg(f.nextVReg); f.nextVReg += 1 }
                for m in members {
                    let values = parameters[m]!.values
                    let copies = differing.map { Instruction(values[$0].definition(of: fresh[$0]!)) }
                    for p in preds[m].distinct.sorted() {
                        if feeds[p]! == 1 {
                            f.blocks[p].instructions += copies
                            continue
                        }
                        let edge = BlockID(nextID); nextID += 1
                        edgeBlocks[kept, default: []].append(Block(id: edge, instructions: copies, terminator: .jump(f.blocks[kept].id),
                                                                   terminatorLocation: f.blocks[m].terminatorLocation))
                        let member = f.blocks[m].id
                        f.blocks[p].terminator = f.blocks[p].terminator.mappingTargets { $0 == member ? edge : $0 }
                    }
                }
                f.blocks[kept] = substituting(f.blocks[kept], parameters[kept]!, fresh)
            }
            touched.formUnion(involved)
            for m in members.dropFirst() { redirect[f.blocks[m].id] = f.blocks[kept].id }
        }
        guard !redirect.isEmpty else { return nil }
        if !edgeBlocks.isEmpty {
            f.blocks = f.blocks.indices.flatMap { (edgeBlocks[$0] ?? []) + [f.blocks[$0]] }
        }
        for i in f.blocks.indices {
            f.blocks[i].terminator = f.blocks[i].terminator.mappingTargets { redirect[$0] ?? $0 }
        }
        return f
    }

    /// Negative register ids name locals and parameters in shapes (no real register has one).
    static func localName(_ k: Int) -> VReg { VReg(-1 - k) }
    static func registerParameter(_ k: Int) -> VReg { VReg(-100_000 - k) }
    static func inlineParameter(_ k: Int) -> VReg { VReg(-200_000 - k) }

    /// Instruction slots of an instruction (a 64-bit constant or address takes two).
    static func slots(_ inst: Inst) -> Int {
        switch inst {
        case .symbolAddr, .loadImm64: return 2
        case .mov(_, .imm(let k), _) where !k.fitsImm32: return 2
        default: return 1
        }
    }

    static func slots(_ b: Block) -> Int { b.instructions.reduce(0) { $0 + slots($1.inst) } }

    /// The kinds of a block's instructions and of its terminator, as a number: equal for
    /// blocks of one shape (a symbol's address counts as the copy its shape makes of it).
    static func signature(of b: Block) -> Int {
        let movKind = Inst.mov(dst: VReg(0), src: .imm(0), width: .w64).kindNumber
        var h = b.instructions.count
        for i in b.instructions {
            if case .symbolAddr = i.inst { h = h &* 31 &+ movKind } else { h = h &* 31 &+ i.inst.kindNumber }
        }
        switch b.terminator {
        case .jump: return h &* 31 &+ 1
        case .branch: return h &* 31 &+ 2
        case .ret: return h &* 31 &+ 3
        case .unreachable: return h &* 31 &+ 4
        }
    }

    static func shape(of b: Block, liveOut: RegSet, signature: Int) -> (Shape, Parameters) {
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
        let names = local.merging(readOnly, uniquingKeysWith: { a, _ in a })
        for k in instructions.indices { instructions[k] = instructions[k].renaming { names[$0] ?? $0 } }
        for u in terminator.usedRegs.distinct { if let name = names[u] { terminator = terminator.replacingUses(of: u, with: name) } }
        for k in instructions.indices {
            instructions[k] = replacingParameter(instructions[k]) { v in
                params.inline.append(v)
                return inlineParameter(params.inline.count - 1)
            }
        }
        return (Shape(instructions: instructions, terminator: terminator, signature: signature), params)
    }

    /// The kept block reading `fresh[k]` for each differing parameter k.
    static func substituting(_ b: Block, _ params: Parameters, _ fresh: [Int: VReg]) -> Block {
        var b = b
        for (k, r) in params.registers.enumerated() {
            guard let to = fresh[k] else { continue }
            for i in b.instructions.indices { b.instructions[i].inst = b.instructions[i].inst.replacingUses(of: r, with: to) }
            b.terminator = b.terminator.replacingUses(of: r, with: to)
        }
        var position = params.registers.count
        for i in b.instructions.indices {
            b.instructions[i].inst = replacingParameter(b.instructions[i].inst) { _ in
                defer { position += 1 }
                return fresh[position]
            }
        }
        return b
    }

    /// The instruction with its parameterizable constants (the value of a copy or store,
    /// the right operand of arithmetic, call arguments) and symbol address read from the
    /// registers `name` gives instead, unless it gives nil (that operand stays).
    static func replacingParameter(_ inst: Inst, _ name: (Value) -> VReg?) -> Inst {
        switch inst {
        case .mov(let d, .imm(let c), let w):
            return name(.operand(.imm(c))).map { .mov(dst: d, src: .reg($0), width: w) } ?? inst
        case .store(let base, let off, .imm(let c), let w):
            return name(.operand(.imm(c))).map { .store(base: base, offset: off, value: .reg($0), width: w) } ?? inst
        case .binary(let op, let d, let l, .imm(let c), let w):
            return name(.operand(.imm(c))).map { .binary(op, dst: d, lhs: l, rhs: .reg($0), width: w) } ?? inst
        case .symbolAddr(let d, let sym):
            return name(.symbol(sym)).map { .mov(dst: d, src: .reg($0), width: .w64) } ?? inst
        case .call(let d, let callee, let args):
            return .call(dst: d, callee: callee, args: OperandList(args.map { a in
                guard case .imm(let c) = a, let r = name(.operand(.imm(c))) else { return a }
                return .reg(r)
            }))
        default: return inst
        }
    }
}
