import Testing
@testable import BPFIR
@testable import BPFCodegen

/// DemandedBits: an inner mask or extension whose dropped bits the outer mask never reads
/// goes; RedundancyElimination's extension through an extension reads the source.
extension OptimizerPassTests {
    /// `t = x & inner; s = t <op> y; r = s & outer; return r` (x = %0, y = %1).
    func maskedOperation(_ op: BinOp, inner: Int64, outer: Int64, rhs: Operand = .reg(VReg(1))) -> Function {
        fn([Block(id: BlockID(0), instructions: [
            ins(.binary(.and, dst: VReg(2), lhs: VReg(0), rhs: .imm(inner), width: .w64)),
            ins(.binary(op, dst: VReg(3), lhs: VReg(2), rhs: rhs, width: .w64)),
            ins(.binary(.and, dst: VReg(4), lhs: VReg(3), rhs: .imm(outer), width: .w64)),
        ], terminator: .ret(.reg(VReg(4))))], params: 2)
    }
    func innerMaskGone(_ f: Function) -> Bool {
        !f.blocks[0].instructions.contains { if case .binary(.and, _, VReg(0), _, _) = $0.inst { return true }; return false }
    }
    static let samples: [Int64] = [0, 1, -1, 0xff, 0x1234_5678_9abc_def0, Int64.min, 0x7fff_ffff, -0x8000_0000, 0xff_ffff_ffff]

    @Test func innerMasksNobodyReadsGo() throws {
        let forms: [Function] = [
            maskedOperation(.add, inner: 0xff_ffff_ffff, outer: 0xff_ffff_ffff),
            maskedOperation(.sub, inner: 0xffff, outer: 0xff),
            maskedOperation(.mul, inner: 0xffff_ffff, outer: 0xffff),
            maskedOperation(.shl, inner: 0xff, outer: 0x3ff, rhs: .imm(2)),
            maskedOperation(.xor, inner: 0xf0f0, outer: 0x30f0),
            maskedOperation(.lshr, inner: 0xff00, outer: 0xff, rhs: .imm(8)),
            maskedOperation(.ashr, inner: 0xfff0, outer: 0xfff, rhs: .imm(4)),
        ]
        for f in forms {
            let g = DemandedBits.run(f)
            #expect(innerMaskGone(g), "\(show(g))")
            for x in Self.samples { for y in Self.samples.prefix(4) {
                #expect(try IRInterpreter.run(g, args: [x, y]) == IRInterpreter.run(f, args: [x, y]), "\(x) \(y)\(show(g))")
            } }
        }
    }

    /// Kept: an outer mask that is not a low mask under a sum, an inner mask dropping a
    /// bit the outer one reads, a right shift whose kept bits reach past the top.
    @Test func innerMasksSomebodyReadsStay() {
        for f in [maskedOperation(.add, inner: 0xff, outer: 0xf0f),
                  maskedOperation(.xor, inner: 0xf0, outer: 0x1f0),
                  maskedOperation(.ashr, inner: -1 << 4, outer: -1 >> 4 & ~0xf, rhs: .imm(8))] {
            #expect(!innerMaskGone(DemandedBits.run(f)), "\(show(f))")
        }
    }

