/// Cheap clean-ups of what lowering produces:
/// - a zero-extension (or 32-bit copy) of a value that is already zero-extended to
///   that width (a narrow load, a byte swap, a 32-bit operation, an earlier
///   extension, a copy of one of those; every definition of the register counts)
///   becomes a plain copy;
/// - an extension (sign or zero) of a value known to be small enough that it cannot change
///   it (`ValueBounds`; for a sign extension from 32 bits also a counter that only counts
///   up from zero without signed overflow) becomes a copy, as does a mask that keeps every bit such a value
///   may have (a bitfield store's clearing mask over bits known to be zero), and an
///   arithmetic right shift of a value known non-negative (by its bound, or by a branch
///   on the only edge into a block dominating it: `if (delta < 0) return;`, so that the
///   sign of `delta / 1000` folds away) is a logical one; a sign extension whose only input is constants
///   assigned on several paths (`r = 2; ... r = -1;` then `(long)r`) is folded into them;
/// - the upper half of a 32-bit value shifted down (`lshr.w64 x, 32` or more) is 0; a
///   sign bit shifted down is read where it comes from (`signBit(of:)`);
/// - multiplying by 1 is a copy; a byte swap reads through a zero-extension of its
///   own width or more;
/// - within a block, a symbol or stack address computed again reuses the register
///   that already holds it;
/// - a branch the range of its register decides (`decidedByRange`) is a jump.
public enum RedundancyElimination {
    public static func run(_ f: Function) -> Function {
        var f = f
        let (uses, defs) = f.useDefCounts()
        let definitions = f.definitionsByRegister
        let parameters = Set(f.parameters)
        var visiting: Set<VReg> = []
        func zeroExtended(_ v: VReg, within w: Width) -> Bool {
            guard !parameters.contains(v), let ds = definitions[v], !ds.isEmpty, visiting.insert(v).inserted else { return false }
            defer { visiting.remove(v) }
            return ds.allSatisfy { d in
                switch d {
                case .mov(_, .reg(let s), let mw):     // a copy: what it copies (a 32-bit one: also its width)
                    return (mw == .w32 && w.bytes >= 4) || zeroExtended(s, within: w)
                case .load(_, _, _, let lw, false), .coreLoad(_, _, _, let lw, _): return lw.bytes <= w.bytes
                case .bswap(_, _, let bw): return bw.bytes <= w.bytes
                case .ext(_, _, let from, let to, false): return from.bytes <= w.bytes || to.bytes <= w.bytes && to == .w32
                case .ext(_, _, _, .w32, true): return w.bytes >= 4
                case .mov(_, .imm(let k), _): return k >= 0 && (w == .w64 || k < (Int64(1) << Int64(w.bits)))
                case .mov(_, _, .w32): return w.bytes >= 4
                // The verifier knows the upper half of these 32-bit results is zero; after a
                // 32-bit division or remainder it does not (the explicit `w = w` must stay).
                case .binary(let op, _, _, _, .w32): return w.bytes >= 4 && ![.udiv, .urem, .sdiv, .srem].contains(op)
                // A 64-bit AND with a mask of that width, a right shift leaving that many bits.
                case .binary(.and, _, _, .imm(let k), .w64): return k >= 0 && (w == .w64 || k < (Int64(1) << Int64(w.bits)))
                case .binary(.lshr, _, _, .imm(let k), .w64): return w == .w64 || k >= Int64(64 - w.bits)
                default: return false
                }
            }
        }
        /// Whether the upper 32 bits of `v` are zero: what `zeroExtended` says, and the
        /// results of 32-bit divisions and remainders (zero-extended like every 32-bit
        /// operation; only the verifier does not know it, which matters for dropping an
        /// extension, not for a shift that reads nothing but those bits).
        func upperHalfZero(_ v: VReg) -> Bool {
            if zeroExtended(v, within: .w32) { return true }
            guard !parameters.contains(v), let ds = definitions[v], !ds.isEmpty else { return false }
            return ds.allSatisfy { if case .binary(.udiv, _, _, _, .w32) = $0 { return true }; if case .binary(.urem, _, _, _, .w32) = $0 { return true }; return false }
        }
        // Registers a branch tests non-negative on the only edge into a block: there, and
        // in every block it dominates, they are (written once, they cannot change).
        var nonNegativeInto: [(block: Int, reg: VReg, width: Width)] = []
        let preds = f.flowGraph.predecessors
        let index = f.blockIndexByID
        for b in f.blocks {
            guard case .branch(let cc, let x, .imm(let k), let w, let t, let e) = b.terminator, w == .w32 || w == .w64,
                  defs[x] == 1 else { continue }
            let into: BlockID?
            switch (cc, k) {
            case (.slt, 0), (.sle, -1): into = e
            case (.sge, 0), (.sgt, -1): into = t
            default: into = nil
            }
            if let n = into, let i = index[n], preds[i].count == 1 { nonNegativeInto.append((i, x, w)) }
        }
        var dominators: Dominators? = nil
        func testedNonNegative(_ x: VReg, _ w: Width, in b: Int) -> Bool {
            let blocks = nonNegativeInto.filter { $0.reg == x && $0.width == w }.map(\.block)
            guard !blocks.isEmpty else { return false }
            if dominators == nil { dominators = Dominators(f, predecessors: preds) }
            var cur = b
            while true {
                if blocks.contains(cur) { return true }
                let up = dominators!.idom[cur]
                if up < 0 || up == cur { return false }
                cur = up
            }
        }
        var bounds = ValueBounds(definitions: definitions, parameters: parameters, returns: f.returnBounds)
        func fits(_ s: VReg, _ from: Width, signed: Bool) -> Bool {
            guard let b = bounds.upperBound(s) else { return false }
            return b < UInt64(1) << UInt64(signed ? from.bits - 1 : from.bits)
        }
        /// Whether every value `s` takes is in [0, 2^31) with its upper half zero (so that
        /// its sign extension from 32 bits is itself), by induction over its definitions:
        /// such constants, copies of such values, and 32-bit adds of a non-negative
        /// constant to one that C's signed arithmetic may not overflow (`noSignedWrap`) —
        /// a loop's `int i = 0; ...; i++` indexing an array, whose 64-bit index is then
        /// the counter itself.
        var fullDefinitions: [VReg: [Instruction]]? = nil
        var assumed: Set<VReg> = []
        func countsUpFromZero(_ s: VReg) -> Bool {
            if assumed.contains(s) { return true }
            if fullDefinitions == nil { fullDefinitions = f.definitionsByRegister { $0 } }
            guard !parameters.contains(s), let ds = fullDefinitions![s], !ds.isEmpty else { return false }
            assumed.insert(s)
            defer { assumed.remove(s) }
            return ds.allSatisfy { d in
                switch d.inst {
                case .mov(_, .imm(let k), _): return k >= 0 && k < 1 << 31
                case .mov(_, .reg(let x), _): return countsUpFromZero(x)      // a 32-bit copy of one too
                case .binary(.add, _, let x, .imm(let k), .w32): return d.noSignedWrap && k >= 0 && countsUpFromZero(x)
                default: return false
                }
            }
        }
        /// Whether `s & mask` (at width w) is `s`: every bit `s` may have set is in the mask
        /// (a bitfield's clearing mask over a word whose other bits are known zero).
        func keepsEveryBit(_ s: VReg, mask: Int64, width w: Width) -> Bool {
            guard let b = bounds.upperBound(s), w == .w64 || b <= 0xffff_ffff else { return false }
            let m = w == .w64 ? UInt64(bitPattern: mask) : UInt64(bitPattern: mask) & 0xffff_ffff
            return ValueBounds.possibleBits(b) & ~m == 0
        }
        /// The value of a register defined only by one constant (a mask too wide for an
        /// immediate, kept in a register).
        func constant(_ r: VReg) -> Int64? {
            guard !parameters.contains(r), let ds = definitions[r], ds.count == 1, case .mov(_, .imm(let k), let w) = ds[0] else { return nil }
            return Int64(bitPattern: w.extend(UInt64(bitPattern: k), signed: false))
        }
        /// `(1 << k) - 1` when `x` is `a & -(1 << k)` at width `w` (each step defined once),
        /// or the biased form a signed remainder by 2^k lowers to (`(a + (a s>> bits-1 >>
        /// bits-k)) & -(1 << k)`, for k = 1 `(a + (a >> bits-1)) & -2`) when `a` is known
        /// non-negative.
        func lowBitsKept(_ a: VReg, _ x: VReg, _ w: Width) -> Int64? {
            func single(_ r: VReg) -> Inst? { defs[r] == 1 ? definitions[r]?.first : nil }
            guard case .binary(.and, _, let z, .imm(let m), w)? = single(x) else { return nil }
            let low = ~w.extend(UInt64(bitPattern: m), signed: false) & (w == .w64 ? .max : 0xffff_ffff)
            guard low != 0, low & (low &+ 1) == 0, low < 1 << 31 else { return nil }
            if z == a { return Int64(low) }
            guard fits(a, w, signed: true), case .binary(.add, _, a, .reg(let bias), w)? = single(z),
                  case .binary(.lshr, _, let sign, .imm(let k), w)? = single(bias) else { return nil }
            // The sign shifted down, or (read where it comes from, `signBit(of:)`) a's top bit.
            if sign == a && k == Int64(w.bits - 1) { return Int64(low) }
            guard case .binary(.ashr, _, a, .imm(Int64(w.bits - 1)), w)? = single(sign) else { return nil }
            return Int64(low)
        }
        /// The register whose low `from` bits `s` holds, when `s` is written once by an
        /// extension from `from` bits or more, or a 32-bit copy (`from` at most 32), of a
        /// register that holds its value everywhere (written once, or a parameter never
        /// written). Unless `s` is read only here, that register must be read elsewhere
        /// too (live on anyway): a call's result read only by its 32-bit copy would
        /// otherwise stay live beside the copy.
        func lowBitsSource(_ s: VReg, _ from: Width) -> VReg? {
            guard defs[s] == 1, let inst = definitions[s]?.first else { return nil }
            let x: VReg
            switch inst {
            case .ext(_, let src, let inner, let to, _) where inner.bytes >= from.bytes && to.bytes >= from.bytes: x = src
            case .mov(_, .reg(let src), .w32) where from.bytes <= 4: x = src
            default: return nil
            }
            guard x != s, f.holdsOneValue(x, defs: defs), uses[s] == 1 || uses[x] > 1 else { return nil }
            return x
        }
        /// The register and bit holding the sign bit of `s` at width `w`: through
        /// arithmetic right shifts (which copy it), to a sign extension's top bit of a value
        /// with no bits above it (`(short)x >> 31`, x a 16-bit load, is `x >> 15`).
        /// Each step written once, the register reached holding one value.
        func signBit(of s: VReg, _ w: Width) -> (reg: VReg, bit: Int)? {
            var cur = s
            for _ in 0..<4 {
                guard defs[cur] == 1, let inst = definitions[cur]?.first else { break }
                if case .binary(.ashr, _, let y, .imm(let k), w) = inst, k >= 0, k < Int64(w.bits), y != cur,
                   f.holdsOneValue(y, defs: defs) {
                    cur = y
                    continue
                }
                if case .ext(_, let y, let from, let to, true) = inst, to.bits >= w.bits, from.bits < w.bits, y != cur,
                   f.holdsOneValue(y, defs: defs), zeroExtended(y, within: from) {
                    return (y, from.bits - 1)
                }
                break
            }
            return cur == s ? nil : (cur, w.bits - 1)
        }
        /// Registers read only by one sign extension to 64 bits and defined only by constants.
        var constantsToExtend: [VReg: Width] = [:]
        func definedByConstantsOnly(_ s: VReg) -> Bool {
            guard let ds = definitions[s], !ds.isEmpty, !parameters.contains(s) else { return false }
            return ds.allSatisfy { if case .mov(_, .imm, _) = $0 { return true }; return false }
        }
        var replace: [VReg: VReg] = [:]
        for bi in f.blocks.indices {
            var seenSymbols: [SymbolRef: VReg] = [:]
            var seenSlots: [[Int]: VReg] = [:]
            for ii in f.blocks[bi].instructions.indices {
                let inst = f.blocks[bi].instructions[ii].inst
                switch inst {
                case .ext(let d, let s, let from, _, false) where s != d && (zeroExtended(s, within: from) || fits(s, from, signed: false)):
                    f.blocks[bi].instructions[ii].inst = .mov(dst: d, src: .reg(s), width: .w64)
                case .ext(let d, let s, let from, _, true) where s != d && (fits(s, from, signed: true) || from == .w32 && countsUpFromZero(s)):
                    f.blocks[bi].instructions[ii].inst = .mov(dst: d, src: .reg(s), width: .w64)
                // A 64-bit value within the signed range of `from` is its own sign extension
                // (`(long)` of a signed bitfield already extended from its 23 bits).
                case .ext(let d, let s, let from, .w64, true) where s != d && bounds.signedRange(s, .w64).map {
                        $0.lo >= -(Int64(1) << Int64(from.bits - 1)) && $0.hi < Int64(1) << Int64(from.bits - 1) } == true:
                    f.blocks[bi].instructions[ii].inst = .mov(dst: d, src: .reg(s), width: .w64)
                // An extension reads only the low `from` bits: through an extension or 32-bit
                // copy that keeps them, it reads its source (`(long)(int)b` of a 64-bit `b`).
                case .ext(let d, let s, let from, let to, let signed) where s != d && lowBitsSource(s, from) != nil:
                    f.blocks[bi].instructions[ii].inst = .ext(dst: d, src: lowBitsSource(s, from)!, from: from, to: to, signed: signed)
                case .ext(let d, let s, let from, .w64, true) where s != d && uses[s] == 1 && definedByConstantsOnly(s):
                    constantsToExtend[s] = from
                    f.blocks[bi].instructions[ii].inst = .mov(dst: d, src: .reg(s), width: .w64)
                case .mov(let d, .reg(let s), .w32) where zeroExtended(s, within: .w32) || fits(s, .w32, signed: false):
                    f.blocks[bi].instructions[ii].inst = .mov(dst: d, src: .reg(s), width: .w64)
                case .binary(.and, let d, let s, .imm(let k), let w) where keepsEveryBit(s, mask: k, width: w):
                    f.blocks[bi].instructions[ii].inst = .mov(dst: d, src: .reg(s), width: .w64)
                case .binary(.and, let d, let s, .reg(let r), let w) where constant(r).map { keepsEveryBit(s, mask: $0, width: w) } == true:
                    f.blocks[bi].instructions[ii].inst = .mov(dst: d, src: .reg(s), width: .w64)
                // A remainder or quotient of a value below the divisor: the value, or 0
                // (`(x & flag) % 6` of a 0-or-1 flag). The remainder's clamp for the
                // verifier then tests a value it bounds itself, and is decided.
                case .binary(let op, let d, let s, .imm(let k), let w) where (op == .urem || op == .udiv) && (w == .w32 || w == .w64)
                    && k > 0 && bounds.upperBound(s).map { $0 < UInt64(k) } == true:
                    f.blocks[bi].instructions[ii].inst = op == .urem ? .mov(dst: d, src: .reg(s), width: .w64)
                                                                     : .mov(dst: d, src: .imm(0), width: .w64)
                // The upper half of a 32-bit value, shifted down: zero (`log2l(bytes / 1024)`
                // of a u32 never takes its `hi` branch).
                case .binary(.lshr, let d, let s, .imm(let k), .w64) where k >= 32 && k < 64 && upperHalfZero(s):
                    f.blocks[bi].instructions[ii].inst = .mov(dst: d, src: .imm(0), width: .w64)
                // A non-negative value shifted right arithmetically is shifted logically (the
                // sign of a signed division by a power of two, known zero, folds away).
                case .binary(.ashr, let d, let s, .imm(let k), let w)
                    where w != .w8 && w != .w16 && (fits(s, w, signed: true) || k == Int64(w.bits - 1) && testedNonNegative(s, w, in: bi)):
                    f.blocks[bi].instructions[ii].inst = k >= Int64(w.bits - 1)
                        ? .mov(dst: d, src: .imm(0), width: .w64) : .binary(.lshr, dst: d, lhs: s, rhs: .imm(k), width: w)
                // `a - (a & -2^k)` (a remainder by 2^k of a non-negative value) keeps the
                // low k bits.
                case .binary(.sub, let d, let a, .reg(let x), let w) where defs[a] == 1 && lowBitsKept(a, x, w) != nil:
                    f.blocks[bi].instructions[ii].inst = .binary(.and, dst: d, lhs: a, rhs: .imm(lowBitsKept(a, x, w)!), width: w)
                // A sign bit shifted down is its source's: `(x s>> 31) >> 31` is `x >> 31`.
                case .binary(.lshr, let d, let s, .imm(let k), let w)
                    where (w == .w32 || w == .w64) && k == Int64(w.bits - 1) && signBit(of: s, w) != nil:
                    let (x, bit) = signBit(of: s, w)!
                    f.blocks[bi].instructions[ii].inst = .binary(.lshr, dst: d, lhs: x, rhs: .imm(Int64(bit)), width: w)
                case .binary(.mul, let d, let s, .imm(1), let w):
                    f.blocks[bi].instructions[ii].inst = .mov(dst: d, src: .reg(s), width: w)
                case .binary(let op, let d, let s, .imm(0), let w) where [.add, .sub, .or, .xor, .shl, .lshr, .ashr].contains(op):
                    f.blocks[bi].instructions[ii].inst = .mov(dst: d, src: .reg(s), width: w)
                case .symbolAddr(let d, let sym) where defs[d] == 1:
                    if let prev = seenSymbols[sym] { replace[d] = prev } else { seenSymbols[sym] = d }
                case .slotAddr(let d, let slot, let off) where defs[d] == 1:
                    if let prev = seenSlots[[slot, off]] { replace[d] = prev } else { seenSlots[[slot, off]] = d }
                default: break
                }
            }
        }
        // A branch its register's range decides: a switch over `(x >> 2) + 127` of a
        // 16-bit `x` has no case 0 (as clang's range analysis drops such cases).
        let decided = decideBranches(&f, definitions: definitions, parameters: parameters)
        if !constantsToExtend.isEmpty {
            for bi in f.blocks.indices {
                for ii in f.blocks[bi].instructions.indices {
                    guard case .mov(let d, .imm(let k), let w) = f.blocks[bi].instructions[ii].inst,
                          let from = constantsToExtend[d] else { continue }
                    // The value the definition leaves in the register, then its low `from` bits sign-extended.
                    let held = w.extend(UInt64(bitPattern: k), signed: false)
                    let extended = Int64(bitPattern: from.extend(held, signed: true))
                    f.blocks[bi].instructions[ii].inst = .mov(dst: d, src: .imm(extended), width: .w64)
                }
            }
        }
        // Rewrite uses of the duplicates (defined once, so every use sees the same value);
        // dead code elimination then drops their definitions.
        for bi in f.blocks.indices where !replace.isEmpty {
            for ii in f.blocks[bi].instructions.indices {
                var inst = f.blocks[bi].instructions[ii].inst
                for u in inst.usedRegs { if let r = replace[u] { inst = inst.replacingUses(of: u, with: r) } }
                f.setInst(bi, ii, inst)
            }
            for u in f.blocks[bi].terminator.usedRegs {
                if let r = replace[u] { f.blocks[bi].terminator = f.blocks[bi].terminator.replacingUses(of: u, with: r) }
            }
        }
        // The arms the decided branches no longer reach go.
        return decided ? CFGSimplify.run(f) : f
    }

