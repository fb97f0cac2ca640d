import Testing
import BPFIR
@testable import BPFCodegen

/// SwitchArithmetic (a switch setting a linear function of the case value),
/// LinearForms (sums and multiples of one value as one `x * k + c`) and
/// SlotCopyForwarding (reads of a whole copy of a slot read the original).
extension OptimizerPassTests {
    /// `switch ((u32)x) { case keys[i]: r = values[i]; ... default: r = -1 } return r + 1`,
    /// lowered as a chain of equality branches in the order given.
    func switchChain(_ keys: [Int64], _ values: [Int64], width: Width = .w32) -> Function {
        let x = VReg(0), r = VReg(1), join = BlockID(100), fallback = BlockID(99)
        var blocks: [Block] = []
        for (i, k) in keys.enumerated() {
            let next = i + 1 < keys.count ? BlockID(i + 1) : fallback
            blocks.append(Block(id: BlockID(i), terminator: .branch(.eq, lhs: x, rhs: .imm(k), width: width,
                                                                      then: BlockID(50 + i), else: next)))
        }
        for (i, v) in values.enumerated() {
            blocks.append(Block(id: BlockID(50 + i), instructions: [ins(.mov(dst: r, src: .imm(v), width: .w64))],
                                terminator: .jump(join)))
        }
        blocks.append(Block(id: fallback, instructions: [ins(.mov(dst: r, src: .imm(-1), width: .w64))], terminator: .jump(join)))
        blocks.append(Block(id: join, instructions: [ins(.binary(.add, dst: VReg(2), lhs: r, rhs: .imm(1), width: .w64))],
                            terminator: .ret(.reg(VReg(2)))))
        return fn(blocks)
    }

    func equalityBranches(_ f: Function) -> Int {
        f.blocks.filter { if case .branch(.eq, _, _, _, _, _) = $0.terminator { return true }; return false }.count
    }

