import Testing
@testable import BPFIR

/// SignedBranches, and what ValueNumbering keeps of stack slots across merges.
extension OptimizerPassTests {
    /// `n = (int)p; if (n < 0) r = 1; else { r = n + 1; if (r > 512) r = 512; } return r`
    /// with the increment marked as C `int` arithmetic or not.
    func clampedIncrement(noSignedWrap: Bool) -> Function {
        let n = VReg(2), r = VReg(3)
        return fn([
            Block(id: BlockID(0), instructions: [ins(.ext(dst: n, src: VReg(0), from: .w32, to: .w32, signed: false))],
                  terminator: .branch(.slt, lhs: n, rhs: .imm(0), width: .w32, then: BlockID(1), else: BlockID(2))),
            Block(id: BlockID(1), instructions: [ins(.mov(dst: r, src: .imm(1), width: .w64))], terminator: .jump(BlockID(3))),
            Block(id: BlockID(2), instructions: [Instruction(.binary(.add, dst: r, lhs: n, rhs: .imm(1), width: .w32),
                                                             noSignedWrap: noSignedWrap)],
                  terminator: .branch(.sgt, lhs: r, rhs: .imm(512), width: .w32, then: BlockID(4), else: BlockID(3))),
            Block(id: BlockID(4), instructions: [ins(.mov(dst: r, src: .imm(512), width: .w64))], terminator: .jump(BlockID(3))),
            Block(id: BlockID(3), terminator: .ret(.reg(r))),
        ], params: 1)
    }

    @Test func signedTestsOfNonNegativeIntsBecomeUnsigned() throws {
        let f = clampedIncrement(noSignedWrap: true)
        let g = SignedBranches.run(f)
        guard case .branch(.ugt, _, .imm(512), .w32, _, _) = g.blocks[2].terminator else {
            Issue.record("the clamp stays signed\(show(g))"); return
        }
        // The first test is on a value of unknown sign: it stays signed.
        guard case .branch(.slt, _, _, _, _, _) = g.blocks[0].terminator else { Issue.record("\(show(g))"); return }
        for p: Int64 in [-5, 0, 7, 511, 512, 600, 0x7fff_fff0] {
            #expect(try IRInterpreter.run(g, args: [p]) == IRInterpreter.run(f, args: [p]), "\(p)\(show(g))")
        }
        // Without C's guarantee the increment may wrap to a negative int: left alone.
        let h = clampedIncrement(noSignedWrap: false)
        #expect(SignedBranches.run(h) == h)
    }

    /// `int proto = byte; if (proto < 0) return -1;` (and `>= 0`): decided, the test goes.
    @Test func signedTestsOfNonNegativeIntsAgainstZeroAreDecided() throws {
        for (cc, taken) in [(CondCode.slt, false), (.sge, true)] {
            let p = VReg(2)
            let f = fn([
                Block(id: BlockID(0), instructions: [ins(.ext(dst: p, src: VReg(0), from: .w8, to: .w32, signed: false))],
                      terminator: .branch(cc, lhs: p, rhs: .imm(0), width: .w32, then: BlockID(1), else: BlockID(2))),
                Block(id: BlockID(1), terminator: .ret(.imm(-1))),
                Block(id: BlockID(2), terminator: .ret(.reg(p))),
            ], params: 1)
            let g = SignedBranches.run(f)
            #expect(!g.blocks.contains { if case .branch = $0.terminator { return true }; return false }, "\(show(g))")
            for x: Int64 in [0, 5, 0x80, 0xff, -1] {
                #expect(try IRInterpreter.run(g, args: [x]) == (taken ? -1 : x & 0xff), "\(x)\(show(g))")
            }
        }
    }

