/// A 0-or-1 value chosen by a test of one bit (`o = !(a & 1)`, `o = (a & 8) != 0`,
/// `flag = !flag` on a one-bit bitfield) is that bit shifted down, flipped where the
/// test is negated: `x >> k & 1`, `^ 1` — no branch, as clang's selects of compares
/// become. The verifier then walks one path where it walked two, for everything after
/// the test until the paths would have met and pruned (and a bit stored into a word
/// made the two states differ to the end: a bitfield toggle doubled the rest of the
/// program).
///
/// The shapes: a branch on `t == 0` / `t != 0`, where `t = x & (1 << k)` (the branch
/// block's last definition of `t`, or `t`'s only one; the mask a constant or a register
/// written once with one), whose two arms (one predecessor each) each only set the same
/// register to 0 and 1 and go on to the same block (the diamond lowering makes of
/// `?:`); or one arm that sets it, the register set to the other constant before the
/// branch (`r = 0; if (x & 4) r = 1;`).
public enum BitValues {
    public static func run(_ f: Function) -> Function {
        // Again while it changes something: a choice's constant set before an earlier
        // choice reaches it once that choice's branch has gone and the blocks joined.
        f.repeating(4, once)
    }

    /// One round over the blocks; nil when nothing changed.
    static func once(_ f: Function) -> Function? {
        var f = f
        let index = f.blockIndexByID
        let preds = f.flowGraph.predecessors
        var changed = false
        let (uses, defs) = f.useDefCounts()
        lazy var definitions = f.definitionsByRegister
        /// A register's value where it is written once by a constant.
        func constant(_ r: VReg) -> Int64? { defs[r] == 1 ? definitions[r]?.first?.movedConstant : nil }
        for bi in f.blocks.indices {
            guard case .branch(let cc, let t, .imm(0), _, let thenB, let elseB) = f.blocks[bi].terminator,
                  cc == .eq || cc == .ne, thenB != elseB,
                  let ti = index[thenB], let ei = index[elseB], ti != bi, ei != bi else { continue }
            // The test's `and`: in the branch's block, or anywhere when written once (it
            // then holds wherever it is read).
            let k = f.blocks[bi].instructions.lastDefinition(of: t)
            guard let definition = k.map({ f.blocks[bi].instructions[$0].inst })
                    ?? (defs[t] == 1 ? definitions[t]?.first : nil),
                  case .binary(.and, t, let lhs, let rhs, let andWidth) = definition else { continue }
            // The source and the constant mask (either side: `m & x` comes as written).
            let x: VReg, mask: Operand, m: Int64
            if case .imm(let k) = rhs { (x, mask, m) = (lhs, rhs, k) }
            else if case .reg(let r) = rhs, let k = constant(r) { (x, mask, m) = (lhs, rhs, k) }
            else if case .reg(let r) = rhs, let k = constant(lhs) { (x, mask, m) = (r, .reg(lhs), k) }
            else { continue }
            guard x != t, let bit = singleBit(m, andWidth) else { continue }
            let setIfBit = cc == .ne ? ti : ei, setIfClear = cc == .ne ? ei : ti
            /// The constant an arm (one predecessor, one instruction) sets, and where it goes.
            func arm(_ a: Int) -> (reg: VReg, value: Int64, next: BlockID)? {
                guard preds[a].count == 1, f.blocks[a].instructions.count == 1, case .jump(let next) = f.blocks[a].terminator,
                      case .mov(let d, .imm(let v), _) = f.blocks[a].instructions[0].inst else { return nil }
                return (d, v, next)
            }
            /// The constant the branch block leaves in `d` (its last definition there).
            func before(_ d: VReg) -> Int64? {
                guard let j = f.blocks[bi].instructions.lastDefinition(of: d),
                      case .mov(d, .imm(let v), _) = f.blocks[bi].instructions[j].inst else { return nil }
                return v
            }
            let chosen: (reg: VReg, ifBit: Int64, ifClear: Int64, arms: [Int])
            if let a = arm(setIfBit), let b = arm(setIfClear), a.reg == b.reg, a.next == b.next,
               a.next != thenB, a.next != elseB {
                chosen = (a.reg, a.value, b.value, [setIfBit, setIfClear])
            } else if let a = arm(setIfBit), a.next == f.blocks[setIfClear].id, let v = before(a.reg) {
                chosen = (a.reg, a.value, v, [setIfBit])
            } else if let b = arm(setIfClear), b.next == f.blocks[setIfBit].id, let v = before(b.reg) {
                chosen = (b.reg, v, b.value, [setIfClear])
            } else {
                continue
            }
            let d = chosen.reg
            guard Set([chosen.ifBit, chosen.ifClear]) == [0, 1], d != t else { continue }
            // The bit, made at the block's end (`t` holds its tested value there): from the
            // `and`'s source when that still holds what it held and the `and` then dies or
            // its mask needed a register of its own (`x >> 63` for the sign bit, else
            // `x >> bit & 1`), otherwise from `t` (`t >> bit`); flipped when a set bit
            // gives 0.
            let location = f.blocks[bi].instructions.last?.location
            let sourceHolds = k.map { !f.blocks[bi].instructions.redefines([x], after: $0) }
                ?? f.holdsOneValue(x, defs: defs)
            var made: [Inst] = []
            var value: VReg
            if sourceHolds && (uses[t] == 1 || mask != .imm(m)) {
                value = f.newVReg()
                if bit == 63 {
                    made.append(.binary(.lshr, dst: value, lhs: x, rhs: .imm(63), width: .w64))
                } else if bit == 0 {
                    made.append(.binary(.and, dst: value, lhs: x, rhs: .imm(1), width: .w64))
                } else {
                    let shifted = f.newVReg()
                    made += [.binary(.lshr, dst: shifted, lhs: x, rhs: .imm(Int64(bit)), width: .w64),
                             .binary(.and, dst: value, lhs: shifted, rhs: .imm(1), width: .w64)]
                }
            } else if bit == 0 {
                value = t
            } else {
                value = f.newVReg()
                made.append(.binary(.lshr, dst: value, lhs: t, rhs: .imm(Int64(bit)), width: .w64))
            }
            made.append(chosen.ifBit == 1 ? .mov(dst: d, src: .reg(value), width: .w64)
                                          : .binary(.xor, dst: d, lhs: value, rhs: .imm(1), width: .w64))
            f.blocks[bi].instructions += made.map { Instruction($0, location: location) }
            for a in chosen.arms { f.blocks[a].instructions = [] }
            f.blocks[bi].terminator = .jump(f.blocks[setIfBit].id)
            changed = true
        }
        // (The `and`s whose only reader was a branch that went are dead.)
        return changed ? DeadCodeElimination.run(CFGSimplify.joinStraightLines(CFGSimplify.run(f))) : nil
    }

    /// The bit an `and` of width `w` with mask `m` keeps, when it keeps one.
    static func singleBit(_ m: Int64, _ w: Width) -> Int? {
        guard m != 0, m & (m &- 1) == 0, w == .w64 || m > 0 && m < 1 << 32 else { return nil }
        return m.trailingZeroBitCount
    }
}