    /// `switch ((x >> 4) & 3) { case 0: return 6; case 1: return 7; case 2: return 8;
    /// default: return 9; }`: the cases return, and the masked value's bound (3) leaves the
    /// default only the line's next point, so it is `((x >> 4) & 3) + 6` with no branch.
    @Test func returningSwitchCoveringItsValueBecomesArithmeticWithoutACheck() throws {
        let x = VReg(0), t = VReg(1), m = VReg(2)
        func returning(defaultValue: Int64) -> Function {
            fn([
                Block(id: BlockID(0), instructions: [ins(.binary(.lshr, dst: t, lhs: x, rhs: .imm(4), width: .w32)),
                                                     ins(.binary(.and, dst: m, lhs: t, rhs: .imm(3), width: .w32))],
                      terminator: .branch(.eq, lhs: m, rhs: .imm(0), width: .w32, then: BlockID(10), else: BlockID(1))),
                Block(id: BlockID(1), terminator: .branch(.eq, lhs: m, rhs: .imm(1), width: .w32, then: BlockID(11), else: BlockID(2))),
                Block(id: BlockID(2), terminator: .branch(.eq, lhs: m, rhs: .imm(2), width: .w32, then: BlockID(12), else: BlockID(13))),
                Block(id: BlockID(10), terminator: .ret(.imm(6))),
                Block(id: BlockID(11), terminator: .ret(.imm(7))),
                Block(id: BlockID(12), terminator: .ret(.imm(8))),
                Block(id: BlockID(13), terminator: .ret(.imm(defaultValue))),
            ], params: 1)
        }
        let inputs: [Int64] = [0, 0x10, 0x20, 0x30, 0x3f, 0x45, 0xff, -1]
        let f = returning(defaultValue: 9)
        let g = SwitchArithmetic.run(f)
        #expect(!g.blocks.contains { if case .branch = $0.terminator { return true }; return false }, "\(show(g))")
        for v in inputs { #expect(try IRInterpreter.run(g, args: [v]) == IRInterpreter.run(f, args: [v])) }
        // A default off the line keeps its range check (and its own return).
        let h = returning(defaultValue: 42)
        let k = SwitchArithmetic.run(h)
        #expect(equalityBranches(k) == 0 && k.blocks.contains { if case .branch(.ult, _, _, _, _, _) = $0.terminator { return true }; return false }, "\(show(k))")
        for v in inputs { #expect(try IRInterpreter.run(k, args: [v]) == IRInterpreter.run(h, args: [v])) }
    }

    /// `switch (x & 1) { case 0: r = 10; break; case 1: r = 20; break; default: r = -1; }`:
    /// two cases are every value, `r = (x & 1) * 10 + 10` with no branch (clang's
    /// select). Two cases on the whole of `x` stay (the unbounded case is tested below).
    @Test func twoCasesCoveringAFlagBecomeArithmetic() throws {
        var f = switchChain([0, 1], [10, 20])
        f.blocks[0].instructions = [ins(.binary(.and, dst: VReg(3), lhs: VReg(0), rhs: .imm(1), width: .w32))]
        for b in f.blocks.indices {
            if case .branch(let cc, VReg(0), let k, let w, let t, let e) = f.blocks[b].terminator {
                f.blocks[b].terminator = .branch(cc, lhs: VReg(3), rhs: k, width: w, then: t, else: e)
            }
        }
        let g = SwitchArithmetic.run(f)
        #expect(!g.blocks.contains { if case .branch = $0.terminator { return true }; return false }, "\(show(g))")
        for x: Int64 in [0, 1, 2, 3, -1, 0x1_0000_0001] { #expect(try IRInterpreter.run(g, args: [x]) == IRInterpreter.run(f, args: [x])) }
    }

    @Test func switchesSettingALinearFunctionBecomeArithmetic() throws {
        let inputs: [Int64] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 16, 17, 30, 40, 41, 63, 64, -1, -3,
                               0x1_0000_0004, 0x1_0000_0010, 0xffff_ffff, Int64.min + 5, 0x7fff_ffff]
        let forms = [switchChain([3, 5, 4, 6], [11, 25, 18, 32]),                 // 7k - 10, out of order
                     switchChain([0, 1, 2, 3, 4, 5, 6, 7], (1...8).map { 11 * $0 }),
                     switchChain([-2, -1, 0], [5, 5, 5]),                         // 0xfffffffe, 0xffffffff, 0: one range modulo 2^32
                     switchChain([2, 3, 4], [-4, -6, -8], width: .w64),
                     switchChain([-1, 0, 1], [100, 200, 300], width: .w64),
                     // Gaps: socket families mapped to themselves, and 3k + 1 over scattered keys.
                     switchChain([2, 10, 1, 16, 17, 0, 3, 5], [2, 10, 1, 16, 17, 0, 3, 5]),
                     switchChain([40, 7, 12, 63, 9, 30], [121, 22, 37, 190, 28, 91], width: .w64)]
        for (n, f) in forms.enumerated() {
            let g = SwitchArithmetic.run(f)
            #expect(equalityBranches(g) == 0, "\(n)\(show(g))")
            for x in inputs {
                #expect(try IRInterpreter.run(g, args: [x]) == IRInterpreter.run(f, args: [x]), "\(n) x=\(x)\(show(g))")
            }
        }
        // Left as written: a value off the line, a gap in the keys of fewer than six cases,
        // keys spread over more than 64 values, only two cases.
        for f in [switchChain([3, 4, 5], [1, 2, 4]), switchChain([3, 4, 6], [1, 2, 4]), switchChain([3, 4], [1, 2]),
                  switchChain([0, 1, 2, 3, 4, 70], [0, 1, 2, 3, 4, 70]), switchChain([0, 2, 4, 6, 8, 10], [0, 2, 4, 6, 8, 11])] {
            #expect(SwitchArithmetic.run(f) == f)
        }
        // Compiled, the dense switch of eight cases is a range check and arithmetic.
        let c = try Codegen.compile(SwitchArithmetic.run(forms[1]), options: CodegenOptions())
        let chain = try Codegen.compile(forms[1], options: CodegenOptions())
        #expect(c.instructions.count * 2 < chain.instructions.count, "\(c.instructions.count) \(chain.instructions.count)")
        for x in inputs { #expect(try Interpreter.run(c.instructions, args: [x]) == IRInterpreter.run(forms[1], args: [x])) }
    }

    @Test func sumsOfMultiplesOfOneValueBecomeOneMultiplyAndAdd() throws {
        let x = VReg(0)
        // ((x + 2) * 10000 + x * 1000000 + x) - (x + 2), at 32 bits, through a 64-bit step.
        let f32 = fn([Block(id: BlockID(0), instructions: [
            ins(.binary(.add, dst: VReg(1), lhs: x, rhs: .imm(2), width: .w64)),
            ins(.binary(.mul, dst: VReg(2), lhs: VReg(1), rhs: .imm(10000), width: .w32)),
            ins(.binary(.mul, dst: VReg(3), lhs: x, rhs: .imm(1_000_000), width: .w32)),
            ins(.binary(.add, dst: VReg(4), lhs: VReg(2), rhs: .reg(VReg(3)), width: .w32)),
            ins(.binary(.add, dst: VReg(5), lhs: VReg(4), rhs: .reg(x), width: .w32)),
            ins(.binary(.sub, dst: VReg(6), lhs: VReg(5), rhs: .reg(VReg(1)), width: .w32)),
        ], terminator: .ret(.reg(VReg(6))))])
        // A 64-bit sum stops at a 32-bit step (its zero extension): (u32)(x + 1) + 1 + 1, * 8.
        let f64 = fn([Block(id: BlockID(0), instructions: [
            ins(.binary(.add, dst: VReg(1), lhs: x, rhs: .imm(1), width: .w32)),
            ins(.binary(.add, dst: VReg(2), lhs: VReg(1), rhs: .imm(1), width: .w64)),
            ins(.binary(.add, dst: VReg(3), lhs: VReg(2), rhs: .imm(1), width: .w64)),
            ins(.binary(.shl, dst: VReg(4), lhs: VReg(3), rhs: .imm(3), width: .w64)),
        ], terminator: .ret(.reg(VReg(4))))])
        for (f, steps) in [(f32, 2), (f64, 3)] {
            let g = DeadCodeElimination.run(LinearForms.run(f))
            #expect(g.blocks[0].instructions.count == steps, "\(show(g))")
            for v: Int64 in [0, 1, -1, 0xffff_ffff, 0x1_0000_0000, Int64.min, 0x7fff_ffff, 123_456_789] {
                #expect(try IRInterpreter.run(g, args: [v]) == IRInterpreter.run(f, args: [v]), "x=\(v)\(show(g))")
            }
        }
        // A value written twice is not a base: what it holds depends on where it is read.
        let twice = fn([Block(id: BlockID(0), instructions: [
            ins(.mov(dst: VReg(1), src: .reg(x), width: .w64)),
            ins(.binary(.add, dst: VReg(2), lhs: VReg(1), rhs: .imm(3), width: .w64)),
            ins(.binary(.add, dst: VReg(1), lhs: VReg(1), rhs: .imm(1), width: .w64)),
            ins(.binary(.mul, dst: VReg(3), lhs: VReg(2), rhs: .imm(5), width: .w64)),
            ins(.binary(.add, dst: VReg(4), lhs: VReg(3), rhs: .reg(VReg(1)), width: .w64)),
        ], terminator: .ret(.reg(VReg(4))))])
        #expect(LinearForms.run(twice) == DeadCodeElimination.run(twice))
    }

    /// `(x | 0xffff) & 1` is 1, and for a byte `b`, `((b << 4) | 3) & 0xf` is 3 and `(b |
    /// 0xff00) | 0xff` is 0xffff; a test `(b << 4) == 0x13` or of bit 1 of `b << 4` is
    /// decided; a mask reaching a bit not known (`(x | 0xffff) & 0x10000`) stays.
    @Test func masksOfKnownBitsAreConstants() throws {
        let x = VReg(0)
        let f = fn([Block(id: BlockID(0), instructions: [
            ins(.ext(dst: VReg(1), src: x, from: .w8, to: .w64, signed: false)),
            ins(.binary(.or, dst: VReg(2), lhs: x, rhs: .imm(0xffff), width: .w32)),
            ins(.binary(.and, dst: VReg(3), lhs: VReg(2), rhs: .imm(1), width: .w32)),            // 1
            ins(.binary(.shl, dst: VReg(4), lhs: VReg(1), rhs: .imm(4), width: .w64)),
            ins(.binary(.or, dst: VReg(5), lhs: VReg(4), rhs: .imm(3), width: .w64)),
            ins(.binary(.and, dst: VReg(6), lhs: VReg(5), rhs: .imm(0xf), width: .w64)),          // 3
            ins(.binary(.or, dst: VReg(7), lhs: VReg(1), rhs: .imm(0xff00), width: .w64)),
            ins(.binary(.or, dst: VReg(8), lhs: VReg(7), rhs: .imm(0xff), width: .w64)),          // 0xffff
            ins(.binary(.and, dst: VReg(9), lhs: VReg(2), rhs: .imm(0x10000), width: .w64)),      // stays
            ins(.binary(.add, dst: VReg(10), lhs: VReg(3), rhs: .reg(VReg(6)), width: .w64)),
            ins(.binary(.add, dst: VReg(11), lhs: VReg(10), rhs: .reg(VReg(8)), width: .w64)),
            ins(.binary(.add, dst: VReg(12), lhs: VReg(11), rhs: .reg(VReg(9)), width: .w64)),
        ], terminator: .branch(.eq, lhs: VReg(4), rhs: .imm(0x13), width: .w64, then: BlockID(1), else: BlockID(2))),
            Block(id: BlockID(1), terminator: .ret(.imm(-1))),
            Block(id: BlockID(2), terminator: .branch(.set, lhs: VReg(4), rhs: .imm(2), width: .w64, then: BlockID(1), else: BlockID(3))),
            Block(id: BlockID(3), terminator: .ret(.reg(VReg(12)))),
        ])
        let g = KnownBits.run(f)
        let insts = g.blocks[0].instructions.map(\.inst)
        #expect(insts[2] == .mov(dst: VReg(3), src: .imm(1), width: .w64), "\(show(g))")
        #expect(insts[5] == .mov(dst: VReg(6), src: .imm(3), width: .w64), "\(show(g))")
        #expect(insts[7] == .mov(dst: VReg(8), src: .imm(0xffff), width: .w64), "\(show(g))")
        #expect(insts[8] == f.blocks[0].instructions[8].inst, "\(show(g))")
        #expect(!g.blocks.contains { if case .branch = $0.terminator { return true }; return false }, "\(show(g))")
        for v: Int64 in [0, 1, 0xff, 0x1ff, -1, 0x13, 0x7f00_0001] {
            #expect(try IRInterpreter.run(g, args: [v]) == IRInterpreter.run(f, args: [v]), "x=\(v)\(show(g))")
        }
    }

    /// `(x | 1) != (b s>> 9)` where `b` is 0 or a byte plus one (written twice, bounded by
    /// 256): the shift is 0, the `or` has bit 0 set, so the test always holds; against
    /// `b s>> 8` (0 or 1) it stays.
    @Test func registerTestsKnownBitsContradictAreDecided() throws {
        let x = VReg(0), b = VReg(1)
        func program(shift: Int64) -> Function {
            fn([Block(id: BlockID(0), instructions: [ins(.mov(dst: b, src: .imm(0), width: .w64))],
                      terminator: .branch(.ugt, lhs: x, rhs: .imm(100), width: .w64, then: BlockID(1), else: BlockID(2))),
                Block(id: BlockID(1), instructions: [ins(.load(dst: VReg(2), base: .slot(0), offset: 0, width: .w8, signed: false)),
                                                     ins(.binary(.add, dst: b, lhs: VReg(2), rhs: .imm(1), width: .w32))],
                      terminator: .jump(BlockID(2))),
                Block(id: BlockID(2), instructions: [ins(.binary(.or, dst: VReg(3), lhs: x, rhs: .imm(1), width: .w32)),
                                                     ins(.binary(.ashr, dst: VReg(4), lhs: b, rhs: .imm(shift), width: .w32))],
                      terminator: .branch(.ne, lhs: VReg(3), rhs: .reg(VReg(4)), width: .w32, then: BlockID(3), else: BlockID(4))),
                Block(id: BlockID(3), terminator: .ret(.imm(1))),
                Block(id: BlockID(4), terminator: .ret(.imm(2))),
            ], slots: [StackSlot(size: 8, alignment: 8, name: "s")])
        }
        let f = program(shift: 9), g = KnownBits.run(f)
        #expect(!g.blocks.contains { if case .branch(.ne, _, _, _, _, _) = $0.terminator { return true }; return false }, "\(show(g))")
        #expect(!g.blocks.contains { if case .ret(.imm(2)?) = $0.terminator { return true }; return false }, "\(show(g))")
        let h = program(shift: 8)
        #expect(KnownBits.run(h) == h, "\(show(KnownBits.run(h)))")
    }

    /// Products: `(x & 1) * 0x0101010101010101` (a truth value's `popcount`) is 0 or the
    /// constant, so its `& 0xfe` is 0; `(x << 3) * (y << 2)` has its low 5 bits clear;
    /// `(x & 0xff) * (y & 0xff)` is below 2^16, so a test of it against 0x10000 is decided.
    /// `(x & 3) * 0x0101` keeps its `& 0xfe` (bit 1 may be set).
    @Test func productsHaveTheBitsTheirFactorsDecide() throws {
        let x = VReg(0), y = VReg(1)
        let f = fn([Block(id: BlockID(0), instructions: [
            ins(.binary(.and, dst: VReg(2), lhs: x, rhs: .imm(1), width: .w64)),
            ins(.binary(.mul, dst: VReg(3), lhs: VReg(2), rhs: .imm(0x0101_0101_0101_0101), width: .w64)),
            ins(.binary(.and, dst: VReg(4), lhs: VReg(3), rhs: .imm(0xfe), width: .w64)),                 // 0
            ins(.binary(.shl, dst: VReg(5), lhs: x, rhs: .imm(3), width: .w64)),
            ins(.binary(.shl, dst: VReg(6), lhs: y, rhs: .imm(2), width: .w64)),
            ins(.binary(.mul, dst: VReg(7), lhs: VReg(5), rhs: .reg(VReg(6)), width: .w64)),
            ins(.binary(.and, dst: VReg(8), lhs: VReg(7), rhs: .imm(31), width: .w64)),                  // 0
            ins(.binary(.and, dst: VReg(9), lhs: x, rhs: .imm(0xff), width: .w64)),
            ins(.binary(.and, dst: VReg(10), lhs: y, rhs: .imm(0xff), width: .w64)),
            ins(.binary(.mul, dst: VReg(11), lhs: VReg(9), rhs: .reg(VReg(10)), width: .w64)),
            ins(.binary(.and, dst: VReg(12), lhs: x, rhs: .imm(3), width: .w64)),
            ins(.binary(.mul, dst: VReg(13), lhs: VReg(12), rhs: .imm(0x0101), width: .w64)),
            ins(.binary(.and, dst: VReg(14), lhs: VReg(13), rhs: .imm(0xfe), width: .w64)),               // stays
            ins(.binary(.add, dst: VReg(15), lhs: VReg(4), rhs: .reg(VReg(8)), width: .w64)),
            ins(.binary(.add, dst: VReg(16), lhs: VReg(15), rhs: .reg(VReg(14)), width: .w64)),
        ], terminator: .branch(.eq, lhs: VReg(11), rhs: .imm(0x10000), width: .w64, then: BlockID(1), else: BlockID(2))),
            Block(id: BlockID(1), terminator: .ret(.imm(-1))),
            Block(id: BlockID(2), terminator: .ret(.reg(VReg(16)))),
        ], params: 2)
        let g = KnownBits.run(f)
        let insts = g.blocks[0].instructions.map(\.inst)
        #expect(insts[2] == .mov(dst: VReg(4), src: .imm(0), width: .w64), "\(show(g))")
        #expect(insts[6] == .mov(dst: VReg(8), src: .imm(0), width: .w64), "\(show(g))")
        #expect(insts[12] == f.blocks[0].instructions[12].inst, "\(show(g))")
        #expect(!branches(g), "\(show(g))")
        for (a, b): (Int64, Int64) in [(0, 0), (1, 1), (3, 5), (0xff, 0xff), (-1, -1), (0x1234_5678, 0x7f)] {
            #expect(try IRInterpreter.run(g, args: [a, b]) == IRInterpreter.run(f, args: [a, b]), "x=\(a) y=\(b)\(show(g))")
        }
    }

    /// Quotients and remainders by constants: `((x | 1) - 1) % 10` is even, so a test of it
    /// against 3 is decided (random seed 65956: a `switch` case never taken, clang drops
    /// it); `% 10` is below 16 (`& 0xf0` is 0); `(x & 0xff) / 3` is at most 85 (`& 0x80`
    /// is 0). `% 7` of an even value may be 3, and a remainder by 0 is the dividend: those
    /// stay.
    @Test func quotientsAndRemaindersByConstantsHaveTheBitsTheDivisorDecides() throws {
        let x = VReg(0)
        func program(divisor: Int64) -> Function {
            fn([Block(id: BlockID(0), instructions: [
                ins(.binary(.or, dst: VReg(1), lhs: x, rhs: .imm(1), width: .w32)),
                ins(.binary(.sub, dst: VReg(2), lhs: VReg(1), rhs: .imm(1), width: .w32)),
                ins(.binary(.urem, dst: VReg(3), lhs: VReg(2), rhs: .imm(divisor), width: .w32)),
                ins(.binary(.and, dst: VReg(4), lhs: VReg(3), rhs: .imm(0xf0), width: .w32)),
                ins(.binary(.and, dst: VReg(5), lhs: x, rhs: .imm(0xff), width: .w64)),
                ins(.binary(.udiv, dst: VReg(6), lhs: VReg(5), rhs: .imm(3), width: .w64)),
                ins(.binary(.and, dst: VReg(7), lhs: VReg(6), rhs: .imm(0x80), width: .w64)),
                ins(.binary(.add, dst: VReg(8), lhs: VReg(4), rhs: .reg(VReg(7)), width: .w64)),
            ], terminator: .branch(.eq, lhs: VReg(3), rhs: .imm(3), width: .w32, then: BlockID(1), else: BlockID(2))),
                Block(id: BlockID(1), terminator: .ret(.imm(-1))),
                Block(id: BlockID(2), terminator: .ret(.reg(VReg(8)))),
            ])
        }
        let f = program(divisor: 10), g = KnownBits.run(f)
        let insts = g.blocks[0].instructions.map(\.inst)
        #expect(insts[3] == .mov(dst: VReg(4), src: .imm(0), width: .w64), "\(show(g))")
        #expect(insts[6] == .mov(dst: VReg(7), src: .imm(0), width: .w64), "\(show(g))")
        #expect(!branches(g), "\(show(g))")
        for v: Int64 in [0, 1, 2, 3, 13, 0xff, -1, 0x7fff_fff3] {
            #expect(try IRInterpreter.run(g, args: [v]) == IRInterpreter.run(f, args: [v]), "x=\(v)\(show(g))")
        }
        for d: Int64 in [7, 0] {
            let h = KnownBits.run(program(divisor: d))
            #expect(branches(h), "% \(d)\(show(h))")
        }
    }

    /// A register written more than once (`v`, a variable a later `v += x` writes again)
    /// is read as the definitions reaching the read: `v = x >> 63` then `(s8)v == 4096` in
    /// its block, and `v = x > 5 ? 1 : 0` then `v == 4096` at the join, are decided; with
    /// `v += x` flowing back into the join, the join's test stays.
    @Test func aRegisterWrittenAgainIsReadAsTheDefinitionsReachingTheRead() throws {
        let x = VReg(0), v = VReg(2)
        func program(loopBack: Bool) -> Function {
            fn([Block(id: BlockID(0), instructions: [
                    ins(.binary(.lshr, dst: VReg(1), lhs: x, rhs: .imm(63), width: .w64)),
                    ins(.mov(dst: v, src: .reg(VReg(1)), width: .w64)),
                    ins(.ext(dst: VReg(3), src: v, from: .w8, to: .w64, signed: true))],
                   terminator: .branch(.eq, lhs: VReg(3), rhs: .imm(4096), width: .w64, then: BlockID(1), else: BlockID(2))),
                Block(id: BlockID(1), instructions: [ins(.binary(.add, dst: v, lhs: v, rhs: .reg(x), width: .w64))],
                      terminator: loopBack ? .jump(BlockID(5)) : .ret(.reg(v))),
                Block(id: BlockID(2), terminator: .branch(.ugt, lhs: x, rhs: .imm(5), width: .w64, then: BlockID(3), else: BlockID(4))),
                Block(id: BlockID(3), instructions: [ins(.mov(dst: v, src: .imm(1), width: .w64))], terminator: .jump(BlockID(5))),
                Block(id: BlockID(4), instructions: [ins(.mov(dst: v, src: .imm(0), width: .w64))], terminator: .jump(BlockID(5))),
                Block(id: BlockID(5), terminator: .branch(.eq, lhs: v, rhs: .imm(4096), width: .w64, then: BlockID(1), else: BlockID(6))),
                Block(id: BlockID(6), terminator: .ret(.reg(v))),
            ])
        }
        func equalityTests(_ f: Function) -> Int {
            f.blocks.filter { if case .branch(.eq, _, _, _, _, _) = $0.terminator { return true }; return false }.count
        }
        let f = program(loopBack: false), g = KnownBits.run(f)
        #expect(equalityTests(f) == 2 && equalityTests(g) == 0, "\(show(g))")
        let h = program(loopBack: true), k = KnownBits.run(h)
        #expect(equalityTests(k) == 1, "the join's test stays\(show(k))")
        for a: Int64 in [0, 1, 5, 6, -1, 4095] {
            #expect(try IRInterpreter.run(g, args: [a]) == IRInterpreter.run(f, args: [a]), "x=\(a)\(show(g))")
            #expect(try IRInterpreter.run(k, args: [a]) == IRInterpreter.run(h, args: [a]), "x=\(a)\(show(k))")
        }
    }

    /// `t[x & 3] == 200` with `t` constant data `{1, 2, 3, 4, 250}`: the four entries the
    /// index can reach all have bit 7 clear (a table lookup, as `__builtin_ctz` is
    /// lowered, gives a value below the width), so the test is decided; with `x & 7` the
    /// index reaches 250, and past the table's end, and the test stays.
    @Test func tableLoadsHaveTheBitsTheirReachableEntriesAgreeOn() throws {
        let memory = ReadOnlyMemory(data: ["t": [1, 2, 3, 4, 250]])
        func program(mask: Int64) -> Function {
            fn([Block(id: BlockID(0), instructions: [
                    ins(.symbolAddr(dst: VReg(1), symbol: SymbolRef(name: "t", offset: 0))),
                    ins(.binary(.and, dst: VReg(2), lhs: VReg(0), rhs: .imm(mask), width: .w64)),
                    ins(.binary(.add, dst: VReg(3), lhs: VReg(1), rhs: .reg(VReg(2)), width: .w64)),
                    ins(.load(dst: VReg(4), base: .reg(VReg(3)), offset: 0, width: .w8, signed: false))],
                   terminator: .branch(.eq, lhs: VReg(4), rhs: .imm(200), width: .w64, then: BlockID(1), else: BlockID(2))),
                Block(id: BlockID(1), terminator: .ret(.imm(1))),
                Block(id: BlockID(2), terminator: .ret(.reg(VReg(4)))),
            ])
        }
        let g = KnownBits.run(program(mask: 3), memory: memory)
        #expect(!g.blocks.contains { if case .branch = $0.terminator { return true }; return false }, "\(show(g))")
        let h = program(mask: 7)
        #expect(KnownBits.run(h, memory: memory) == h, "\(show(KnownBits.run(h, memory: memory)))")
    }

    /// `x ^ (0x7fffffff - x)` at 32 bits (through a 64-bit subtraction and a sign
    /// extension) is 0x7fffffff; `(x + 0x80000000) ^ 0x80000000` at 32 bits is `x`; a
    /// subtraction from 0x0fffffff borrows and stays; and a variable written again
    /// between the two reads is two values.
    @Test func xorFormsOfOneValueFoldToConstantsAndCopies() throws {
        let x = VReg(0), y = VReg(1)
        let f = fn([Block(id: BlockID(0), instructions: [
            ins(.ext(dst: VReg(2), src: x, from: .w32, to: .w64, signed: true)),
            ins(.mov(dst: VReg(3), src: .imm(0x7fff_ffff), width: .w64)),
            ins(.binary(.sub, dst: VReg(4), lhs: VReg(3), rhs: .reg(VReg(2)), width: .w64)),
            ins(.binary(.xor, dst: VReg(5), lhs: VReg(2), rhs: .reg(VReg(4)), width: .w32)),      // 0x7fffffff
            ins(.binary(.add, dst: VReg(6), lhs: x, rhs: .imm(Int64(Int32.min)), width: .w32)),
            ins(.binary(.xor, dst: VReg(7), lhs: VReg(6), rhs: .imm(Int64(Int32.min)), width: .w32)), // (u32)x
            ins(.mov(dst: VReg(8), src: .imm(0x0fff_ffff), width: .w64)),
            ins(.binary(.sub, dst: VReg(9), lhs: VReg(8), rhs: .reg(x), width: .w32)),
            ins(.binary(.xor, dst: VReg(10), lhs: VReg(9), rhs: .reg(x), width: .w32)),           // stays
            ins(.mov(dst: y, src: .reg(x), width: .w64)),
            ins(.binary(.sub, dst: VReg(11), lhs: VReg(3), rhs: .reg(y), width: .w64)),
            ins(.binary(.add, dst: y, lhs: y, rhs: .imm(1), width: .w64)),
            ins(.binary(.xor, dst: VReg(12), lhs: VReg(11), rhs: .reg(y), width: .w32)),          // y written between
            ins(.binary(.add, dst: VReg(13), lhs: VReg(5), rhs: .reg(VReg(7)), width: .w64)),
            ins(.binary(.mul, dst: VReg(14), lhs: VReg(10), rhs: .imm(3), width: .w64)),
            ins(.binary(.add, dst: VReg(15), lhs: VReg(13), rhs: .reg(VReg(14)), width: .w64)),
            ins(.binary(.shl, dst: VReg(16), lhs: VReg(12), rhs: .imm(20), width: .w64)),
            ins(.binary(.add, dst: VReg(17), lhs: VReg(15), rhs: .reg(VReg(16)), width: .w64)),
        ], terminator: .ret(.reg(VReg(17))))])
        let g = XorForms.run(f)
        let insts = g.blocks[0].instructions.map(\.inst)
        #expect(insts[3] == .mov(dst: VReg(5), src: .imm(0x7fff_ffff), width: .w64), "\(show(g))")
        #expect(insts[5] == .mov(dst: VReg(7), src: .reg(x), width: .w32), "\(show(g))")
        #expect(insts[8] == f.blocks[0].instructions[8].inst && insts[12] == f.blocks[0].instructions[12].inst, "\(show(g))")
        for v: Int64 in [0, 1, -1, 0x7fff_ffff, 0x8000_0000, 0xffff_ffff, 0x1_0000_0000, Int64.min, 123_456_789] {
            #expect(try IRInterpreter.run(g, args: [v]) == IRInterpreter.run(f, args: [v]), "x=\(v)\(show(g))")
        }
    }

    /// `A = {x, 3x}`; `B = A` word by word; return `B.hi` read through B's address (as a
    /// relocated member read is) plus `B.lo`. Forwarded: nothing reads B any more.
    /// Left alone: A written after the copy, B written elsewhere, a partial copy.
    @Test func readsOfAWholeSlotCopyReadTheOriginal() throws {
        let x = VReg(0)
        func copyProgram(writeAAfter: Bool = false, writeBLater: Bool = false, words: Int = 2) -> Function {
            var insts = [ins(.store(base: .slot(0), offset: 0, value: .reg(x), width: .w64)),
                         ins(.binary(.mul, dst: VReg(1), lhs: x, rhs: .imm(3), width: .w64)),
                         ins(.store(base: .slot(0), offset: 8, value: .reg(VReg(1)), width: .w64))]
            for k in 0..<words {
                insts += [ins(.load(dst: VReg(10 + k), base: .slot(0), offset: 8 * k, width: .w64, signed: false)),
                          ins(.store(base: .slot(1), offset: 8 * k, value: .reg(VReg(10 + k)), width: .w64))]
            }
            if writeAAfter { insts.append(ins(.store(base: .slot(0), offset: 8, value: .imm(5), width: .w64))) }
            if writeBLater { insts.append(ins(.store(base: .slot(1), offset: 0, value: .imm(7), width: .w64))) }
            insts += [ins(.slotAddr(dst: VReg(20), slot: 1, offset: 0)),
                      ins(.load(dst: VReg(21), base: .reg(VReg(20)), offset: 8, width: .w64, signed: false)),
                      ins(.load(dst: VReg(22), base: .slot(1), offset: 0, width: .w64, signed: false)),
                      ins(.binary(.add, dst: VReg(23), lhs: VReg(21), rhs: .reg(VReg(22)), width: .w64))]
            return fn([Block(id: BlockID(0), instructions: insts, terminator: .ret(.reg(VReg(23))))],
                      slots: [StackSlot(size: 16, alignment: 8, name: "a"), StackSlot(size: 16, alignment: 8, name: "b")])
        }
        func readsB(_ f: Function) -> Bool {
            f.blocks[0].instructions.contains {
                switch $0.inst {
                case .load(_, .slot(1), _, _, _), .slotAddr(_, 1, _): return true
                default: return false
                }
            }
        }
        let f = copyProgram()
        let g = SlotCopyForwarding.run(f)
        #expect(!readsB(g), "\(show(g))")
        for forms in [copyProgram(writeAAfter: true), copyProgram(writeBLater: true), copyProgram(words: 1)] {
            #expect(SlotCopyForwarding.run(forms) == forms)
        }
        for v: Int64 in [0, 1, -7, 1 << 40] {
            #expect(try IRInterpreter.run(g, args: [v]) == IRInterpreter.run(f, args: [v]))
        }
        // The copy then goes entirely: one store pair for A and the reads.
        let o = Optimizer.run(Module(functions: [f]), level: 2).functions[0]
        #expect(!readsB(o) && !o.blocks.flatMap(\.instructions).contains { if case .store(.slot(1), _, _, _) = $0.inst { return true }; return false },
                "\(show(o))")
    }

    /// The reads after a copy are followed into a block entered only from the copy's
    /// block, not into a merge (another path may have written the copy differently).
    @Test func slotCopyReadsAreFollowedIntoSinglePredecessorBlocks() throws {
        let x = VReg(0)
        let copy = [ins(.store(base: .slot(0), offset: 0, value: .reg(x), width: .w64)),
                    ins(.load(dst: VReg(1), base: .slot(0), offset: 0, width: .w64, signed: false)),
                    ins(.store(base: .slot(1), offset: 0, value: .reg(VReg(1)), width: .w64))]
        let f = fn([
            Block(id: BlockID(0), instructions: copy,
                  terminator: .branch(.eq, lhs: x, rhs: .imm(0), width: .w64, then: BlockID(1), else: BlockID(2))),
            Block(id: BlockID(1), instructions: [ins(.load(dst: VReg(2), base: .slot(1), offset: 0, width: .w64, signed: false))],
                  terminator: .jump(BlockID(3))),
            Block(id: BlockID(2), instructions: [ins(.store(base: .slot(1), offset: 0, value: .imm(5), width: .w64)),
                                                 ins(.mov(dst: VReg(2), src: .imm(1), width: .w64))],
                  terminator: .jump(BlockID(3))),
            Block(id: BlockID(3), instructions: [ins(.load(dst: VReg(3), base: .slot(1), offset: 0, width: .w64, signed: false)),
                                                 ins(.binary(.add, dst: VReg(4), lhs: VReg(2), rhs: .reg(VReg(3)), width: .w64))],
                  terminator: .ret(.reg(VReg(4)))),
        ], slots: [StackSlot(size: 8, alignment: 8, name: "a"), StackSlot(size: 8, alignment: 8, name: "b")])
        let g = SlotCopyForwarding.run(f)
        #expect(g.blocks[1].instructions[0].inst == .load(dst: VReg(2), base: .slot(0), offset: 0, width: .w64, signed: false), "\(show(g))")
        #expect(g.blocks[3].instructions[0].inst == f.blocks[3].instructions[0].inst, "\(show(g))")
        for v: Int64 in [0, 3, -2] { #expect(try IRInterpreter.run(g, args: [v]) == IRInterpreter.run(f, args: [v])) }
    }
}