    /// A constant stored in a slot is still known after a merge whose other path wrote
    /// another slot (a helper given its address) and other bytes of the same slot.
    @Test func slotConstantsSurviveMergesAfterWritesElsewhere() throws {
        let x = VReg(10), y = VReg(11), a = VReg(12), z = VReg(13)
        let f = fn([
            Block(id: BlockID(0), instructions: [ins(.store(base: .slot(0), offset: 2, value: .imm(48), width: .w16)),
                                                 ins(.store(base: .slot(0), offset: 0, value: .imm(7), width: .w16))],
                  terminator: .branch(.eq, lhs: VReg(0), rhs: .imm(0), width: .w64, then: BlockID(1), else: BlockID(2))),
            Block(id: BlockID(1), instructions: [ins(.slotAddr(dst: a, slot: 1, offset: 0)),
                                                 ins(.call(dst: nil, callee: .helper(113), args: [.reg(a), .imm(4), .reg(VReg(0))])),
                                                 ins(.store(base: .slot(0), offset: 0, value: .imm(9), width: .w16))],
                  terminator: .jump(BlockID(2))),
            Block(id: BlockID(2), instructions: [ins(.load(dst: x, base: .slot(0), offset: 2, width: .w16, signed: false)),
                                                 ins(.load(dst: y, base: .slot(0), offset: 0, width: .w16, signed: false)),
                                                 ins(.binary(.add, dst: z, lhs: x, rhs: .reg(y), width: .w64))],
                  terminator: .ret(.reg(z))),
        ], params: 1, slots: [StackSlot(size: 8, alignment: 8, name: "c"), StackSlot(size: 4, alignment: 4, name: "m")])
        let g = ValueNumbering.run(f)
        let merged = g.blocks[2].instructions.map(\.inst)
        #expect(merged.contains(.mov(dst: x, src: .imm(48), width: .w64)), "\(show(g))")
        #expect(merged.contains { if case .load(y, .slot(0), 0, .w16, _) = $0 { return true }; return false }, "\(show(g))")
    }
}

/// WrapChecks: `a - b <= a` tests the operands.
extension OptimizerPassTests {
    func wrapCheck(_ cc: CondCode, swapped: Bool, redefine: Bool = false, width: Width = .w32) -> Function {
        let a = VReg(0), b = VReg(1), d = VReg(2)
        var insts = [ins(.binary(.sub, dst: d, lhs: a, rhs: .reg(b), width: width))]
        if redefine { insts.append(ins(.mov(dst: a, src: .imm(3), width: .w64))) }
        return fn([
            Block(id: BlockID(0), instructions: insts,
                  terminator: swapped ? .branch(cc, lhs: a, rhs: .reg(d), width: width, then: BlockID(1), else: BlockID(2))
                                      : .branch(cc, lhs: d, rhs: .reg(a), width: width, then: BlockID(1), else: BlockID(2))),
            Block(id: BlockID(1), terminator: .ret(.imm(1))),
            Block(id: BlockID(2), terminator: .ret(.imm(2))),
        ], params: 2)
    }

    @Test func wrapChecksTestTheOperands() throws {
        for (cc, swapped) in [(CondCode.ule, false), (.ugt, false), (.uge, true), (.ult, true)] {
            for w in [Width.w32, .w64] {
                let f = wrapCheck(cc, swapped: swapped, width: w)
                let g = WrapChecks.run(f)
                guard case .branch(_, VReg(1), .reg(VReg(0)), w, _, _) = g.blocks[0].terminator else {
                    Issue.record("\(cc) not rewritten\(show(g))"); continue
                }
                for (a, b): (Int64, Int64) in [(5, 3), (3, 5), (0, 0), (7, 7), (0, 1), (-1, 1), (1, -1), (0x1_0000_0002, 3)] {
                    #expect(try IRInterpreter.run(g, args: [a, b]) == IRInterpreter.run(f, args: [a, b]), "\(cc) \(w) \(a) \(b)\(show(g))")
                }
            }
        }
        // An operand written between the subtraction and the branch: left alone.
        let f = wrapCheck(.ule, swapped: false, redefine: true)
        #expect(WrapChecks.run(f) == f)
    }

    /// `(x & 15) != 32767` always holds and `== 32767` never does (random seed 60051:
    /// `32767 != i` of a loop index); against 15 or less the test stays.
    @Test func equalityTestsWithAConstantAboveTheBoundAreDecided() throws {
        for (cc, k, decided) in [(CondCode.ne, Int64(32767), true), (.eq, 32767, true), (.eq, 16, true), (.ne, 15, false), (.eq, 0, false)] {
            let f = fn([
                Block(id: BlockID(0), instructions: [ins(.binary(.and, dst: VReg(1), lhs: VReg(0), rhs: .imm(15), width: .w64))],
                      terminator: .branch(cc, lhs: VReg(1), rhs: .imm(k), width: .w64, then: BlockID(1), else: BlockID(2))),
                Block(id: BlockID(1), terminator: .ret(.imm(1))),
                Block(id: BlockID(2), terminator: .ret(.imm(2))),
            ], params: 1)
            let g = WrapChecks.run(f)
            let branches = g.blocks.contains { if case .branch = $0.terminator { return true }; return false }
            #expect(branches == !decided, "\(cc) \(k)\(show(g))")
            for x: Int64 in [0, 15, 16, 32767, -1] {
                #expect(try IRInterpreter.run(g, args: [x]) == IRInterpreter.run(f, args: [x]), "\(cc) \(k) \(x)")
            }
        }
    }
}