    /// Makes each branch on a register and a constant that the register's range decides
    /// a jump; whether any was. An equality test may also be decided by the bounds of
    /// quotients and remainders by constants (a `switch` over `(c / 100) % 5` of a byte
    /// has no case 3), which the verifier does not know: what it leaves is the side where
    /// the value differs from the constant, which tells the verifier nothing it could need
    /// (an ordering test may be the bounds check it needs before an access, and the
    /// remainder's clamp is one).
    static func decideBranches(_ f: inout Function, definitions: [VReg: [Inst]], parameters: Set<VReg>) -> Bool {
        var decided = false
        var bounds = ValueBounds(definitions: definitions, parameters: parameters, returns: f.returnBounds)
        var equalityBounds = ValueBounds(definitions: withoutRemainderClamps(f, definitions), parameters: parameters, returns: f.returnBounds, quotients: true)
        for bi in f.blocks.indices {
            if case .branch(let cc, let x, .reg(let y), let w, let t, let e) = f.blocks[bi].terminator,
               let taken = decidedByRanges(cc, x, y, w, &bounds, fits: &equalityBounds) {
                f.blocks[bi].terminator = .jump(taken ? t : e)
                decided = true
                continue
            }
            guard case .branch(let cc, let tested, .imm(let k), let w, let t, let e) = f.blocks[bi].terminator else { continue }
            // A register copied in the block from one not written after: its value here is
            // the source's, whatever else other blocks write (`x = c ? 0 : y + 1000` tests
            // `y + 1000` on the arm that computes it).
            var x = tested
            let insts = f.blocks[bi].instructions
            if let at = insts.lastDefinition(of: tested), case .mov(tested, .reg(let y), let mw) = insts[at].inst,
               mw == .w64 || (mw == .w32 && w == .w32), y != tested, !insts.redefines([y], after: at) {
                x = y
            }
            guard let taken = cc == .eq || cc == .ne
                      ? decidedByRange(cc, x, k, w, &equalityBounds)
                          ?? decidedUndone(cc, x, k, w, f.blocks[bi].instructions, &bounds)
                      : decidedByRange(cc, x, k, w, &bounds)
            else { continue }
            f.blocks[bi].terminator = .jump(taken ? t : e)
            decided = true
        }
        return decided
    }

