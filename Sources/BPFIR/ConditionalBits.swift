/// `if (x & B) r |= B;` with `B` one bit is `r |= x & B`, without a branch (clang's
/// select of an or): the block that only sets the bit goes, and a run of such steps over
/// the same `x` merges into one mask (`r |= x & (B1 | B2 | ...)`): a flag word copied bit
/// by bit (falco's `capabilities_to_scap`) becomes a few instructions, and the verifier
/// walks no branch for it. `r = 0; if (x & B) r = B;` is `r = x & B` likewise. A bit set
/// other than the one tested moves there by a shift
/// (`if (x & 0x2000) r |= 8` is `r |= (x & 0x2000) >> 10`: falco's `poll_events_to_scap`,
/// which maps one flag word onto another, in a loop over 16 entries: every branch was
/// walked in every round). The `or` may be of 32 bits (a `u16` result) when the bits
/// are in the low half. The `and` must be in the branch's block, the `or` alone in a
/// block that only this branch reaches and that goes on to where the branch's other
/// side goes.
public enum ConditionalBits {
    public static func run(_ f: Function) -> Function {
        var f = f
        let index = f.blockIndexByID
        let preds = f.flowGraph.predecessors
        let (uses, _) = f.useDefCounts()
        let constants = f.singleConstants
        var changed = false
        for bi in f.blocks.indices {
            guard case .branch(let cc, let t, .imm(0), let testWidth, let thenB, let elseB) = f.blocks[bi].terminator,
                  cc == .eq || cc == .ne, uses[t] == 1 else { continue }
            let setB = cc == .ne ? thenB : elseB, skipB = cc == .ne ? elseB : thenB
            // The block setting the bit: `r |= B`, B possibly made just before (a 64-bit bit).
            // Or `r = B` where `r` is 0 otherwise (`r = 0;` in the branch's block, what
            // folding leaves of the first step of a value that starts at 0).
            guard let si = index[setB], si != bi, preds[si].count == 1, case .jump(skipB) = f.blocks[si].terminator,
                  let orInst = f.blocks[si].instructions.last, (1...2).contains(f.blocks[si].instructions.count) else { continue }
            let r: VReg, orOperand: Operand, orWidth: Width
            var zeroedAt: Int? = nil
            switch orInst.inst {
            case .binary(.or, let d, let l, let o, let w) where l == d && (w == .w64 || w == .w32):
                (r, orOperand, orWidth) = (d, o, w)
            case .mov(let d, let o, let w) where w == .w64 || w == .w32:
                guard let z = f.blocks[bi].instructions.lastDefinition(of: d), case .mov(d, .imm(0), _) = f.blocks[bi].instructions[z].inst,
                      !f.blocks[bi].instructions[(z + 1)...].contains(where: { $0.inst.usedRegs.contains(d) }) else { continue }
                (r, orOperand, orWidth, zeroedAt) = (d, o, w, z)
            default: continue
            }
            var set = constant(orOperand, constants)
            if f.blocks[si].instructions.count == 2 {
                guard case .mov(let kr, .imm(let kv), .w64) = f.blocks[si].instructions[0].inst, orOperand == .reg(kr),
                      uses[kr] == 1 else { continue }
                set = kv
            }
            guard let bit = set, isBit(bit, orWidth),
                  let k = f.blocks[bi].instructions.lastDefinition(of: t),
                  case .binary(.and, t, let x, let mask, let andWidth) = f.blocks[bi].instructions[k].inst,
                  let tested = constant(mask, constants), isBit(tested, andWidth), isBit(tested, testWidth), x != r,
                  !f.blocks[bi].instructions.redefines([x, r], after: k)
            else { continue }
            // `t` is the tested bit alone: shifted to the bit set, when that is another.
            var moved = t
            let from = tested.trailingZeroBitCount, to = bit.trailingZeroBitCount
            if from != to {
                moved = f.newVReg()
                f.blocks[bi].instructions.append(Instruction(.binary(from < to ? .shl : .lshr, dst: moved, lhs: t, rhs: .imm(Int64(abs(to - from))),
                                                                     width: .w64), location: orInst.location))
            }
            if let z = zeroedAt {
                f.blocks[bi].instructions.remove(at: z)
                f.blocks[bi].instructions.append(Instruction(.mov(dst: r, src: .reg(moved), width: .w64), location: orInst.location))
            } else {
                f.blocks[bi].instructions.append(Instruction(.binary(.or, dst: r, lhs: r, rhs: .reg(moved), width: orWidth),
                                                             location: orInst.location))
            }
            f.blocks[bi].terminator = .jump(skipB)
            changed = true
        }
        guard changed else { return f }
        return mergingMasks(CFGSimplify.joinStraightLines(CFGSimplify.run(f)), constants: constants)
    }

    /// An operand's value: an immediate, or a register's single constant.
    static func constant(_ o: Operand, _ constants: [VReg: Int64]) -> Int64? {
        switch o { case .imm(let k): return k; case .reg(let r): return constants[r] }
    }