extension OptimizerPassTests {
    /// With a stack address stored to memory, 64-bit loads may give one back; narrower
    /// loads and 32-bit arithmetic on them cannot (pointers are 64 bits).
    @Test func onlyWideValuesMayBeStackAddresses() {
        let f = fn([Block(id: BlockID(0), instructions: [
            ins(.slotAddr(dst: VReg(2), slot: 0, offset: 0)),
            ins(.store(base: .slot(1), offset: 0, value: .reg(VReg(2)), width: .w64)),
            ins(.load(dst: VReg(3), base: .slot(1), offset: 0, width: .w64, signed: false)),
            ins(.load(dst: VReg(4), base: .slot(1), offset: 0, width: .w16, signed: false)),
            ins(.binary(.add, dst: VReg(5), lhs: VReg(3), rhs: .imm(1), width: .w32)),
            ins(.symbolAddr(dst: VReg(6), symbol: SymbolRef(name: "t"))),
            ins(.binary(.add, dst: VReg(7), lhs: VReg(6), rhs: .reg(VReg(4)), width: .w64)),
        ], terminator: .ret(.imm(0)))], params: 1,
                   slots: [StackSlot(size: 8, alignment: 8, name: "a"), StackSlot(size: 8, alignment: 8, name: "p")])
        let frame = f.framePointerRegisters()
        #expect(frame.contains(VReg(2)) && frame.contains(VReg(3)))
        #expect(!frame.contains(VReg(4)) && !frame.contains(VReg(5)) && !frame.contains(VReg(7)))
    }
}