    /// An equality test of a negation, or of a sum, difference or xor with a constant,
    /// against a constant, decided by the range of the operand against the constant
    /// undone (`-x == 21` is `x == -21`, `x + 3 == 10` is `x == 7`, modulo the operation's
    /// width): `21 != -(unsigned)byte` and `(short_value ^ 0xbbaaf503) != 0` always hold,
    /// as clang's instcombine and range analysis find. The operation is the block's last
    /// definition of `v`, its operand not written after it.
    static func decidedUndone(_ cc: CondCode, _ v: VReg, _ k: Int64, _ cw: Width, _ insts: [Instruction],
                              _ bounds: inout ValueBounds) -> Bool? {
        guard cw == .w32 || cw == .w64, let at = insts.lastDefinition(of: v) else { return nil }
        func constant(_ o: Operand) -> UInt64? { bounds.constant(o).map { UInt64(bitPattern: $0) } }
        let x: VReg, ow: Width, undo: (UInt64) -> UInt64
        switch insts[at].inst {
        case .neg(v, let s, let w): (x, ow, undo) = (s, w, { 0 &- $0 })
        case .binary(let op, v, let s, let o, let w) where op == .add || op == .sub || op == .xor:
            // (A commutative operation may hold its constant on the left.)
            let c: UInt64
            if let value = constant(o) { (x, c) = (s, value) }
            else if op != .sub, case .reg(let r) = o, let value = constant(.reg(s)) { (x, c) = (r, value) }
            else { return nil }
            ow = w
            undo = op == .add ? { $0 &- c } : op == .sub ? { $0 &+ c } : { $0 ^ c }
        default: return nil
        }
        guard ow == .w32 || ow == .w64, x != v, !insts.redefines([x], after: at) else { return nil }
        // The width both sides agree on: a 32-bit operation's result is zero-extended, so
        // its 64-bit test against a constant of 2^32 or more is not one of these.
        let tested = UInt64(bitPattern: k)
        guard ow == .w64 || cw == .w32 || tested >> 32 == 0 else { return nil }
        let width: Width = ow == .w32 || cw == .w32 ? .w32 : .w64
        let target = undo(tested & width.mask) & width.mask
        return decidedByRange(cc, x, Int64(bitPattern: target), width, &bounds)
    }

