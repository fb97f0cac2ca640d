/// A mask applied to an operand whose result is masked again keeps bits nobody reads:
/// `((w & M) + a) & M` is `(w + a) & M` when `M` keeps only low bits (the low bits of a
/// sum, difference, product or left shift depend only on the operands' low bits), and
/// `((w & M') ^ a) & M` is `(w ^ a) & M` when `M'` keeps every bit of `M` (bitwise
/// operations read each bit alone). A bitfield incremented in place (`s.lo += a`: the field
/// masked out of its word, added to, masked back) then reads the word itself, as clang's
/// demanded-bits analysis makes it.
///
/// The same holds through an extension or a 32-bit copy whose upper bits nobody reads:
/// `((long)(int)b >> 12) & 0xfffff` is `(b >> 12) & 0xfffff` (a signed field stored from
/// a narrower value).
///
/// A 64-bit operation read only by its truncation to 32 bits is the 32-bit operation
/// (`truncatedOperations`).
///
/// The outer mask may be 32-bit, and the walk goes on down a chain of operations each
/// read only by the next, each reading only the bits its reader demands: in
/// `(((short)x + s) s>> 1) & 1` the shift reads bit 1 of the sum, the sum bits 0 and 1 of
/// its operands, so it adds `x` itself.
///
/// An extension from `from` bits demands only its operand's low `from` bits, as a mask
/// does: a byte accumulator's `(char)(u8)(acc * 5 + t)` in each round of an unrolled loop
/// reads the previous round's sum itself.
///
/// A 32-bit operation or copy demands its operands' low 32 bits, as a mask of them does.
///
/// Each operation must be read only by its reader (its other readers would see the other
/// bits; readers nothing reads do not count, and demand nothing), the inner mask's or
/// extension's result only by the operation (it then dies, and the register pressure
/// stays what it was).
/// Masks are immediates or registers written once with a constant.
public enum DemandedBits {
    public static func run(_ f: Function) -> Function {
        var (uses, defs) = f.useDefCounts()
        var definition = RegMap<Inst>(capacity: f.nextVReg)
        var definedIn = RegMap<Int>(capacity: f.nextVReg)
        var candidates = false
        f.forEachInstruction { b, inst in
            guard let d = inst.singleDef, defs[d] == 1 else { return }
            definition[d] = inst
            definedIn[d] = b
            if case .binary(.and, _, _, _, let w) = inst, w == .w64 || w == .w32 { candidates = true }
            if case .ext(_, _, let from, _, _) = inst, from.bits < 64 { candidates = true }
        }
        guard candidates else { return f }
        // Reads by computations nobody reads do not count (a sign shift that
        // `RedundancyElimination` just replaced still reads the extension).
        f.forEachInstruction { _, inst in
            guard let d = inst.singleDef, uses[d] == 0, DeadCodeElimination.removable(inst) else { return }
            inst.forEachUse { uses[$0] -= 1 }
        }
        /// An immediate, or a register written once with a constant.
        func constant(_ o: Operand) -> UInt64? {
            switch o {
            case .imm(let k): return UInt64(bitPattern: k)
            case .reg(let r): return definition[r]?.movedConstant.map { UInt64(bitPattern: $0) }
            }
        }
        /// What `o` is read for when only its `demanded` bits count: `w` when `o` is
        /// `w & M'` (64-bit) with `M'` keeping every demanded bit, or an extension or
        /// 32-bit copy of `w` that keeps them as they are — `o` written once, `w` holding
        /// the same value everywhere (written once, or a parameter never written), `o` read
        /// only here (else both would be live).
        func unmasked(_ o: VReg, demanded: UInt64) -> VReg? {
            guard uses[o] == 1 else { return nil }
            let w: VReg
            switch definition[o] {
            case .binary(.and, _, let src, let m, .w64)?:
                guard let keep = constant(m), keep & demanded == demanded else { return nil }
                w = src
            case .ext(_, let src, let from, let to, _)? where min(from.bits, to.bits) < 64:
                guard demanded >> UInt64(min(from.bits, to.bits)) == 0 else { return nil }
                w = src
            case .mov(_, .reg(let src), .w32)?:
                guard demanded >> 32 == 0 else { return nil }
                w = src
            default:
                return nil
            }
            guard w != o, f.holdsOneValue(w, defs: defs) else { return nil }
            return w
        }
        var g = f
        var changed = false
        /// Rewrites the operation defining `x` (written once, read only by one that reads
        /// only its `demanded` bits) to read its operands through the masks and extensions
        /// whose bits nobody reads, and goes on into the operations only it reads.
        func narrow(_ x: VReg, demanded: UInt64, depth: Int) {
            guard depth < 8, demanded != 0, uses[x] == 1, case .binary(let op, let xd, let l, let r, let w)? = definition[x],
                  w == .w64 || w == .w32 && demanded >> 32 == 0 else { return }
            // The low bits up to the highest demanded one: all a sum's, difference's or
            // product's demanded bits depend on.
            let low = UInt64.max >> UInt64(demanded.leadingZeroBitCount)
            var leftDemand = demanded, rightDemand: UInt64? = demanded
            switch op {
            case .add, .sub, .mul:
                leftDemand = low; rightDemand = low
            case .shl:
                guard case .imm(let k) = r, (0..<Int64(w.bits)).contains(k) else { return }
                leftDemand = demanded >> UInt64(k); rightDemand = nil
            case .lshr, .ashr:
                // The result's bits come from the operand's `k` places up, none from
                // what a shift brings in (the sign, or zeros) when they all fit.
                guard case .imm(let k) = r, (0..<Int64(w.bits)).contains(k),
                      ((demanded << UInt64(k)) & w.mask) >> UInt64(k) == demanded else { return }
                leftDemand = demanded << UInt64(k); rightDemand = nil
            case .and, .or, .xor:
                break
            default:
                return
            }
            /// `o` read through every mask and extension in a row whose bits nobody reads
            /// (`(char)(u8)v` of a byte accumulator's last round is `v`).
            func unmaskedAll(_ o: VReg, demanded: UInt64) -> VReg? {
                var cur = o
                for _ in 0..<4 { guard let u = unmasked(cur, demanded: demanded) else { break }; cur = u }
                return cur == o ? nil : cur
            }
            // (What the masks and extensions held goes on being narrowed: it is read only
            // through them, for the same bits.)
            var left = l, right = r
            if let u = unmaskedAll(l, demanded: leftDemand) { left = u }
            narrow(left, demanded: leftDemand, depth: depth + 1)
            if let d = rightDemand, case .reg(let rr) = r {
                if let u = unmaskedAll(rr, demanded: d) { right = .reg(u) }
                if case .reg(let x) = right { narrow(x, demanded: d, depth: depth + 1) }
            }
            guard left != l || right != r else { return }
            // Rewrite the operation where it is defined (read only here, written once); a
            // 32-bit sum reading other bits may now wrap, so it claims no `noSignedWrap`.
            guard let c = definedIn[xd],
                  let j = g.blocks[c].instructions.firstIndex(where: { $0.inst.singleDef == xd }) else { return }
            g.blocks[c].instructions[j].inst = .binary(op, dst: xd, lhs: left, rhs: right, width: w)
            g.blocks[c].instructions[j].noSignedWrap = false
            changed = true
        }
        for b in f.blocks.indices {
            for i in f.blocks[b].instructions.indices {
                // A mask or extension nobody reads demands nothing: its operand's one
                // counted read is another reader's, which may read every bit.
                guard let d = f.blocks[b].instructions[i].inst.singleDef, uses[d] > 0 else { continue }
                switch f.blocks[b].instructions[i].inst {
                case .binary(.and, _, let x, let outer, let w) where w == .w64 || w == .w32:
                    guard let mask = constant(outer) else { continue }
                    narrow(x, demanded: mask & w.mask, depth: 0)
                // An extension reads its operand's low `from` bits only (a byte
                // accumulator's `(char)(acc * 5 + t)` in each round).
                case .ext(_, let x, let from, _, _) where from.bits < 64:
                    narrow(x, demanded: UInt64.max >> UInt64(64 - from.bits), depth: 0)
                // A 32-bit operation or copy reads its operands' low halves only (`w8 += w2`
                // of an `r2 ^= (long)(int)w1`).
                case .binary(_, _, let l, let r, .w32):
                    narrow(l, demanded: 0xffff_ffff, depth: 0)
                    if case .reg(let x) = r { narrow(x, demanded: 0xffff_ffff, depth: 0) }
                case .mov(_, .reg(let x), .w32):
                    narrow(x, demanded: 0xffff_ffff, depth: 0)
                default:
                    continue
                }
            }
        }
        return changed ? DeadCodeElimination.run(g) : f
    }

