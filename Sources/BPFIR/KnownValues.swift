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
    public private(set) var global: [VReg: KnownValue] = [:]
    public private(set) var entry: [[VReg: KnownValue]]
    let multiDef: Set<VReg>

    public init(_ f: Function) {
        let (_, defs) = f.useDefCounts()
        multiDef = Set(defs.filter { $0.value > 1 }.keys)
        entry = Array(repeating: [:], count: f.blocks.count)
        // Single-definition registers, to a fixpoint (definitions need not come in order).
        var changed = true
        while changed {
            changed = false
            for b in f.blocks {
                for i in b.instructions {
                    guard let d = i.inst.definedRegs.first, i.inst.definedRegs.count == 1, defs[d] == 1,
                          global[d] == nil, let v = evaluate(i.inst, in: [:]) else { continue }
                    global[d] = v
                    changed = true
                }
            }
        }
        guard !multiDef.isEmpty else { return }
        // Multi-definition registers: forward data flow in reverse post-order; the state
        // into a block is what all its already-visited predecessors agree on. A register
        // defined once from such values is then known everywhere, which may teach the
        // data flow more: a few rounds.
        let index = f.blockIndexByID
        let order = f.reversePostOrder()
        var preds = Array(repeating: [Int](), count: f.blocks.count)
        for (i, b) in f.blocks.enumerated() {
            for s in b.terminator.successors { if let j = index[s] { preds[j].append(i) } }
        }
        for _ in 0..<3 {
            flow(f, order: order, preds: preds)
            var learned = false
            for bi in order {
                var s = entry[bi]
                for i in f.blocks[bi].instructions {
                    if let d = i.inst.definedRegs.first, i.inst.definedRegs.count == 1, defs[d] == 1, global[d] == nil,
                       let v = evaluate(i.inst, in: s) {
                        global[d] = v
                        learned = true
                    }
                    step(i.inst, &s)
                }
            }
            if !learned { break }
        }
    }

    private mutating func flow(_ f: Function, order: [Int], preds: [[Int]]) {
        var out: [[VReg: KnownValue]?] = Array(repeating: nil, count: f.blocks.count)
        var changed = true
        while changed {
            changed = false
            for bi in order {
                var state: [VReg: KnownValue]? = nil
                for p in preds[bi] {
                    guard let o = out[p] else { continue }
                    state = state.map { s in s.filter { o[$0.key] == $0.value } } ?? o
                }
                let into = bi == 0 ? [:] : (state ?? [:])
                entry[bi] = into
                var s = into
                for i in f.blocks[bi].instructions { step(i.inst, &s) }
                if out[bi] != s { out[bi] = s; changed = true }
            }
        }
    }

    /// The value of an operand under `state` (the multi-definition registers known at
    /// this point).
    public func value(_ o: Operand, in state: [VReg: KnownValue]) -> KnownValue? {
        switch o {
        case .imm(let k): return .int(UInt64(bitPattern: k))
        case .reg(let r): return global[r] ?? state[r]
        }
    }

    /// Carries `state` past one instruction.
    public func step(_ inst: Inst, _ state: inout [VReg: KnownValue]) {
        for d in inst.definedRegs where global[d] == nil {
            if inst.definedRegs.count == 1, let v = evaluate(inst, in: state) { state[d] = v } else { state[d] = nil }
        }
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
            case (.slot(let s, let o)?, .int(let k)?) where w == .w64 && (op == .add || op == .sub):
                let d = Int64(bitPattern: k)
                guard abs(d) < 1 << 30 else { return nil }
                return .slot(s, offset: op == .add ? o + Int(d) : o - Int(d))
            case (.int(let k)?, .slot(let s, let o)?) where w == .w64 && op == .add:
                let d = Int64(bitPattern: k)
                guard abs(d) < 1 << 30 else { return nil }
                return .slot(s, offset: o + Int(d))
            case (.slot(let s1, let o1)?, .slot(let s2, let o2)?) where w == .w64 && op == .sub && s1 == s2:
                return .int(UInt64(bitPattern: Int64(o1 - o2)))
            default:
                return nil
            }
        default:
            guard let x = ConstantFolding.evaluate(inst, { value($0, in: state)?.int }) else { return nil }
            return .int(x)
        }
    }

    /// The outcome of a branch whose operands are known: constants compare as eBPF
    /// does; two addresses in one slot compare by offset (the frame does not wrap);
    /// a stack address is never null.
    public func decide(_ t: Terminator, in state: [VReg: KnownValue]) -> Bool? {
        guard case .branch(let cc, let l, let r, let w, _, _) = t,
              let a = value(.reg(l), in: state), let b = value(r, in: state) else { return nil }
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

public extension Function {
    /// Block indices in reverse post-order from the entry (unreachable blocks last).
    func reversePostOrder() -> [Int] {
        let index = blockIndexByID
        var seen = Set<Int>(), post: [Int] = []
        var stack: [(Int, Int)] = []
        if !blocks.isEmpty { stack.append((0, 0)); seen.insert(0) }
        while let (b, k) = stack.last {
            let succ = blocks[b].terminator.successors
            if k < succ.count {
                stack[stack.count - 1].1 += 1
                if let j = index[succ[k]], seen.insert(j).inserted { stack.append((j, 0)) }
            } else {
                post.append(b); stack.removeLast()
            }
        }
        return post.reversed() + blocks.indices.filter { !seen.contains($0) }
    }
}