    /// `definitions` less those in the clamps lowering puts after a remainder by a
    /// constant C for the verifier (`r = x % C; if (r > C - 1) { r = C - 1; ... }`): a
    /// clamp runs only when the remainder is above C - 1, which it never is, so what it
    /// writes is never seen (a byte's `(c / 100) % 5` is at most 2, not 4). A clamp is a
    /// block entered only from that test, and `r` is written only by the remainder and
    /// there.
    static func withoutRemainderClamps(_ f: Function, _ definitions: [VReg: [Inst]]) -> [VReg: [Inst]] {
        var out = definitions
        let preds = f.flowGraph.predecessors
        for (bi, b) in f.blocks.enumerated() where preds[bi].count == 1 {
            let r: VReg, k: Int64
            switch f.blocks[preds[bi][0]].terminator {
            case .branch(.ule, let x, .imm(let c), _, let t, let e) where e == b.id && t != b.id: (r, k) = (x, c)
            case .branch(.ugt, let x, .imm(let c), _, let t, let e) where t == b.id && e != b.id: (r, k) = (x, c)
            default: continue
            }
            let inClamp = b.instructions.filter { $0.inst.defines(r) }.map(\.inst)
            guard let ds = definitions[r], !inClamp.isEmpty, ds.count == inClamp.count + 1,
                  ds.contains(where: { if case .binary(.urem, r, _, .imm(let c), _) = $0 { return c == k &+ 1 && k >= 0 }; return false })
            else { continue }
            for i in b.instructions {
                for d in i.inst.definedRegs {
                    if let at = out[d]?.firstIndex(of: i.inst) { out[d]!.remove(at: at) }
                }
            }
        }
        return out
    }