/// BoolTests and NarrowCompares: branches test the value before its conversion.
extension OptimizerPassTests {
    /// `v = p ? 1 : 0` then `if ((_Bool)v)` through the branch-free conversion and a copy.
    @Test func branchesOnBoolConversionsTestTheValue() throws {
        let v = VReg(2)
        let f = fn([
            Block(id: BlockID(0), instructions: [ins(.mov(dst: v, src: .imm(1), width: .w64))],
                  terminator: .branch(.ne, lhs: VReg(0), rhs: .imm(5), width: .w64, then: BlockID(1), else: BlockID(2))),
            Block(id: BlockID(1), instructions: [ins(.mov(dst: v, src: .imm(0), width: .w64))], terminator: .jump(BlockID(2))),
            Block(id: BlockID(2), instructions: [ins(.neg(dst: VReg(3), src: v, width: .w64)),
                                                 ins(.binary(.or, dst: VReg(4), lhs: VReg(3), rhs: .reg(v), width: .w64)),
                                                 ins(.binary(.lshr, dst: VReg(5), lhs: VReg(4), rhs: .imm(63), width: .w64)),
                                                 ins(.mov(dst: VReg(6), src: .reg(VReg(5)), width: .w32))],
                  terminator: .branch(.ne, lhs: VReg(6), rhs: .imm(0), width: .w64, then: BlockID(3), else: BlockID(4))),
            Block(id: BlockID(3), terminator: .ret(.imm(10))),
            Block(id: BlockID(4), terminator: .ret(.imm(20))),
        ], params: 1)
        let g = BoolTests.run(f)
        guard case .branch(.ne, v, .imm(0), .w64, _, _) = g.blocks[2].terminator else { Issue.record("\(show(g))"); return }
        for p: Int64 in [0, 5, -1] { #expect(try IRInterpreter.run(g, args: [p]) == IRInterpreter.run(f, args: [p])) }
    }

    /// `(signed char)byte == -1` is `byte == 0xff`; two sign-extended bytes compare as bytes;
    /// a constant no byte extends to, or a byte that may have upper bits, stays.
    @Test func equalityOfSignExtendedBytesComparesTheBytes() throws {
        func program(_ rhs: Operand, narrowSource: Bool = true) -> Function {
            let slot = StackSlot(size: 8, alignment: 8, name: "s")
            var insts = [ins(.store(base: .slot(0), offset: 0, value: .reg(VReg(0)), width: .w64)),
                         ins(.load(dst: VReg(2), base: .slot(0), offset: 0, width: .w8, signed: false)),
                         ins(.load(dst: VReg(3), base: .slot(0), offset: 1, width: .w8, signed: false))]
            if !narrowSource { insts.append(ins(.mov(dst: VReg(2), src: .reg(VReg(0)), width: .w32))) }
            insts += [ins(.ext(dst: VReg(4), src: VReg(2), from: .w8, to: .w32, signed: true)),
                      ins(.ext(dst: VReg(5), src: VReg(3), from: .w8, to: .w32, signed: true))]
            return fn([Block(id: BlockID(0), instructions: insts,
                             terminator: .branch(.eq, lhs: VReg(4), rhs: rhs, width: .w32, then: BlockID(1), else: BlockID(2))),
                       Block(id: BlockID(1), terminator: .ret(.imm(1))),
                       Block(id: BlockID(2), terminator: .ret(.imm(2)))], params: 1, slots: [slot])
        }
        for (rhs, expected) in [(Operand.imm(-1), Operand.imm(0xff)), (.imm(0x41), .imm(0x41)), (.reg(VReg(5)), .reg(VReg(3)))] {
            let f = program(rhs)
            let g = NarrowCompares.run(f)
            #expect(g.blocks[0].terminator == .branch(.eq, lhs: VReg(2), rhs: expected, width: .w32, then: BlockID(1), else: BlockID(2)), "\(show(g))")
            for p: Int64 in [0xff, 0x41, 0xffff, 0x4141, 0x41ff, 0x1ff, 7] {
                #expect(try IRInterpreter.run(g, args: [p]) == IRInterpreter.run(f, args: [p]), "\(p)\(show(g))")
            }
        }
        for f in [program(.imm(200)), program(.imm(-1), narrowSource: false)] { #expect(NarrowCompares.run(f) == f, "\(show(f))") }
    }

    /// `0 >= (u64)(signed char)byte` is `byte == 0`, and `(u64)(signed char)byte > 0` is
    /// `byte != 0`; `<= 1` stays.
    @Test func unsignedTestsOfASignExtendedByteAgainstZeroTestTheByte() throws {
        func program(_ cc: CondCode, _ k: Int64) -> Function {
            fn([Block(id: BlockID(0), instructions: [ins(.load(dst: VReg(2), base: .reg(VReg(0)), offset: 0, width: .w8, signed: false)),
                                                     ins(.ext(dst: VReg(4), src: VReg(2), from: .w8, to: .w64, signed: true))],
                      terminator: .branch(cc, lhs: VReg(4), rhs: .imm(k), width: .w64, then: BlockID(1), else: BlockID(2))),
                Block(id: BlockID(1), terminator: .ret(.imm(1))),
                Block(id: BlockID(2), terminator: .ret(.imm(2)))], params: 1)
        }
        for (cc, narrowed) in [(CondCode.ule, CondCode.eq), (.ugt, .ne)] {
            let g = NarrowCompares.run(program(cc, 0))
            #expect(g.blocks[0].terminator == .branch(narrowed, lhs: VReg(2), rhs: .imm(0), width: .w64, then: BlockID(1), else: BlockID(2)), "\(show(g))")
        }
        #expect(NarrowCompares.run(program(.ule, 1)) == program(.ule, 1))
    }

    /// `-(u32)byte != 21` (64-bit test), `byte + 300 == 10`, `(byte ^ 0x100) == 3` are
    /// decided by the byte's range once the operation is undone; `-(u32)byte == 0xffffffeb`
    /// and `byte + 3 == 10` are not.
    @Test func equalityTestsOutsideTheUndoneOperandsRangeAreDecided() throws {
        func program(_ op: Inst, _ cc: CondCode, _ k: Int64, width: Width) -> Function {
            fn([Block(id: BlockID(0), instructions: [ins(.ext(dst: VReg(2), src: VReg(0), from: .w8, to: .w32, signed: false)), ins(op)],
                      terminator: .branch(cc, lhs: VReg(3), rhs: .imm(k), width: width, then: BlockID(1), else: BlockID(2))),
                Block(id: BlockID(1), terminator: .ret(.imm(1))),
                Block(id: BlockID(2), terminator: .ret(.imm(2)))], params: 1)
        }
        let neg = Inst.neg(dst: VReg(3), src: VReg(2), width: .w32)
        func add(_ k: Int64) -> Inst { .binary(.add, dst: VReg(3), lhs: VReg(2), rhs: .imm(k), width: .w32) }
        let xor = Inst.binary(.xor, dst: VReg(3), lhs: VReg(2), rhs: .imm(0x100), width: .w64)
        let decided = [program(neg, .ne, 21, width: .w64), program(add(300), .eq, 10, width: .w32), program(xor, .eq, 3, width: .w64)]
        for f in decided {
            let g = RedundancyElimination.run(f)
            #expect(!g.blocks.contains { if case .branch = $0.terminator { return true }; return false }, "\(show(g))")
            for p: Int64 in [0, 3, 21, 0xeb, 0xff, 0x1ff, -21] {
                #expect(try IRInterpreter.run(g, args: [p]) == IRInterpreter.run(f, args: [p]), "\(p)\(show(g))")
            }
        }
        for f in [program(neg, .eq, 0xffff_ffeb, width: .w64), program(add(3), .eq, 10, width: .w32)] {
            let g = RedundancyElimination.run(f)
            #expect(g.blocks.contains { if case .branch = $0.terminator { return true }; return false }, "\(show(g))")
        }
    }
}

extension OptimizerPassTests {
    /// `off = 0x4000 - len; if (off > 0x4000)` with `off`'s left side a register known to
    /// hold 0x4000 tests `len > 0x4000`, which `len = (x + 1) & 0xfff` never is: the
    /// branch goes.
    @Test func wrapChecksAgainstConstantsAndBoundsDecideBranches() throws {
        let top = VReg(2), len = VReg(3), sum = VReg(4), off = VReg(5)
        let f = fn([
            Block(id: BlockID(0), instructions: [
                ins(.mov(dst: top, src: .imm(0x4000), width: .w64)),
                ins(.binary(.add, dst: sum, lhs: VReg(0), rhs: .imm(1), width: .w32)),
                ins(.binary(.and, dst: len, lhs: sum, rhs: .imm(0xfff), width: .w32)),
                ins(.binary(.sub, dst: off, lhs: top, rhs: .reg(len), width: .w32))],
                  terminator: .branch(.ugt, lhs: off, rhs: .imm(0x4000), width: .w32, then: BlockID(1), else: BlockID(2))),
            Block(id: BlockID(1), terminator: .ret(.imm(1))),
            Block(id: BlockID(2), terminator: .ret(.reg(off))),
        ], params: 1)
        let g = WrapChecks.run(f)
        #expect(g.blocks.count == 1 || { if case .jump = g.blocks[0].terminator { return true }; return false }(), "\(show(g))")
        for p: Int64 in [0, 5, 0xfff, 0x7fff_ffff, -1] {
            #expect(try IRInterpreter.run(g, args: [p]) == IRInterpreter.run(f, args: [p]), "\(p)\(show(g))")
        }
    }
}

extension OptimizerPassTests {
    /// `if (x & 1) r |= 1; if (x & 4) r |= 4; if (x & 2^40) r |= 2^40;` is `r |= x & mask`;
    /// a bit set other than the one tested is shifted there, and the steps shifted alike
    /// share one mask too (`if (x & 8) r |= 16; if (x & 32) r |= 64;`).
    @Test func conditionalBitsBecomeOneMask() throws {
        let x = VReg(0), r = VReg(1)
        var blocks: [Block] = []
        var next = 10
        let bits: [(test: Int64, set: Int64)] = [(1, 1), (4, 4), (1 << 40, 1 << 40), (8, 16), (32, 64), (1 << 13, 8)]
        for (n, b) in bits.enumerated() {
            let test = BlockID(2 * n), set = BlockID(2 * n + 1), after = BlockID(2 * n + 2)
            let t = VReg(next), k = VReg(next + 1), k2 = VReg(next + 2)
            next += 3
            blocks.append(Block(id: test, instructions: [ins(.mov(dst: k, src: .imm(b.test), width: .w64)),
                                                         ins(.binary(.and, dst: t, lhs: x, rhs: .reg(k), width: .w64))],
                                terminator: .branch(.ne, lhs: t, rhs: .imm(0), width: .w64, then: set, else: after)))
            blocks.append(Block(id: set, instructions: [ins(.mov(dst: k2, src: .imm(b.set), width: .w64)),
                                                        ins(.binary(.or, dst: r, lhs: r, rhs: .reg(k2), width: .w64))],
                                terminator: .jump(after)))
        }
        blocks.append(Block(id: BlockID(2 * bits.count), terminator: .ret(.reg(r))))
        let f = fn(blocks, params: 2, next: next)
        let g = ConditionalBits.run(f)
        let masks = g.blocks.flatMap(\.instructions).compactMap { i -> Int64? in
            if case .binary(.and, _, x, .imm(let m), .w64) = i.inst { return m }; return nil
        }
        #expect(masks.contains(1 | 4 | 1 << 40) && masks.contains(8 | 32), "\(show(g))")
        #expect(!g.blocks.contains { if case .branch = $0.terminator { return true }; return false }, "\(show(g))")
        for (a, b): (Int64, Int64) in [(0, 0), (-1, 0), (5, 2), (1 << 40 | 8, 1 << 50), (0x7fff, 3), (0x2028, 0), (0x20, 1)] {
            #expect(try IRInterpreter.run(g, args: [a, b]) == IRInterpreter.run(f, args: [a, b]), "\(a) \(b)\(show(g))")
        }
    }

    /// The same of a `u16` result (32-bit `or`s) and 32-bit tests; a bit tested in the
    /// upper half of a 32-bit test is none, and the step stays a branch.
    @Test func conditionalBitsOf32BitValues() throws {
        func program(_ bits: [(test: Int64, set: Int64)]) -> Function {
            let x = VReg(0), r = VReg(1)
            var blocks: [Block] = []
            for (n, b) in bits.enumerated() {
                let test = BlockID(2 * n), set = BlockID(2 * n + 1), after = BlockID(2 * n + 2), t = VReg(10 + n)
                blocks.append(Block(id: test, instructions: [ins(.binary(.and, dst: t, lhs: x, rhs: .imm(b.test), width: .w32))],
                                    terminator: .branch(.ne, lhs: t, rhs: .imm(0), width: .w32, then: set, else: after)))
                blocks.append(Block(id: set, instructions: [ins(.binary(.or, dst: r, lhs: r, rhs: .imm(b.set), width: .w32))],
                                    terminator: .jump(after)))
            }
            blocks.append(Block(id: BlockID(2 * bits.count), terminator: .ret(.reg(r))))
            return fn(blocks, params: 2, next: 64)
        }
        let f = program([(1, 1), (2, 2), (0x2000, 8), (8, 16), (0x100, 0x200)])
        let g = ConditionalBits.run(f)
        #expect(!g.blocks.contains { if case .branch = $0.terminator { return true }; return false }, "\(show(g))")
        for (a, b): (Int64, Int64) in [(0, 0), (-1, 0), (0x2109, 0x10000), (0x1_0000_0003, 4), (0xffff, 1 << 40)] {
            #expect(try IRInterpreter.run(g, args: [a, b]) == IRInterpreter.run(f, args: [a, b]), "\(a) \(b)\(show(g))")
        }
        let upper = program([(1 << 40, 1)])
        #expect(ConditionalBits.run(upper) == upper)
    }
}

/// BoolTests and RedundancyElimination on values whose bits are known.
extension OptimizerPassTests {
    /// `v = p ? 1 : 0; return (_Bool)v;`: the conversion of a value that is only 0 or 1
    /// is the value; of a value that may be 2, it stays.
    @Test func boolConversionsOfZeroOrOneAreTheValue() throws {
        func program(_ other: Int64) -> Function {
            let v = VReg(2)
            return fn([
                Block(id: BlockID(0), instructions: [ins(.mov(dst: v, src: .imm(1), width: .w64))],
                      terminator: .branch(.ne, lhs: VReg(0), rhs: .imm(5), width: .w64, then: BlockID(1), else: BlockID(2))),
                Block(id: BlockID(1), instructions: [ins(.mov(dst: v, src: .imm(other), width: .w64))], terminator: .jump(BlockID(2))),
                Block(id: BlockID(2), instructions: [ins(.neg(dst: VReg(3), src: v, width: .w64)),
                                                     ins(.binary(.or, dst: VReg(4), lhs: VReg(3), rhs: .reg(v), width: .w64)),
                                                     ins(.binary(.lshr, dst: VReg(5), lhs: VReg(4), rhs: .imm(63), width: .w64))],
                      terminator: .ret(.reg(VReg(5)))),
            ], params: 1)
        }
        for (other, folds) in [(Int64(0), true), (2, false)] {
            let f = program(other)
            let g = BoolTests.run(f)
            #expect((g.blocks[2].instructions[2].inst == .mov(dst: VReg(5), src: .reg(VReg(2)), width: .w64)) == folds, "\(show(g))")
            for p: Int64 in [0, 5] { #expect(try IRInterpreter.run(g, args: [p]) == IRInterpreter.run(f, args: [p])) }
        }
    }

    /// The upper half of a 32-bit quotient, shifted down, is 0 (`log2l` of a u32 takes
    /// its low branch); of a 64-bit value it stays a shift.
    @Test func upperHalvesOf32BitValuesAreZero() throws {
        func program(_ w: Width) -> Function {
            fn([Block(id: BlockID(0), instructions: [
                ins(.binary(.udiv, dst: VReg(1), lhs: VReg(0), rhs: .imm(1024), width: w)),
                ins(.binary(.lshr, dst: VReg(2), lhs: VReg(1), rhs: .imm(32), width: .w64)),
            ], terminator: .ret(.reg(VReg(2))))])
        }
        let g = RedundancyElimination.run(program(.w32))
        #expect(g.blocks[0].instructions[1].inst == .mov(dst: VReg(2), src: .imm(0), width: .w64), "\(show(g))")
        let kept = RedundancyElimination.run(program(.w64))
        #expect(kept.blocks[0].instructions[1].inst == .binary(.lshr, dst: VReg(2), lhs: VReg(1), rhs: .imm(32), width: .w64))
        for a: Int64 in [0x1_0000_0000 * 3 + 77, -1] {
            #expect(try IRInterpreter.run(g, args: [a]) == IRInterpreter.run(program(.w32), args: [a]))
        }
    }

    /// `if (d < 0) return 0; return d / 1000;` with `d` signed: past the test, the sign
    /// `d s>> 63` of the magnitude division is 0; on the test's negative side (the
    /// division made there too) it stays.
    @Test func signsTestedNonNegativeAreZero() throws {
        func program(guarded: Bool) -> Function {
            let d = VReg(0), sign = VReg(1)
            let division = [ins(.binary(.ashr, dst: sign, lhs: d, rhs: .imm(63), width: .w64)),
                            ins(.binary(.xor, dst: VReg(2), lhs: d, rhs: .reg(sign), width: .w64)),
                            ins(.binary(.sub, dst: VReg(3), lhs: VReg(2), rhs: .reg(sign), width: .w64)),
                            ins(.binary(.udiv, dst: VReg(4), lhs: VReg(3), rhs: .imm(1000), width: .w64)),
                            ins(.binary(.xor, dst: VReg(5), lhs: VReg(4), rhs: .reg(sign), width: .w64)),
                            ins(.binary(.sub, dst: VReg(6), lhs: VReg(5), rhs: .reg(sign), width: .w64))]
            return fn([
                Block(id: BlockID(0), terminator: .branch(.slt, lhs: d, rhs: .imm(0), width: .w64, then: BlockID(1), else: BlockID(2))),
                Block(id: BlockID(1), instructions: guarded ? [] : division, terminator: guarded ? .ret(.imm(0)) : .ret(.reg(VReg(6)))),
                Block(id: BlockID(2), instructions: division, terminator: .ret(.reg(VReg(6)))),
            ], params: 1)
        }
        let f = program(guarded: true)
        let g = RedundancyElimination.run(f)
        #expect(g.blocks[2].instructions[0].inst == .mov(dst: VReg(1), src: .imm(0), width: .w64), "\(show(g))")
        for a: Int64 in [-5000, 0, 123_456] { #expect(try IRInterpreter.run(g, args: [a]) == IRInterpreter.run(f, args: [a])) }
        let unguarded = program(guarded: false)
        let both = RedundancyElimination.run(unguarded)
        #expect(both.blocks[1].instructions[0].inst == .binary(.ashr, dst: VReg(1), lhs: VReg(0), rhs: .imm(63), width: .w64),
                "on the negative side the sign stays: \(show(both))")
        #expect(both.blocks[2].instructions[0].inst == .mov(dst: VReg(1), src: .imm(0), width: .w64))
        for a: Int64 in [-5000, 0, 123_456] { #expect(try IRInterpreter.run(both, args: [a]) == IRInterpreter.run(unguarded, args: [a])) }
    }
}
