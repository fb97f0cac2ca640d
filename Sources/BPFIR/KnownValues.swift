/// What the optimizer can know about a register's value at a program point: a
/// constant, or an address inside a stack slot (the frame pointer r10 is unknown
/// until codegen lays the frame out, but two addresses in one slot compare and
/// subtract by their offsets).
public enum KnownValue: Hashable, Sendable {
    case int(UInt64)
    case slot(Int, offset: Int)

    public var int: UInt64? { if case .int(let v) = self { return v }; return nil }
}

/// Constant and stack-address propagation over a function whose registers are not
/// SSA. Registers defined once are known everywhere once their definition is
/// (flow-insensitively); the others (C locals assigned in several places, loop
/// variables and what is computed from them) are tracked flow-sensitively:
/// `entry[i]` holds those known on every path into block i, and `step` carries a
/// state through an instruction.
public struct KnownValues {
    /// Values of registers known everywhere, by register id.
    private var global: [KnownValue?]
    public private(set) var entry: [[VReg: KnownValue]]

    public init(_ f: Function) {
        let (_, defs) = f.useDefCounts()
        global = Array(filled: nil, count: defs.counts.count)
        entry = Array(filled: [:], count: f.blocks.count)
        // Single-definition registers, to a fixpoint (definitions need not come in order).
        var pending: [(VReg, Inst)] = []
        var multiDef = false
        for b in f.blocks {
            for i in b.instructions {
                i.inst.forEachDef { if defs[$0] > 1 { multiDef = true } }
                guard let d = i.inst.singleDef, defs[d] == 1 else { continue }
                switch i.inst {
                case .mov, .binary, .neg, .ext, .bswap, .slotAddr, .loadImm64: pending.append((d, i.inst))
                default: break
                }
            }
        }
        var progress = true
        while progress && !pending.isEmpty {
            progress = false
            pending.removeAll { d, inst in
                guard let v = evaluate(inst, in: [:]) else { return false }
                global[d.id] = v
                progress = true
                return true
            }
        }
        guard multiDef else { return }
        // The other registers: forward data flow in reverse post-order; the state into a
        // block is what all its already-visited predecessors agree on. A register defined
        // once from such values is then known everywhere, which may teach the data flow
        // more: a few rounds.
        let order = f.reversePostOrder()
        let (succs, preds) = f.flowGraph
        for _ in 0..<3 {
            flow(f, order: order, preds: preds, succs: succs)
            var learned = false
            for bi in order {
                var s = entry[bi]
                for i in f.blocks[bi].instructions {
                    let v = step(i.inst, &s)
                    if let v = v, let d = i.inst.singleDef, defs[d] == 1, global[d.id] == nil {
                        global[d.id] = v
                        learned = true
                    }
                }
            }
            if !learned { break }
        }
    }

    /// Forward data flow to a fixpoint: blocks are visited in reverse post-order, again
    /// only when what flows into them changed.
    private mutating func flow(_ f: Function, order: [Int], preds: [[Int]], succs: [[Int]]) {
        var out: [[VReg: KnownValue]?] = Array(filled: nil, count: f.blocks.count)
        var dirty = Array(filled: true, count: f.blocks.count)
        var position = Array(filled: 0, count: f.blocks.count)
        for (k, b) in order.enumerated() { position[b] = k }
        var again = true
        while again {
            again = false
            for bi in order where dirty[bi] {
                dirty[bi] = false
                var state: [VReg: KnownValue]? = nil
                for p in preds[bi] {
                    guard let o = out[p] else { continue }
                    state = state.map { $0.agreeing(with: o) } ?? o
                }
                let into = bi == 0 ? [:] : (state ?? [:])
                entry[bi] = into
                var s = into
                for i in f.blocks[bi].instructions { step(i.inst, &s) }
                if out[bi] != s {
                    out[bi] = s
                    for j in succs[bi] {
                        dirty[j] = true
                        if position[j] <= position[bi] { again = true }
                    }
                }
            }
        }
    }

    func known(_ r: VReg) -> KnownValue? { r.id < global.count ? global[r.id] : nil }

    /// `f` with each instruction (and terminator) replaced by what `instruction` makes of
    /// it, given what it computes and what its registers hold just before it (and, for a
    /// terminator, whether its branch is decided).
    public func rewriting(_ f: Function,
                          instruction: (Inst, _ result: KnownValue?, _ value: (VReg) -> KnownValue?) -> Inst,
                          terminator: (Terminator, _ decided: Bool?, _ value: (VReg) -> KnownValue?) -> Terminator = { t, _, _ in t }) -> Function {
        var f = f
        for bi in f.blocks.indices {
            var state = entry[bi]
            for ii in f.blocks[bi].instructions.indices {
                let inst = f.blocks[bi].instructions[ii].inst
                let result = inst.singleDef != nil ? evaluate(inst, in: state) : nil
                f.setInst(bi, ii, instruction(inst, result) { value(.reg($0), in: state) })
                step(inst, &state)
            }
            let t = f.blocks[bi].terminator
            f.setTerminator(bi, terminator(t, decide(t, in: state)) { value(.reg($0), in: state) })
        }
        return f
    }