    /// Whether `x cc k` at width `w` always holds (true) or never (false), by the range
    /// of values `x` can hold (`ValueBounds`); nil when the range does not say.
    static func decidedByRange(_ cc: CondCode, _ x: VReg, _ k: Int64, _ w: Width, _ bounds: inout ValueBounds) -> Bool? {
        guard w == .w64 || w == .w32 else { return nil }
        return decidedByUnsignedRange(cc, x, k, w, &bounds) ?? decidedBySignedRange(cc, x, k, w, &bounds)
            ?? (w == .w64 ? bounds.offsetRange(x).flatMap { decided(cc, lo: $0.lo, hi: $0.hi, k, w) } : nil)
    }

    /// Whether `x cc y` of two registers always holds or never, by their unsigned ranges
    /// apart (`byte >= (0x80000000 - byte2) / 7` never holds). The verifier learns nothing
    /// from such a test that it would need after: what bounds `y` away from `x` is a
    /// quotient or difference it does not bound either, or a range it knows already.
    /// `fits`: bounds that may bound quotients, asked only whether a register's upper half
    /// is clear.
    static func decidedByRanges(_ cc: CondCode, _ x: VReg, _ y: VReg, _ w: Width, _ bounds: inout ValueBounds,
                                fits: inout ValueBounds) -> Bool? {
        guard x != y, w == .w64 || w == .w32 else { return nil }
        // (A bound above the width says nothing of the value tested; nor, at 32 bits,
        // does the least value of a register whose upper half may be set.)
        func high(_ r: VReg) -> UInt64? { bounds.upperBound(r).flatMap { $0 <= w.mask ? $0 : nil } }
        func low(_ r: VReg) -> UInt64 {
            w == .w64 || (fits.upperBound(r).map { $0 <= w.mask } ?? false) ? bounds.lowerBound(r) : 0
        }
        let below = high(x).map { $0 < low(y) } ?? false
        let above = !below && (high(y).map { low(x) > $0 } ?? false)
        switch cc {
        case .ult, .ule: return below ? true : (above ? false : nil)
        case .ugt, .uge: return above ? true : (below ? false : nil)
        case .eq: return below || above ? false : nil
        case .ne: return below || above ? true : nil
        default: return nil
        }
    }