    /// A dead byte extension of `s = 0 - sext16(x)` demands nothing of `s`: `s`'s one
    /// read is its 32-bit copy, returned whole, so the sign extension stays (random
    /// program 73394: `(u32)(0 - (long)(0u - (unsigned)g5))` of a `short g5` came out
    /// zero-extended).
    @Test func aDeadExtensionDemandsNothing() throws {
        let f = fn([Block(id: BlockID(0), instructions: [
            ins(.ext(dst: VReg(1), src: VReg(0), from: .w16, to: .w32, signed: true)),
            ins(.binary(.sub, dst: VReg(2), lhs: VReg(5), rhs: .reg(VReg(1)), width: .w32)),
            ins(.binary(.sub, dst: VReg(3), lhs: VReg(5), rhs: .reg(VReg(2)), width: .w64)),
            ins(.ext(dst: VReg(4), src: VReg(3), from: .w8, to: .w32, signed: false)),
            ins(.mov(dst: VReg(6), src: .reg(VReg(3)), width: .w32)),
        ], terminator: .ret(.reg(VReg(6))))], params: 1)
        var zero = f
        zero.blocks[0].instructions.insert(ins(.mov(dst: VReg(5), src: .imm(0), width: .w64)), at: 0)
        let g = DemandedBits.run(zero)
        #expect(g.blocks[0].instructions.contains { if case .ext(_, VReg(0), .w16, _, true) = $0.inst { return true }; return false }, "\(show(g))")
        for x in Self.samples { #expect(try IRInterpreter.run(g, args: [x]) == IRInterpreter.run(zero, args: [x]), "\(x)\(show(g))") }
    }

    /// `w8 += w2` of `r2 = r1 ^ (long)(int)w0` reads the low half of the `xor`, which
    /// reads its operands' low halves: the sign extension goes.
    @Test func aThirtyTwoBitReaderDemandsTheLowHalf() throws {
        let f = fn([Block(id: BlockID(0), instructions: [
            ins(.ext(dst: VReg(3), src: VReg(0), from: .w32, to: .w64, signed: true)),
            ins(.binary(.xor, dst: VReg(4), lhs: VReg(1), rhs: .reg(VReg(3)), width: .w64)),
            ins(.binary(.add, dst: VReg(5), lhs: VReg(2), rhs: .reg(VReg(4)), width: .w32)),
        ], terminator: .ret(.reg(VReg(5))))], params: 3)
        let g = DemandedBits.run(f)
        #expect(!g.blocks[0].instructions.contains { if case .ext = $0.inst { return true }; return false }, "\(show(g))")
        for x in Self.samples { for y in Self.samples.prefix(4) {
            #expect(try IRInterpreter.run(g, args: [x, y, 7]) == IRInterpreter.run(f, args: [x, y, 7]), "\(x) \(y)\(show(g))")
        } }
    }

    /// `e = (long)(int)b` of a 64-bit `b` through its 32-bit copy reads `b` (one link of
    /// the chain a run).
    @Test func extensionThroughACopyReadsTheSource() throws {
        let f = fn([Block(id: BlockID(0), instructions: [
            ins(.mov(dst: VReg(2), src: .reg(VReg(0)), width: .w32)),
            ins(.ext(dst: VReg(3), src: VReg(2), from: .w32, to: .w64, signed: true)),
            ins(.ext(dst: VReg(4), src: VReg(3), from: .w16, to: .w64, signed: false)),
        ], terminator: .ret(.reg(VReg(4))))], params: 1)
        let g = DeadCodeElimination.run(RedundancyElimination.run(DeadCodeElimination.run(RedundancyElimination.run(f))))
        #expect(g.blocks[0].instructions.map(\.inst) == [.ext(dst: VReg(4), src: VReg(0), from: .w16, to: .w64, signed: false)], "\(show(g))")
        for x in Self.samples { #expect(try IRInterpreter.run(g, args: [x]) == IRInterpreter.run(f, args: [x])) }
    }
}

/// FieldInserts: fields of one word set one after another clear their bits with one mask;
/// a one-bit field negated is the word with the bit flipped; the top field added to is the
/// word added to.
extension OptimizerPassTests {
    /// `w = (x & ~0xff) | (y & 0xff); w = (w & ~0xff00) | ((y & 0xff) << 8); return w`.
    func twoFieldInserts() -> Function {
        fn([Block(id: BlockID(0), instructions: [
            ins(.binary(.and, dst: VReg(2), lhs: VReg(0), rhs: .imm(~0xff), width: .w64)),
            ins(.binary(.and, dst: VReg(3), lhs: VReg(1), rhs: .imm(0xff), width: .w64)),
            ins(.binary(.or, dst: VReg(4), lhs: VReg(2), rhs: .reg(VReg(3)), width: .w64)),
            ins(.binary(.and, dst: VReg(5), lhs: VReg(4), rhs: .imm(~0xff00), width: .w64)),
            ins(.binary(.shl, dst: VReg(6), lhs: VReg(3), rhs: .imm(8), width: .w64)),
            ins(.binary(.or, dst: VReg(7), lhs: VReg(5), rhs: .reg(VReg(6)), width: .w64)),
        ], terminator: .ret(.reg(VReg(7))))], params: 2)
    }
    /// `w = (x & ~B) | ((((x >> k) & 1) ^ 1) << k)`, or with `add c` and the top field's mask.
    func ownFieldRewritten(toggle: Bool, k: Int64) -> Function {
        let keep: Int64 = toggle ? ~(1 << k) : Int64(bitPattern: (UInt64(1) << UInt64(k)) - 1)
        let fieldMask: Int64 = toggle ? 1 : Int64(bitPattern: ~UInt64(bitPattern: keep) >> UInt64(k))
        return fn([Block(id: BlockID(0), instructions: [
            ins(.binary(.and, dst: VReg(2), lhs: VReg(0), rhs: .imm(keep), width: .w64)),
            ins(.binary(.lshr, dst: VReg(3), lhs: VReg(0), rhs: .imm(k), width: .w64)),
            toggle ? ins(.binary(.and, dst: VReg(4), lhs: VReg(3), rhs: .imm(1), width: .w64))
                   : ins(.binary(.add, dst: VReg(4), lhs: VReg(3), rhs: .imm(5), width: .w32)),
            toggle ? ins(.binary(.xor, dst: VReg(5), lhs: VReg(4), rhs: .imm(1), width: .w64))
                   : ins(.binary(.and, dst: VReg(5), lhs: VReg(4), rhs: .imm(fieldMask), width: .w64)),
            ins(.binary(.shl, dst: VReg(6), lhs: VReg(5), rhs: .imm(k), width: .w64)),
            ins(.binary(.or, dst: VReg(7), lhs: VReg(2), rhs: .reg(VReg(6)), width: .w64)),
        ], terminator: .ret(.reg(VReg(7))))], params: 1)
    }
    func masks(_ f: Function) -> Int {
        f.blocks[0].instructions.filter { if case .binary(.and, _, _, _, _) = $0.inst { return true }; return false }.count
    }

    @Test func fieldsSetInTurnClearOnce() throws {
        let f = twoFieldInserts()
        let g = DeadCodeElimination.run(MoveFolding.run(FieldInserts.run(f)))
        #expect(masks(g) == 2, "one mask for the word, one for the field\(show(g))")
        for x in Self.samples { for y in Self.samples {
            #expect(try IRInterpreter.run(g, args: [x, y]) == IRInterpreter.run(f, args: [x, y]), "\(x) \(y)\(show(g))")
        } }
        // The word between the steps read elsewhere: its value must stay, the chain too.
        var h = f
        h.blocks[0].terminator = .ret(.reg(VReg(4)))
        h.blocks[0].instructions.append(ins(.binary(.add, dst: VReg(8), lhs: VReg(4), rhs: .reg(VReg(7)), width: .w64)))
        h.blocks[0].terminator = .ret(.reg(VReg(8)))
        #expect(FieldInserts.run(h) == h)
    }

    @Test func fieldRewrittenFromItselfIsOneOperation() throws {
        for (toggle, k): (Bool, Int64) in [(true, 60), (true, 3), (true, 63), (false, 61), (false, 40)] {
            let f = ownFieldRewritten(toggle: toggle, k: k)
            let g = DeadCodeElimination.run(FieldInserts.run(f))
            #expect(g.blocks[0].instructions.count == 1, "\(toggle) \(k)\(show(g))")
            for x in Self.samples {
                #expect(try IRInterpreter.run(g, args: [x]) == IRInterpreter.run(f, args: [x]), "\(toggle) \(k) \(x)\(show(g))")
            }
        }
        // A toggle, then another field set from a value outside the word: that step's
        // mask stays (the toggle no longer reads the chain before it).
        var g = ownFieldRewritten(toggle: true, k: 40)
        g.blocks[0].instructions += [ins(.binary(.and, dst: VReg(8), lhs: VReg(7), rhs: .imm(~0xff), width: .w64)),
                                     ins(.binary(.and, dst: VReg(9), lhs: VReg(1), rhs: .imm(0xff), width: .w64)),
                                     ins(.binary(.or, dst: VReg(10), lhs: VReg(8), rhs: .reg(VReg(9)), width: .w64))]
        g.blocks[0].terminator = .ret(.reg(VReg(10)))
        g.parameters = [VReg(0), VReg(1)]
        let h = DeadCodeElimination.run(FieldInserts.run(g))
        for x in Self.samples { for y in Self.samples.prefix(4) {
            #expect(try IRInterpreter.run(h, args: [x, y]) == IRInterpreter.run(g, args: [x, y]), "\(x) \(y)\(show(h))")
        } }
        // A field not at the top: its carry would reach the next field; left alone.
        var f = ownFieldRewritten(toggle: false, k: 40)
        f.blocks[0].instructions[3] = ins(.binary(.and, dst: VReg(5), lhs: VReg(4), rhs: .imm(0xff), width: .w64))
        f.blocks[0].instructions[0] = ins(.binary(.and, dst: VReg(2), lhs: VReg(0), rhs: .imm(~(0xff << 40)), width: .w64))
        #expect(DeadCodeElimination.run(FieldInserts.run(f)).blocks[0].instructions.count > 1)
    }
}

/// DemandedBits.truncatedOperations: a 64-bit operation read only by its truncation to 32
/// bits is the 32-bit operation, reading through a sign extension of its operand.
extension OptimizerPassTests {
    /// `c = (u32)((long)(int)c + (v & 1))` in a loop body's shape: %0 = v, %1 = c.
    func truncatedSum(_ op: BinOp, rhs: Operand = .reg(VReg(2)), between: [Inst] = []) -> Function {
        fn([Block(id: BlockID(0), instructions: ([
            .binary(.and, dst: VReg(2), lhs: VReg(0), rhs: .imm(1), width: .w64),
            .ext(dst: VReg(3), src: VReg(1), from: .w32, to: .w64, signed: true),
            .binary(op, dst: VReg(4), lhs: VReg(3), rhs: rhs, width: .w64),
        ] + between + [.mov(dst: VReg(1), src: .reg(VReg(4)), width: .w32)]).map(ins),
                   terminator: .ret(.reg(VReg(1))))], params: 2)
    }

    @Test func operationsReadOnlyByTheirTruncationAre32Bit() throws {
        for (op, rhs): (BinOp, Operand) in [(.add, .reg(VReg(2))), (.sub, .reg(VReg(2))), (.mul, .imm(3)), (.xor, .reg(VReg(0))), (.shl, .imm(5))] {
            let f = truncatedSum(op, rhs: rhs)
            let g = DemandedBits.truncatedOperations(f)
            #expect(g.blocks[0].instructions.contains { if case .binary(op, VReg(1), VReg(1), _, .w32) = $0.inst { return true }; return false }, "\(show(g))")
            #expect(!g.blocks[0].instructions.contains { if case .ext = $0.inst { return true }; return false })
            for v in Self.samples { for c in Self.samples {
                #expect(try IRInterpreter.run(g, args: [v, c]) == IRInterpreter.run(f, args: [v, c]), "\(op) \(v) \(c)\(show(g))")
            } }
        }
        // Kept: a right shift (its low half reads the high half), a shift by 32 or more.
        for f in [truncatedSum(.lshr, rhs: .imm(3)), truncatedSum(.shl, rhs: .imm(32))] {
            #expect(!DemandedBits.truncatedOperations(f).blocks[0].instructions.contains {
                if case .binary(_, VReg(1), _, _, .w32) = $0.inst { return true }; return false }, "\(show(f))")
        }
        // The extended register written between the extension and the truncation: the
        // 32-bit operation reads the extension, not the register.
        let f = truncatedSum(.add, between: [.mov(dst: VReg(1), src: .imm(9), width: .w64)])
        let g = DemandedBits.truncatedOperations(f)
        #expect(g.blocks[0].instructions.last?.inst == .binary(.add, dst: VReg(1), lhs: VReg(3), rhs: .reg(VReg(2)), width: .w32), "\(show(g))")
        for v in Self.samples { #expect(try IRInterpreter.run(g, args: [v, 7]) == IRInterpreter.run(f, args: [v, 7])) }
    }
}

extension OptimizerPassTests {
    /// Two rounds of a byte accumulator, `a = (char)(u8)(a * 5 + t)` with a 64-bit `t`:
    /// each round's product and sum feed only the next round's byte extension (and the
    /// last one's), so the masks and extensions between rounds go — the product's
    /// extension to 64 bits, then what it extended, the byte's sign extension — and the
    /// rounds read the sums themselves, as clang's demanded-bits analysis computes them;
    /// the last extension stays. Equal on every input (the interpreter).
    @Test func extensionsBetweenRoundsOfANarrowAccumulatorGo() throws {
        let a = VReg(0), t = VReg(1)
        var insts: [Instruction] = []
        var cur = a, next = 10
        for _ in 0..<2 {
            let e = VReg(next), m = VReg(next + 1), w = VReg(next + 2), s = VReg(next + 3), z = VReg(next + 4)
            insts += [ins(.ext(dst: e, src: cur, from: .w8, to: .w32, signed: true)),
                      ins(.binary(.mul, dst: m, lhs: e, rhs: .imm(5), width: .w32)),
                      ins(.ext(dst: w, src: m, from: .w32, to: .w64, signed: true)),
                      ins(.binary(.add, dst: s, lhs: w, rhs: .reg(t), width: .w64)),
                      ins(.ext(dst: z, src: s, from: .w8, to: .w32, signed: false))]
            cur = z
            next += 5
        }
        let r = VReg(next)
        insts.append(ins(.ext(dst: r, src: cur, from: .w8, to: .w64, signed: true)))
        let f = fn([Block(id: BlockID(0), instructions: insts, terminator: .ret(.reg(r)))], params: 2)
        let g = DemandedBits.run(f)
        let extensions = g.blocks[0].instructions.filter { if case .ext = $0.inst { return true }; return false }
        #expect(extensions.count == 2, "the first round's and the result's\(show(g))")
        for x in Self.samples { for y in Self.samples.prefix(5) {
            #expect(try IRInterpreter.run(g, args: [x, y]) == IRInterpreter.run(f, args: [x, y]), "\(x) \(y)\(show(g))")
        } }
    }
}
