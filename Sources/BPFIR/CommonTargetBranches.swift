/// Two tests in a row that jump to one block when a number is not zero — `if (a) goto X;
/// if (b) goto X;`, the second alone in its block — become one test of the numbers' bitwise
/// or: `if (a | b) goto X` (a bit test `x & m` is the number `x & m`). clang's SimplifyCFG
/// folds such branches the same way (`FoldBranchToCommonDest`).
///
/// One branch fewer for the verifier to split its paths on, and it no longer decides a
/// test of a value it knows on each path. A flag set to 0 on one path and 1 on another,
/// tested on its own, is known at the test, which makes the flag precise — and the
/// verifier then walks apart every state that differs in it, from where it was set to the
/// test (katran's `under_flood`, tested with the vip's flags: 107,723 instructions walked
/// against clang's 59,236). Tested with the flags in one `or`, it decides nothing and the
/// paths are pruned.
///
/// Only numbers (`ValueBounds` bounds them; a null test of a pointer is what tells the
/// verifier which side may dereference it, and `|` of a pointer is refused), and only where
/// neither is read after the test: a branch of its own tells the verifier a value is 0 on
/// the way out, which it might need for a later access. Nor a value the verifier ties to
/// another place still read: a copy of a register, or copied into one, or loaded from or
/// stored to the stack (it gives a register and the slot it was spilled to or filled from
/// one identity, and what a test teaches of one it knows of the other — random seed
/// 46090: `in3 || in2`, `in2` read from its slot, then read there again: 3,293 → 4,435
/// instructions walked when the test learnt nothing of it). A value set last, on every
/// path to the tests, by arithmetic making a new number is tied to nothing.
public enum CommonTargetBranches {
    public static func run(_ f: Function) -> Function {
        var f = f
        var bounds: ValueBounds? = nil
        var folded: Set<BlockID> = []
        // (Blocks keep their places until the end: the folded ones go then.)
        let index = f.blockIndexByID
        for bi in f.blocks.indices where !folded.contains(f.blocks[bi].id) {
            // (After a merge the block tests again: a chain `a || b || c` folds one by one.)
            while let gone = merge(&f, bi, index, &bounds) {
                folded.insert(gone)
                bounds = nil
            }
        }
        if !folded.isEmpty { f.blocks.removeAll { folded.contains($0.id) } }
        return f
    }

    /// A branch to `target` exactly when `value` (and `mask`, for a bit test) is not zero,
    /// else to `other`, at `width`.
    struct NonzeroTest {
        var value: VReg
        var mask: Operand?
        var width: Width
        var target: BlockID
        var other: BlockID
    }

    static func nonzeroTest(_ t: Terminator) -> NonzeroTest? {
        switch t {
        case .branch(.ne, let v, .imm(0), let w, let then, let els): return NonzeroTest(value: v, mask: nil, width: w, target: then, other: els)
        case .branch(.eq, let v, .imm(0), let w, let then, let els): return NonzeroTest(value: v, mask: nil, width: w, target: els, other: then)
        case .branch(.set, let v, let m, let w, let then, let els): return NonzeroTest(value: v, mask: m, width: w, target: then, other: els)
        default: return nil
        }
    }