    static func decidedByUnsignedRange(_ cc: CondCode, _ x: VReg, _ k: Int64, _ w: Width, _ bounds: inout ValueBounds) -> Bool? {
        guard let hi = bounds.upperBound(x), hi <= w.mask else { return nil }
        return decided(cc, lo: bounds.lowerBound(x), hi: hi, k, w)
    }

    /// Whether `x cc k` always holds or never, for `x` in the unsigned range [lo, hi].
    static func decided(_ cc: CondCode, lo: UInt64, hi: UInt64, _ k: Int64, _ w: Width) -> Bool? {
        let c = w.extend(UInt64(bitPattern: k), signed: false)
        switch cc {
        case .set: return nil
        // Decided only with the constant outside the range.
        case .eq, .ne: return c < lo || c > hi ? cc == .ne : nil
        // A signed test orders as an unsigned one when both sides are non-negative.
        case .slt, .sle, .sgt, .sge: if max(hi, c) > w.mask >> 1 { return nil }
        case .ult, .ule, .ugt, .uge: break
        }
        // An ordering test is monotonic in x: decided when both ends of the range agree.
        let atLow = cc.evaluate(lo, c, width: w)
        return atLow == cc.evaluate(hi, c, width: w) ? atLow : nil
    }

    /// The same, by the signed range of a value whose unsigned one is not known (a
    /// sign-extended byte plus 256 is never 0; `(short)c + 200 < 50` never holds).
    static func decidedBySignedRange(_ cc: CondCode, _ x: VReg, _ k: Int64, _ w: Width, _ bounds: inout ValueBounds) -> Bool? {
        guard let r = bounds.signedRange(x, w) else { return nil }
        let c = Int64(bitPattern: w.extend(UInt64(bitPattern: k), signed: true))
        switch cc {
        case .eq, .ne: return c < r.lo || c > r.hi ? cc == .ne : nil
        case .slt, .sle, .sgt, .sge:
            let atLow = cc.evaluate(UInt64(bitPattern: r.lo), UInt64(bitPattern: c), width: w)
            return atLow == cc.evaluate(UInt64(bitPattern: r.hi), UInt64(bitPattern: c), width: w) ? atLow : nil
        default: return nil      // unsigned orders are not monotonic across the sign change
        }
    }
}
