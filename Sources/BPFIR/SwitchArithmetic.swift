/// A switch whose cases only set one register to a constant that is a linear function
/// of the case value becomes that function: the chain of `x == k` branches lowering
/// makes (`case 0: r = 11; case 1: r = 22; ... case 7: r = 88; default: r = -1`), each
/// to a block that sets `r` and jumps to one join, becomes one range check
/// `x - lo <u n` and `r = (x - lo) * a + c`, as clang's switch-to-arithmetic does. The
/// cases may leave gaps in `lo ..< lo + n` when `n` is at most 64: a bit mask of the
/// present keys then sends the others to the default, as clang's lookup tables with
/// holes do (falco maps some forty socket families to themselves this way). Three cases
/// at least without gaps, six with; the default (the chain's last `else`) stays as it was,
/// unless the value's upper bound shows that the cases cover every value it can hold, or
/// every one but the next point of the line, which the default then returns (then no
/// range check is left: clang's `(b >> 4 & 3) + 6`; two cases are enough then, a
/// 0-or-1 flag's `case 0: r = 10; case 1: r = 20;` becoming `r = flag * 10 + 10`). The cases may also each return their
/// constant (`case 0: return 6;`), the computed value then returned.
public enum SwitchArithmetic {
    public static func run(_ f: Function) -> Function {
        var f = f
        let preds = f.flowGraph.predecessors
        let index = f.blockIndexByID
        var consumed: Set<Int> = []           // links of a chain already replaced
        var bounds: ValueBounds? = nil
        var added: [(after: Int, block: Block)] = []
        var nextID = f.unusedBlockID.id
        for h in f.blocks.indices where !consumed.contains(h) {
            guard var s = chain(from: h, f, preds, index) else { continue }
            guard var plan = linear(s) else {
                // Each later link heads a shorter chain, tried in turn; a long chain's
                // suffixes are not (a switch of 8,000 cases that are not linear took
                // seconds per thousand links).
                if s.links.count > longestRetried { consumed.formUnion(s.links) }
                continue
            }
            let x = s.value, w = s.width
            // Every value x can hold is a case (`switch ((b >> 4) & 3)` with cases 0, 1, 2 and
            // a default that is the line's next point, 3): no range check is left.
            var covered = false
            if plan.present == nil, plan.low == 0, fitsIn32Bits(x, f, &bounds), let top = bounds!.upperBound(x) {
                if top < UInt64(plan.count) {
                    covered = true
                } else if top == UInt64(plan.count), let fi = index[s.fallback], let arm = caseArm(f.blocks[fi]),
                          (arm.result == nil) == s.returns, arm.result == nil || (arm.result == s.result && arm.join == s.join),
                          arm.constant == plan.first &+ plan.slope &* Int64(plan.count) {
                    plan.count += 1
                    covered = true
                }
            }
            // Two cases only where they are every value (a 0-or-1 flag: clang's select).
            guard s.cases.count >= 3 || covered else { continue }
            consumed.formUnion(s.links)
            if s.returns { s.result = f.newVReg() }
            var head = f.blocks[h]
            var indexReg = x
            if plan.low != 0 {
                indexReg = f.newVReg()
                head.instructions.append(Instruction(.binary(.sub, dst: indexReg, lhs: x, rhs: .imm(plan.low), width: w)))
            } else if w == .w32, !fitsIn32Bits(x, f, &bounds) {
                indexReg = f.newVReg()
                head.instructions.append(Instruction(.mov(dst: indexReg, src: .reg(x), width: .w32)))
            }
            var body: [Instruction] = []
            switch plan.slope {
            case 0:
                body.append(Instruction(.mov(dst: s.result, src: .imm(plan.first), width: .w64)))
            case 1 where plan.first == 0:
                body.append(Instruction(.mov(dst: s.result, src: .reg(indexReg), width: .w64)))
            default:
                var scaled = indexReg
                if plan.slope != 1 {
                    scaled = f.newVReg()
                    body.append(Instruction(.binary(.mul, dst: scaled, lhs: indexReg, rhs: .imm(plan.slope), width: .w64)))
                }
                body.append(plan.first == 0
                    ? Instruction(.mov(dst: s.result, src: .reg(scaled), width: .w64))
                    : Instruction(.binary(.add, dst: s.result, lhs: scaled, rhs: .imm(plan.first), width: .w64)))
            }
            let id = BlockID(nextID)
            nextID += 1
            var blocks: [Block] = []
            var target = id
            if let mask = plan.present {
                // The index's bit in the mask of present keys: `(mask >> i) & 1`.
                let check = BlockID(nextID)
                nextID += 1
                let m = f.newVReg(), bit = f.newVReg()
                blocks.append(Block(id: check, instructions: [
                    Instruction(.mov(dst: m, src: .imm(Int64(bitPattern: mask)), width: .w64)),
                    Instruction(.binary(.lshr, dst: m, lhs: m, rhs: .reg(indexReg), width: .w64)),
                    Instruction(.binary(.and, dst: bit, lhs: m, rhs: .imm(1), width: .w64)),
                ], terminator: .branch(.ne, lhs: bit, rhs: .imm(0), width: .w64, then: id, else: s.fallback)))
                target = check
            }
            head.terminator = covered ? .jump(target)
                : .branch(.ult, lhs: indexReg, rhs: .imm(Int64(plan.count)), width: w, then: target, else: s.fallback)
            f.blocks[h] = head
            blocks.append(Block(id: id, instructions: body, terminator: s.returns ? .ret(.reg(s.result)) : .jump(s.join)))
            for b in blocks.reversed() { added.append((h, b)) }
        }
        guard !added.isEmpty else { return f }
        // Each computing block goes right after its head, where the first case was (a
        // mask check before it).
        for (h, b) in added.reversed() { f.blocks.insert(b, at: h + 1) }
        return CFGSimplify.run(f)
    }