    /// The tests are of one value's bits (`x & m1`, then `x & m2`, the second `and` alone
    /// before its test): one test of the bits of both masks, `x & (m1 | m2)`, in the
    /// first `and` (no number is made, so nothing is asked of `x`: `and` of a pointer is
    /// refused anyway).
    static func unite(_ f: inout Function, _ bi: Int, _ si: Int, _ a: NonzeroTest, _ b: NonzeroTest) -> BlockID? {
        guard a.mask == nil, b.mask == nil, a.width == b.width, f.blocks[si].instructions.count == 1,
              case .binary(.and, b.value, let x, .imm(let m2), let w) = f.blocks[si].instructions[0].inst,
              let k = f.blocks[bi].instructions.lastDefinition(of: a.value),
              case .binary(.and, a.value, x, .imm(let m1), w) = f.blocks[bi].instructions[k].inst,
              m1 >= 0, m2 >= 0, m1 <= Int64(Int32.max), m2 <= Int64(Int32.max),
              !f.blocks[bi].instructions.redefines([x, a.value], after: k) else { return nil }
        let uses = f.useDefCounts().uses
        guard uses[a.value] == 1, uses[b.value] == 1 else { return nil }
        f.blocks[bi].instructions[k].inst = .binary(.and, dst: a.value, lhs: x, rhs: .imm(m1 | m2), width: w)
        f.blocks[bi].terminator = .branch(.ne, lhs: a.value, rhs: .imm(0), width: a.width, then: a.target, else: b.other)
        f.blocks[si].terminator = .unreachable
        return f.blocks[si].id
    }

    /// Whether every definition of `r` that reaches the end of block `bi` (looked for back
    /// through its predecessors, a few dozen blocks at most, no loop) is an operation that
    /// makes a new number of its operands (not a copy — an extension of 32 bits is one to
    /// the verifier —, a load from the stack, or a sum with a constant, which it ties to
    /// their source), and `r` is neither copied nor stored after it.
    static func freshBefore(_ r: VReg, end bi: Int, in f: Function, _ preds: [[Int]]) -> Bool {
        var budget = 32
        var onPath: Set<Int> = []
        func fresh(_ b: Int) -> Bool {
            budget -= 1
            guard budget >= 0, onPath.insert(b).inserted else { return false }
            defer { onPath.remove(b) }
            let code = f.blocks[b].instructions
            if let k = code.lastDefinition(of: r) {
                switch code[k].inst {
                case .mov(_, .imm, _), .neg, .ext(_, _, .w8, _, _), .ext(_, _, .w16, _, _), .bswap, .binary(.mul, _, _, _, _), .binary(.udiv, _, _, _, _), .binary(.sdiv, _, _, _, _),
                     .binary(.urem, _, _, _, _), .binary(.srem, _, _, _, _), .binary(.and, _, _, _, _), .binary(.or, _, _, _, _),
                     .binary(.xor, _, _, _, _), .binary(.shl, _, _, _, _), .binary(.lshr, _, _, _, _), .binary(.ashr, _, _, _, _),
                     .binary(.add, _, _, .reg, _), .binary(.sub, _, _, .reg, _):
                    return !copiesOrStores(r, code[(k + 1)...])
                default:
                    return false
                }
            }
            return !copiesOrStores(r, code[...]) && !preds[b].isEmpty && preds[b].allSatisfy(fresh)
        }
        return fresh(bi)
    }

    /// Whether `r`'s value, as last set in `code`, has its upper 32 bits clear: a 32-bit
    /// operation's result (ALU32 zero-extends) or a load of 4 bytes or fewer.
    static func zeroExtended(_ r: VReg, before code: [Instruction]) -> Bool {
        guard let k = code.lastDefinition(of: r) else { return false }
        switch code[k].inst {
        case .binary(_, _, _, _, .w32), .mov(_, _, .w32), .neg(_, _, .w32), .ext(_, _, _, .w32, _): return true
        case .load(_, _, _, let w, false): return w != .w64
        default: return false
        }
    }

    /// The destination and source of a copy as the verifier sees one: a move of a
    /// register, or an extension of its 32 bits (which keeps the value's identity).
    static func copy(_ inst: Inst) -> (dst: VReg, src: VReg)? {
        switch inst {
        case .mov(let d, .reg(let s), _), .ext(let d, let s, .w32, _, _): return (d, s)
        default: return nil
        }
    }

    static func copiesOrStores(_ r: VReg, _ code: ArraySlice<Instruction>) -> Bool {
        code.contains {
            if case .store(_, _, .reg(r), _) = $0.inst { return true }
            return copy($0.inst)?.src == r
        }
    }

