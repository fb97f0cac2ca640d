/// A register assigned only constants and read once, by an operation with constant
/// operands (`(c ? 1 : 0) << 3`), is assigned that operation's results instead, and the
/// operation becomes a copy (clang's folding of an operation into a phi of constants).
///
/// A register assigned only constants and read only by branches against constants
/// (an unrolled search loop's counter: `len = 0; ... len = 16;` then `len > 0 &&
/// len < 16`) is replaced by one register per distinct test, holding that test's
/// outcome for each constant (0 or 1), as clang folds a comparison into the phi of
/// its constants. The outcomes are the same on most paths where the counter's values
/// all differed, so `RedundantConstants` drops most of the assignments and the verifier
/// sees few distinct states where the paths meet. At most two tests: each costs a
/// move per assignment before the redundant ones go.
public enum ConstantPredicates {
    struct Test: Hashable { var cc: CondCode; var rhs: Int64; var width: Width }

    public static func run(_ f: Function) -> Function {
        var f = foldingOperations(f)
        let (_, defs) = f.useDefCounts()
        // Per register: whether it still qualifies, its tests.
        var tests: [VReg: [Test]] = [:]
        var rejected = Set(f.parameters)
        for b in f.blocks {
            for i in b.instructions {
                switch i.inst {
                case .mov(let d, .imm, _) where defs[d] > 1:
                    if tests[d] == nil { tests[d] = [] }
                default:
                    i.inst.forEachDef { rejected.insert($0) }
                }
                i.inst.forEachUse { rejected.insert($0) }
            }
        }
        for b in f.blocks {
            guard case .branch(let cc, let l, let r, let w, _, _) = b.terminator else {
                b.terminator.usedRegs.forEach { rejected.insert($0) }
                continue
            }
            guard case .imm(let k) = r else { rejected.insert(l); if case .reg(let x) = r { rejected.insert(x) }; continue }
            let t = Test(cc: cc, rhs: k, width: w)
            if tests[l]?.contains(t) == false { tests[l]!.append(t) }
        }
        let chosen = tests.filter { !rejected.contains($0.key) && !$0.value.isEmpty && $0.value.count <= 2 }
        guard !chosen.isEmpty else { return f }
        var outcome: [VReg: [(Test, VReg)]] = [:]
        for (r, ts) in chosen.sorted(by: { $0.key < $1.key }) {
            outcome[r] = ts.map { ($0, f.newVReg()) }
        }
        for bi in f.blocks.indices {
            var out: [Instruction] = []
            for i in f.blocks[bi].instructions {
                guard case .mov(let d, .imm(let c), let w) = i.inst, let regs = outcome[d] else { out.append(i); continue }
                let value = w.extend(UInt64(bitPattern: c), signed: false)
                for (t, p) in regs {
                    let holds = t.cc.evaluate(value, UInt64(bitPattern: t.rhs), width: t.width)
                    out.append(Instruction(.mov(dst: p, src: .imm(holds ? 1 : 0), width: .w64), location: i.location))
                }
            }
            f.blocks[bi].instructions = out
            if case .branch(let cc, let l, .imm(let k), let w, let thenB, let elseB) = f.blocks[bi].terminator,
               let regs = outcome[l], let p = regs.first(where: { $0.0 == Test(cc: cc, rhs: k, width: w) })?.1 {
                f.blocks[bi].terminator = .branch(.ne, lhs: p, rhs: .imm(0), width: .w64, then: thenB, else: elseB)
            }
        }
        return RedundantConstants.run(f)
    }

    /// Registers assigned only constants (more than once) and read by nothing but the
    /// single operation that `result` can compute from each constant.
    static func foldingOperations(_ f: Function) -> Function {
        let (uses, defs) = f.useDefCounts()
        func result(of inst: Inst, _ c: UInt64) -> (VReg, UInt64)? {
            switch inst {
            case .binary(let op, let d, _, .imm(let k), let w) where w == .w32 || w == .w64:
                return (d, op.evaluate(c, UInt64(bitPattern: k), width: w))
            case .ext(let d, _, let from, let to, let signed):
                return (d, to.extend(from.extend(c, signed: signed), signed: false))
            case .neg(let d, _, let w):
                return (d, w == .w64 ? 0 &- c : (0 &- c) & 0xffff_ffff)
            default:
                return nil
            }
        }
        var constantOnly = Set<VReg>(), reader: [VReg: Inst] = [:]
        var other = Set(f.parameters)
        for b in f.blocks {
            for i in b.instructions {
                if case .mov(let d, .imm, _) = i.inst, defs[d] > 1 { constantOnly.insert(d) } else { i.inst.forEachDef { other.insert($0) } }
                if let r = i.inst.usedRegs.first, i.inst.usedRegs.count == 1, uses[r] == 1, result(of: i.inst, 0) != nil,
                   !i.inst.defines(r) {
                    reader[r] = i.inst
                }
            }
        }
        let folded = reader.filter { constantOnly.contains($0.key) && !other.contains($0.key) }
        guard !folded.isEmpty else { return f }
        var f = f
        for bi in f.blocks.indices {
            for ii in f.blocks[bi].instructions.indices {
                let inst = f.blocks[bi].instructions[ii].inst
                if case .mov(let d, .imm(let c), let w) = inst, let use = folded[d],
                   let (_, v) = result(of: use, w.extend(UInt64(bitPattern: c), signed: false)) {
                    f.blocks[bi].instructions[ii].inst = .mov(dst: d, src: .imm(Int64(bitPattern: v)), width: .w64)
                } else if let r = inst.usedRegs.first, let use = folded[r], use == inst, let (d, _) = result(of: inst, 0) {
                    f.blocks[bi].instructions[ii].inst = .mov(dst: d, src: .reg(r), width: .w64)
                }
            }
        }
        return f
    }
}

/// An assignment of a constant to a register that holds that constant on every path to
/// it (`KnownValues`' flow-sensitive state) is dropped. Registers assigned once are left
/// alone: their single value is known everywhere, before the assignment too.
public enum RedundantConstants {
    public static func run(_ f: Function) -> Function {
        let (_, defs) = f.useDefCounts()
        let known = KnownValues(f)
        var f = f
        for bi in f.blocks.indices {
            var state = known.entry[bi]
            var keep: [Instruction] = []
            for i in f.blocks[bi].instructions {
                if case .mov(let d, .imm, _) = i.inst, defs[d] > 1, let before = state[d],
                   known.evaluate(i.inst, in: state) == before {
                    continue
                }
                known.step(i.inst, &state)
                keep.append(i)
            }
            f.blocks[bi].instructions = keep
        }
        return f
    }
}