    /// The value of an operand under `state` (what is known at this point of the
    /// registers that are not known everywhere).
    public func value(_ o: Operand, in state: [VReg: KnownValue]) -> KnownValue? {
        switch o {
        case .imm(let k): return .int(UInt64(bitPattern: k))
        case .reg(let r): return known(r) ?? state[r]
        }
    }

    /// Carries `state` past one instruction; returns the value it computes, if known.
    @discardableResult
    public func step(_ inst: Inst, _ state: inout [VReg: KnownValue]) -> KnownValue? {
        guard let d = inst.singleDef else {
            inst.forEachDef { if known($0) == nil { state[$0] = nil } }
            return nil
        }
        if let g = known(d) { return g }
        let v = evaluate(inst, in: state)
        state[d] = v
        return v
    }

    /// The value an instruction computes when its operands are known.
    public func evaluate(_ inst: Inst, in state: [VReg: KnownValue]) -> KnownValue? {
        func v(_ r: VReg) -> KnownValue? { value(.reg(r), in: state) }
        switch inst {
        case .slotAddr(_, let s, let o):
            return .slot(s, offset: o)
        case .mov(_, let s, let w):
            switch value(s, in: state) {
            case .int(let x)?: return .int(w == .w64 ? x : x & 0xffff_ffff)
            case let a? where w == .w64: return a
            default: return nil
            }
        case .binary(let op, _, let l, let r, let w):
            switch (v(l), value(r, in: state)) {
            case (.int(let a)?, .int(let b)?):
                return .int(op.evaluate(a, b, width: w))
            case (.int(0)?, _) where op == .mul || op == .and, (_, .int(0)?) where op == .mul || op == .and:
                return .int(0)
            // A zero dividend or shifted value: eBPF's division by zero gives 0, its
            // remainder the dividend, 0.
            case (.int(let a)?, _) where a & w.mask == 0 && (w == .w32 || w == .w64)
                && [.udiv, .sdiv, .urem, .srem, .shl, .lshr, .ashr].contains(op):
                return .int(0)
            case (.slot(let s, let o)?, .int(let k)?) where w == .w64 && (op == .add || op == .sub):
                let d = Int64(bitPattern: k)
                guard d.magnitude < 1 << 30 else { return nil }
                return .slot(s, offset: op == .add ? o + Int(d) : o - Int(d))
            case (.int(let k)?, .slot(let s, let o)?) where w == .w64 && op == .add:
                let d = Int64(bitPattern: k)
                guard d.magnitude < 1 << 30 else { return nil }
                return .slot(s, offset: o + Int(d))
            case (.slot(let s1, let o1)?, .slot(let s2, let o2)?) where w == .w64 && op == .sub && s1 == s2:
                return .int(UInt64(bitPattern: Int64(o1 - o2)))
            default:
                return nil
            }
        case .loadImm64(_, let k):
            return .int(UInt64(bitPattern: k))
        case .neg(_, let s, let w):
            return v(s)?.int.map { .int(w == .w64 ? 0 &- $0 : (0 &- $0) & 0xffff_ffff) }
        case .ext(_, let s, let from, let to, let signed):
            return v(s)?.int.map { .int(to.extend(from.extend($0, signed: signed), signed: false)) }
        case .bswap(_, let s, let w):
            guard let x = v(s)?.int else { return nil }
            switch w {
            case .w16: return .int(UInt64(UInt16(truncatingIfNeeded: x).byteSwapped))
            case .w32: return .int(UInt64(UInt32(truncatingIfNeeded: x).byteSwapped))
            default: return .int(x.byteSwapped)
            }
        default:
            return nil
        }
    }

    /// The outcome of a branch whose operands are known: constants compare as eBPF
    /// does; two addresses in one slot compare by offset (the frame does not wrap);
    /// a stack address is never null.
    public func decide(_ t: Terminator, in state: [VReg: KnownValue]) -> Bool? {
        guard case .branch(let cc, let l, let r, let w, _, _) = t else { return nil }
        // A register against itself (`a0 > a0`), whatever it holds.
        if case .reg(l) = r, cc != .set { return cc.evaluate(0, 0, width: w) }
        guard let a = value(.reg(l), in: state), let b = value(r, in: state) else { return nil }
        switch (a, b) {
        case (.int(let x), .int(let y)):
            return cc.evaluate(x, y, width: w)
        case (.slot(let s1, let o1), .slot(let s2, let o2)) where s1 == s2 && w == .w64:
            switch cc {
            case .eq: return o1 == o2
            case .ne: return o1 != o2
            case .ult, .slt: return o1 < o2
            case .ule, .sle: return o1 <= o2
            case .ugt, .sgt: return o1 > o2
            case .uge, .sge: return o1 >= o2
            case .set: return nil
            }
        case (.slot, .int(0)), (.int(0), .slot):
            return w == .w64 && (cc == .eq || cc == .ne) ? cc == .ne : nil
        default:
            return nil
        }
    }
}
