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
        var f = f
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