    /// The longest failed chain whose suffixes are tried as chains of their own.
    static let longestRetried = 256

    /// Whether `x`'s bits above the low 32 are known to be zero (a masked or loaded
    /// value), so a 32-bit comparison of it needs no zero extension to be an index.
    static func fitsIn32Bits(_ x: VReg, _ f: Function, _ bounds: inout ValueBounds?) -> Bool {
        if bounds == nil { bounds = ValueBounds(of: f) }
        guard let top = bounds!.upperBound(x) else { return false }
        return top <= UInt64(UInt32.max)
    }

    /// A chain of equality branches on one register, each case block setting `result`.
    struct Chain {
        var value: VReg
        var width: Width
        var cases: [(key: UInt64, constant: Int64)]
        var result: VReg
        var join: BlockID
        var fallback: BlockID
        var links: [Int] = []                 // the blocks branching on x, head first
        /// The cases return their constants (`case 0: return 6;`) instead of setting
        /// `result` and jumping to `join`.
        var returns = false
    }

    /// The chain starting at block `h`: `branch eq x, k ? case : next`, every `next`
    /// empty, reached only from the previous link and branching on the same `x`; each
    /// case block only `result = constant; jump join`, or each only `return constant`.
    static func chain(from h: Int, _ f: Function, _ preds: [[Int]], _ index: BlockIndex) -> Chain? {
        guard case .branch(.eq, let x, .imm, let w, _, _) = f.blocks[h].terminator, w == .w32 || w == .w64 else { return nil }
        var out: Chain? = nil
        var seen: Set<UInt64> = []
        for b in f.equalityChain(from: h, preds, index) {
            guard case .branch(.eq, _, .imm(let k), _, let t, let e) = f.blocks[b].terminator,
                  let ti = index[t], let arm = caseArm(f.blocks[ti]) else { break }
            let key = w == .w32 ? UInt64(UInt32(truncatingIfNeeded: k)) : UInt64(bitPattern: k)
            if out == nil {
                out = Chain(value: x, width: w, cases: [], result: arm.result ?? x, join: arm.join ?? f.blocks[ti].id,
                            fallback: e, links: [], returns: arm.result == nil)
            }
            guard out!.returns == (arm.result == nil), arm.result == nil || (out!.result == arm.result && out!.join == arm.join) else { break }
            // (In place: a copy of the chain at each link made the walk quadratic.)
            if seen.insert(key).inserted { out!.cases.append((key, arm.constant)) }
            out!.fallback = e
            out!.links.append(b)
        }
        guard let c = out, c.cases.count >= 2, c.returns || c.result != x else { return nil }
        return c
    }