    /// Whether no register of `regs` shares its value with a register still read after
    /// the tests (`dead`: not read there) or with the stack: none is copied to a register
    /// read there, or a copy of one (a copy of a register read nowhere else is the value
    /// moved, its source looked at in its place), or stored, or loaded from the stack.
    static func unlinked(_ regs: [VReg], in f: Function, dead: (VReg) -> Bool) -> Bool {
        let frame = f.framePointerRegisters()
        let uses = f.useDefCounts().uses
        var regs = regs
        var linked = false
        var i = 0
        while i < regs.count && !linked {
            f.forEachInstruction { _, inst in
                guard !linked else { return }
                if let (d, s) = copy(inst) {
                    if regs.contains(s) { linked = !regs.contains(d) && !dead(d) }
                    else if d == regs[i] {
                        if uses[s] == 1 && regs.count < 8 { regs.append(s) } else { linked = !dead(s) }
                    }
                    return
                }
                switch inst {
                case .load(let d, let base, _, _, _) where d == regs[i]:
                    switch base {
                    case .slot: linked = true
                    case .reg(let p): linked = frame.contains(p)
                    }
                case .store(_, _, .reg(let v), _): linked = regs.contains(v)
                default: break
                }
            }
            i += 1
        }
        return !linked
    }

    /// Folds the test ending block `bi` with the one of the block it falls to, if they
    /// qualify (see the type); that block, which nothing reaches any more, is returned (it
    /// jumps nowhere now: the blocks it went to have only their other predecessors).
    static func merge(_ f: inout Function, _ bi: Int, _ index: BlockIndex, _ bounds: inout ValueBounds?) -> BlockID? {
        guard let a = nonzeroTest(f.blocks[bi].terminator), a.target != a.other,
              a.width == .w64 || a.width == .w32 else { return nil }
        let preds = f.flowGraph.predecessors
        guard let si = index[a.other], si != bi, preds[si] == [bi],
              let b = nonzeroTest(f.blocks[si].terminator), b.target == a.target, b.other != a.target,
              b.width == .w64 || b.width == .w32,
              let ti = index[b.target], let oi = index[b.other] else { return nil }
        if let gone = unite(&f, bi, si, a, b) { return gone }
        guard f.blocks[si].instructions.isEmpty else { return nil }
        var read = [a.value, b.value]
        for case .reg(let m)? in [a.mask, b.mask] { read.append(m) }
        if bounds == nil { bounds = ValueBounds(of: f) }
        let live = Liveness(f)
        let dead = { (r: VReg) in !live.liveIn[ti].contains(r) && !live.liveIn[oi].contains(r) }
        for r in read {
            guard bounds!.upperBound(r) != nil, dead(r),
                  freshBefore(r, end: bi, in: f, preds) || unlinked([r], in: f, dead: dead) else { return nil }
        }
        let width: Width = a.width == .w64 || b.width == .w64 ? .w64 : .w32
        let location = f.blocks[bi].instructions.last?.location
        var code: [Instruction] = []
        /// The number a test reads, at `width`: a bit test's masked value, a 32-bit test's
        /// low half (an ALU32 result is zero-extended).
        func number(_ t: NonzeroTest) -> VReg {
            if let m = t.mask {
                let r = f.newVReg()
                code.append(Instruction(.binary(.and, dst: r, lhs: t.value, rhs: m, width: t.width), location: location))
                return r
            }
            guard t.width != width, !zeroExtended(t.value, before: f.blocks[bi].instructions) else { return t.value }
            let r = f.newVReg()
            code.append(Instruction(.mov(dst: r, src: .reg(t.value), width: .w32), location: location))
            return r
        }
        let x = number(a), y = number(b)
        let either = f.newVReg()
        code.append(Instruction(.binary(.or, dst: either, lhs: x, rhs: .reg(y), width: width), location: location))
        f.blocks[bi].instructions += code
        f.blocks[bi].terminator = .branch(.ne, lhs: either, rhs: .imm(0), width: width, then: b.target, else: b.other)
        f.blocks[si].terminator = .unreachable
        return f.blocks[si].id
    }
}
