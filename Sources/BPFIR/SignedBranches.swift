/// A signed 32-bit branch on a value whose low 32 bits are known non-negative, against a
/// non-negative constant, becomes the unsigned branch: the two orders agree there, and
/// the verifier learns an unsigned bound it can carry to 64 bits. `if (len < 0) len = 0;
/// len++; if (len > 512) len = 512;` then passes the verifier as the size of a helper's
/// buffer, as clang's build does (clang moves the `+ 1` after the clamp, knowing from
/// C's undefined overflow that it cannot wrap). Such a value compared with zero (`x < 0`,
/// `x >= 0`) is decided: the branch becomes a jump.
///
/// Known non-negative (as `int`): small constants, narrow loads and zero extensions,
/// masks, right shifts, copies of such values, `int` additions of non-negative values that
/// C says cannot overflow (`Instruction.noSignedWrap`), and values on the edge of a branch
/// that tested it (`x s>= 0`, `x u< 100`). A forward data flow over the edges; what holds
/// where paths meet is what holds on all of them.
public enum SignedBranches {
    public static func run(_ f: Function) -> Function {
        guard f.blocks.contains(where: { b in
            if case .branch(let cc, _, _, .w32, _, _) = b.terminator { return [.slt, .sle, .sgt, .sge].contains(cc) }
            return false
        }) else { return f }
        let entry = nonNegativeAtEntry(f)
        var f = f
        var decided = false
        for bi in f.blocks.indices {
            guard var s = entry[bi],
                  case .branch(let cc, let x, let rhs, .w32, let thenB, let elseB) = f.blocks[bi].terminator,
                  let unsigned = cc.unsignedForm else { continue }
            for i in f.blocks[bi].instructions { step(i, &s) }
            let rhsNonNegative: Bool
            switch rhs {
            case .imm(let c): rhsNonNegative = small(c, .w32)
            case .reg(let r): rhsNonNegative = s.contains(r)
            }
            guard s.contains(x) && rhsNonNegative else { continue }
            if rhs == .imm(0) && (unsigned == .ult || unsigned == .uge) {
                // Nothing is below zero: `if (proto < 0)` on a protocol byte returned as `int`.
                f.blocks[bi].terminator = .jump(unsigned == .uge ? thenB : elseB)
                decided = true
            } else {
                f.blocks[bi].terminator = .branch(unsigned, lhs: x, rhs: rhs, width: .w32, then: thenB, else: elseB)
            }
        }
        return decided ? CFGSimplify.run(f) : f
    }

    /// For each block, the registers whose low 32 bits are non-negative (as `int`) on
    /// entry, on every path reaching it (nil: no path does); with `step` and `facts` of
    /// another meaning, the registers that hold it.
    static func nonNegativeAtEntry(_ f: Function, step: (Instruction, inout Set<VReg>) -> Void = step,
                                   facts: (Terminator, BlockID) -> Set<VReg> = { facts($0, to: $1) }) -> [Set<VReg>?] {
        let index = f.blockIndexByID
        let order = f.reversePostOrder()
        var entry: [Set<VReg>?] = Array(filled: nil, count: f.blocks.count)
        entry[0] = []
        var changed = true
        while changed {
            changed = false
            for bi in order {
                guard var s = entry[bi] else { continue }
                for i in f.blocks[bi].instructions { step(i, &s) }
                let t = f.blocks[bi].terminator
                for succ in t.successors.distinct {
                    guard let j = index[succ] else { continue }
                    let edge = s.union(facts(t, succ))
                    let merged = entry[j].map { $0.intersection(edge) } ?? edge
                    if merged != entry[j] { entry[j] = merged; changed = true }
                }
            }
        }
        return entry
    }

    /// Low 32 bits of a constant below 2^31.
    private static func small(_ c: Int64, _ w: Width) -> Bool { w.extend(UInt64(bitPattern: c), signed: false) & 0xffff_ffff < 1 << 31 }