    /// What a case block does: `result = constant; jump join`, or `return constant`
    /// (result and join nil).
    static func caseArm(_ b: Block) -> (result: VReg?, join: BlockID?, constant: Int64)? {
        if b.instructions.isEmpty, case .ret(.imm(let c)?) = b.terminator { return (nil, nil, c) }
        guard b.instructions.count == 1, case .jump(let join) = b.terminator,
              case .mov(let r, .imm(let c), let mw) = b.instructions[0].inst, mw == .w64 || mw == .w32 else { return nil }
        return (r, join, mw == .w32 ? Int64(UInt32(truncatingIfNeeded: c)) : c)
    }

    /// `count` keys from `low` on (the index range); `present`: the bit mask of the keys
    /// the cases name, when some in the range are missing.
    struct Plan { var low: Int64; var count: Int; var first: Int64; var slope: Int64; var present: UInt64? = nil }

    /// `constant = first + slope * (key - low)` for every key the cases name, the keys in
    /// `low ..< low + count` taken modulo 2^width (`-1 ... 1` is one range: the index
    /// `x + 1` is compared unsigned). With gaps at least six cases, in a range of at
    /// most 64 keys (the mask); without, the two a chain has at least (`run` wants three
    /// unless they are every value the register holds).
    static func linear(_ c: Chain) -> Plan? {
        let mask: UInt64 = c.width == .w64 ? .max : 0xffff_ffff
        // The range: from the key after the widest gap (modulo 2^width) to the one before it.
        let keys = c.cases.map(\.key).sorted()
        var low = keys[0], widest: UInt64 = 0
        for (i, k) in keys.enumerated() {
            let gap = (k &- keys[(i + keys.count - 1) % keys.count]) & mask
            if gap > widest { widest = gap; low = k }
        }
        let offsets = c.cases.map { (($0.key &- low) & mask, $0.constant) }
        let span = offsets.map(\.0).max()! + 1
        let gaps = span != UInt64(c.cases.count)
        if gaps { guard span <= 64, c.cases.count >= 6 else { return nil } }
        let sorted = offsets.sorted { $0.0 < $1.0 }
        let (i0, c0) = sorted[0], (i1, c1) = sorted[1]
        guard (c1 &- c0) % Int64(i1 - i0) == 0 else { return nil }
        let slope = (c1 &- c0) / Int64(i1 - i0)
        let first = c0 &- slope &* Int64(i0)
        for (i, v) in sorted where v != first &+ slope &* Int64(bitPattern: i) { return nil }
        let lowImm = c.width == .w32 ? Int64(Int32(truncatingIfNeeded: low)) : Int64(bitPattern: low)
        guard lowImm.fitsImm32, first.fitsImm32, slope.fitsImm32 else { return nil }
        let present = gaps ? sorted.reduce(UInt64(0)) { $0 | (1 << $1.0) } : nil
        return Plan(low: lowImm, count: Int(span), first: first, slope: slope, present: present)
    }
}

extension Function {
    /// The blocks of the chain of `x == k` tests starting at `h`: each later link empty,
    /// reached only from the one before (as its `else`), testing the same register at the
    /// same width. (Every link but the head has one predecessor, the link before it, so
    /// only a way back to the head could close a cycle.)
    func equalityChain(from h: Int, _ preds: [[Int]], _ index: BlockIndex) -> [Int] {
        guard case .branch(.eq, let x, .imm, let w, _, _) = blocks[h].terminator else { return [] }
        var links = [h]
        var b = h
        while case .branch(.eq, x, .imm, w, _, let e) = blocks[b].terminator, let next = index[e],
              blocks[next].instructions.isEmpty, preds[next].count == 1, next != h,
              case .branch(.eq, x, .imm, w, _, _) = blocks[next].terminator {
            links.append(next)
            b = next
        }
        return links
    }
}