    /// `d = (u32)(a op b)` of a 64-bit `+ - * & | ^` or left shift by less than 32, read
    /// only by that truncation, is the 32-bit operation: its low half depends only on the
    /// operands' low halves, and a 32-bit operation zero-extends as the truncation does. An
    /// operand that is a sign or zero extension from 32 bits or more of `x`, made in the
    /// block and read only there, reads `x` (not written in between): `c += v & 1` of an
    /// `int` counter, `(long)c + (v & 1)` then truncated, is `w0 += w2`.
    public static func truncatedOperations(_ f: Function) -> Function {
        let (uses, defs) = f.useDefCounts()
        var g = f
        var changed = false
        for b in f.blocks.indices {
            let insts = f.blocks[b].instructions
            var position: [VReg: Int] = [:]   // the block's last definition of each register so far
            for (k, i) in insts.enumerated() {
                defer { for d in i.inst.definedRegs { position[d] = k } }
                let truncation: (d: VReg, s: VReg)?
                switch i.inst {
                case .mov(let d, .reg(let s), .w32), .ext(let d, let s, .w32, _, false): truncation = (d, s)
                default: truncation = nil
                }
                guard let (d, s) = truncation, defs[s] == 1, uses[s] == 1, let j = position[s],
                      case .binary(let op, s, let l, let r, .w64) = insts[j].inst else { continue }
                switch op {
                case .add, .sub, .mul, .and, .or, .xor: break
                case .shl: guard case .imm(let n) = r, (0..<32).contains(n) else { continue }
                default: continue
                }
                /// `x` for an operand made in the block as an extension of `x` from 32 bits
                /// or more (or a 32-bit copy), read only by the operation, `x` unchanged
                /// from the extension to the truncation.
                func source(_ o: VReg) -> VReg? {
                    guard uses[o] == 1, defs[o] == 1, let e = position[o], e < j else { return nil }
                    let x: VReg
                    switch insts[e].inst {
                    case .ext(_, let src, let from, .w64, _) where from.bits >= 32: x = src
                    case .mov(_, .reg(let src), .w32): x = src
                    default: return nil
                    }
                    guard x != o, !insts[(e + 1)..<k].contains(where: { $0.inst.defines(x) }) else { return nil }
                    return x
                }
                /// An operand read at `k` instead of `j`: unchanged in between.
                func steady(_ o: VReg) -> Bool { !insts[(j + 1)..<k].contains(where: { $0.inst.defines(o) }) }
                let left = source(l) ?? l
                guard left != l || steady(l) else { continue }
                var right = r
                if case .reg(let rr) = r {
                    let x = source(rr) ?? rr
                    guard x != rr || steady(rr) else { continue }
                    right = .reg(x)
                }
                g.blocks[b].instructions[k].inst = .binary(op, dst: d, lhs: left, rhs: right, width: .w32)
                changed = true
            }
        }
        return changed ? DeadCodeElimination.run(g) : f
    }
}