    /// One bit, in the low half where `width` is 32 bits.
    static func isBit(_ v: Int64, _ width: Width) -> Bool {
        v != 0 && v & (v &- 1) == 0 && (width == .w64 || UInt64(bitPattern: v) <= UInt64(UInt32.max))
    }

    /// The width an `and` with `mask` computes at: a 32-bit `and` with a mask of the low
    /// half is the 64-bit one.
    static func andWidth(_ mask: Int64, _ width: Width) -> Width {
        mask >= 0 && mask <= Int64(UInt32.max) ? .w64 : width
    }

    /// In a run of steps `r |= x & M` or `r |= (x & M) << s` (`>> s`) on one `r`, each
    /// `and` result and shifted value used once, moves of constants between, the steps of
    /// one `x` shifted alike merge into the first: `r |= (x & (M1 | M2)) << s`. (`or` is
    /// associative and commutative, and nothing else in the run reads or writes `r`.)
    static func mergingMasks(_ f: Function, constants: [VReg: Int64]) -> Function {
        struct Key: Hashable { var x: VReg, shift: BinOp?, amount: Int64, andWidth: Width, orWidth: Width }
        struct Step { var key: Key; var r: VReg; var mask: Int64; var positions: [Int] }
        let (uses, _) = f.useDefCounts()
        var f = f
        for bi in f.blocks.indices {
            let code = f.blocks[bi].instructions
            /// The step starting at `k`, if one does.
            func step(at k: Int) -> Step? {
                guard case .binary(.and, let t, let x, let m, let aw) = code[k].inst, let mask = constant(m, constants), uses[t] == 1,
                      k + 1 < code.count else { return nil }
                var moved = t, shift: BinOp? = nil, amount: Int64 = 0, positions = [k]
                if case .binary(let op, let u, t, .imm(let s), .w64) = code[k + 1].inst, op == .shl || op == .lshr, uses[u] == 1 {
                    moved = u; shift = op; amount = s; positions.append(k + 1)
                }
                let o = positions.last! + 1
                guard o < code.count, case .binary(.or, let r, let rr, .reg(moved), let ow) = code[o].inst, rr == r, r != x, r != t, x != t else { return nil }
                return Step(key: Key(x: x, shift: shift, amount: amount, andWidth: andWidth(mask, aw), orWidth: ow), r: r, mask: mask,
                            positions: positions + [o])
            }
            var out = code, dropped = Set<Int>()
            var run: [Step] = []
            // `r = x & M` just before a run on `r` (what the first step became when `r`
            // started at 0): unshifted steps of `x` merge into it too.
            var seed: (at: Int, x: VReg, width: Width, mask: Int64)? = nil
            func closeRun() {
                var first: [Key: Int] = [:]
                for (n, st) in run.enumerated() {
                    if var s = seed, st.key.x == s.x, st.key.shift == nil, st.key.andWidth == s.width,
                       st.key.orWidth == .w64 || UInt64(bitPattern: s.mask | st.mask) <= UInt64(UInt32.max),
                       case .binary(.and, let d, let x, _, _) = out[s.at].inst {
                        s.mask |= st.mask
                        out[s.at].inst = .binary(.and, dst: d, lhs: x, rhs: .imm(s.mask), width: s.width)
                        seed = s
                        dropped.formUnion(st.positions)
                        continue
                    }
                    guard let f0 = first[st.key] else { first[st.key] = n; continue }
                    run[f0].mask |= st.mask
                    if case .binary(.and, let t, let x, _, _) = out[run[f0].positions[0]].inst {
                        out[run[f0].positions[0]].inst = .binary(.and, dst: t, lhs: x, rhs: .imm(run[f0].mask), width: st.key.andWidth)
                    }
                    dropped.formUnion(st.positions)
                }
                run = []
                seed = nil
            }
            var k = 0
            while k < code.count {
                if let st = step(at: k), run.isEmpty || run[0].r == st.r,
                   !run.contains(where: { $0.key.x == st.r }) {
                    if run.isEmpty, k > 0, case .binary(.and, st.r, let x, let m, let w) = code[k - 1].inst, x != st.r,
                       let mask = constant(m, constants) {
                        seed = (k - 1, x, andWidth(mask, w), mask)
                    }
                    run.append(st)
                    k = st.positions.last! + 1
                    continue
                }
                // A constant between steps, written to none of the run's registers.
                if case .mov(let d, .imm, _) = code[k].inst, !run.isEmpty, d != run[0].r, !run.contains(where: { $0.key.x == d }) {
                    k += 1
                    continue
                }
                closeRun()
                if step(at: k) == nil { k += 1 }
            }
            closeRun()
            if !dropped.isEmpty { f.blocks[bi].instructions = out.enumerated().filter { !dropped.contains($0.offset) }.map(\.element) }
        }
        return DeadCodeElimination.run(f)
    }
}