    /// Carries the set of registers whose low 32 bits are non-negative past `i`.
    static func step(_ i: Instruction, _ s: inout Set<VReg>) {
        func known(_ o: Operand, _ w: Width) -> Bool {
            switch o { case .imm(let c): return small(c, w); case .reg(let r): return s.contains(r) }
        }
        var result: (VReg, Bool)? = nil
        switch i.inst {
        case .mov(let d, let src, let w): result = (d, known(src, w))
        case .ext(let d, let src, let from, _, let signed): result = (d, from == .w32 || from == .w64 ? s.contains(src) : !signed)
        case .load(let d, _, _, let w, let signed): result = (d, !signed && (w == .w8 || w == .w16))
        case .coreLoad(let d, _, _, let w, _): result = (d, w == .w8 || w == .w16)
        case .binary(let op, let d, let l, let r, let w):
            switch op {
            case .and: result = (d, s.contains(l) || known(r, w))
            case .lshr:
                if case .imm(let k) = r { result = (d, s.contains(l) || (w == .w32 ? k & 31 >= 1 : k & 63 >= 33)) }
                else { result = (d, s.contains(l)) }
            case .udiv, .urem: result = (d, w == .w32 && s.contains(l))
            case .add, .sub:
                // `int` arithmetic of non-negative values stays non-negative (C: no overflow).
                var ok = false
                if i.noSignedWrap, w == .w32, s.contains(l) {
                    switch (op, r) {
                    case (.add, .imm(let c)): ok = Int32(truncatingIfNeeded: c) >= 0
                    case (.sub, .imm(let c)): ok = Int32(truncatingIfNeeded: c) <= 0 && Int32(truncatingIfNeeded: c) != Int32.min
                    case (.add, .reg(let y)): ok = s.contains(y)
                    default: ok = false
                    }
                }
                result = (d, ok)
            default: break
            }
        default: break
        }
        record(result, of: i.inst, in: &s)
    }

    /// `s` past `inst`, found to define `result` (a register, and whether it is
    /// non-negative), or nil: its definitions are not followed.
    static func record(_ result: (VReg, Bool)?, of inst: Inst, in s: inout Set<VReg>) {
        if let (d, nonNegative) = result {
            if nonNegative { s.insert(d) } else { s.remove(d) }
        } else {
            inst.forEachDef { s.remove($0) }
        }
    }

    /// The comparison with a constant that holds on the edge of branch `t` to `target`.
    static func holding(_ t: Terminator, to target: BlockID) -> (cc: CondCode, x: VReg, c: Int64, w: Width)? {
        guard case .branch(let cc, let x, .imm(let c), let w, let thenB, let elseB) = t, thenB != elseB,
              let holds = target == thenB ? cc : cc.negated else { return nil }
        return (holds, x, c, w)
    }

    /// What a branch's outcome tells of its register on the edge to `target`.
    static func facts(_ t: Terminator, to target: BlockID) -> Set<VReg> {
        guard let (holds, x, c, w) = holding(t, to: target) else { return [] }
        let low = UInt64(bitPattern: c) & (w == .w32 ? 0xffff_ffff : UInt64.max)
        let s = Int64(bitPattern: w.extend(UInt64(bitPattern: c), signed: true))
        let nonNegative: Bool
        switch holds {
        case .sge: nonNegative = w == .w32 && s >= 0
        case .sgt: nonNegative = w == .w32 && s >= -1
        case .ult: nonNegative = low <= 1 << 31
        case .ule: nonNegative = low < 1 << 31
        case .eq: nonNegative = low < 1 << 31
        default: nonNegative = false
        }
        return nonNegative ? [x] : []
    }
}

extension CondCode {
    /// The unsigned comparison that orders non-negative values as this signed one does.
    var unsignedForm: CondCode? {
        switch self {
        case .slt: return .ult
        case .sle: return .ule
        case .sgt: return .ugt
        case .sge: return .uge
        default: return nil
        }
    }
}
