import Testing
import BPFIR
@testable import BPFCodegen

/// Branches decided by a value's signed range where its unsigned one says nothing (random
/// seed 34503: `256 + (unsigned)(c ? u8 : s8)` is never 0, which clang's range analysis
/// knows): a sign-extended byte is in [-128, 127], extended again through a truncation to
/// 16 bits still, plus a constant shifted.
extension OptimizerPassTests {
    @Test func branchesTheSignedRangeDecidesAreJumps() throws {
        let r = { VReg($0) }
        let f = fn([
            Block(id: BlockID(0), instructions: [
                .ext(dst: r(1), src: r(0), from: .w8, to: .w32, signed: true),
                .ext(dst: r(2), src: r(1), from: .w16, to: .w32, signed: false),
                .ext(dst: r(3), src: r(2), from: .w16, to: .w32, signed: true),
                .binary(.add, dst: r(4), lhs: r(3), rhs: .imm(200), width: .w32),
            ].map(ins), terminator: .branch(.slt, lhs: r(4), rhs: .imm(50), width: .w32, then: BlockID(1), else: BlockID(2))),
            Block(id: BlockID(1), terminator: .ret(.imm(1))),
            // Either a byte or a signed byte: [-128, 255]; plus 256 never 0.
            Block(id: BlockID(2), terminator: .branch(.ne, lhs: r(0), rhs: .imm(0), width: .w64, then: BlockID(3), else: BlockID(4))),
            Block(id: BlockID(3), instructions: [ins(.ext(dst: r(5), src: r(0), from: .w8, to: .w32, signed: false))],
                  terminator: .jump(BlockID(5))),
            Block(id: BlockID(4), instructions: [ins(.mov(dst: r(5), src: .reg(r(1)), width: .w64))], terminator: .jump(BlockID(5))),
            Block(id: BlockID(5), instructions: [ins(.binary(.add, dst: r(6), lhs: r(5), rhs: .imm(256), width: .w32))],
                  terminator: .branch(.eq, lhs: r(6), rhs: .imm(0), width: .w32, then: BlockID(6), else: BlockID(7))),
            Block(id: BlockID(6), terminator: .ret(.imm(2))),
            // [-28, 227] holds both signs: the test stays.
            Block(id: BlockID(7), instructions: [ins(.binary(.add, dst: r(7), lhs: r(1), rhs: .imm(100), width: .w32))],
                  terminator: .branch(.sgt, lhs: r(7), rhs: .imm(0), width: .w32, then: BlockID(8), else: BlockID(9))),
            Block(id: BlockID(8), terminator: .ret(.imm(3))),
            Block(id: BlockID(9), terminator: .ret(.imm(4))),
        ])
        let g = RedundancyElimination.run(f)
        // The two decided branches are jumps, their other sides gone; the third stays.
        let returns = g.blocks.compactMap { b -> Int64? in if case .ret(.imm(let k)?) = b.terminator { return k }; return nil }
        #expect(returns.sorted() == [3, 4], "\(show(g))")
        #expect(g.blocks.filter { if case .branch = $0.terminator { return true }; return false }.count == 2, "\(show(g))")
        try expectSameResults(f, g, [0, 1, 0x7f, 0x80, 0xff, 0x100, -1, -128, 0x1_2345_6780])
    }

    /// `(s64)c - (-0x7fffffffffffffff) < (u64)-52803` of a signed byte `c` (random seed
    /// 65607: a loop's first test, always leaving it): the difference lies in [2^63 - 129,
    /// 2^63 + 126], unsigned, so the test always holds; of a value with no range it stays.
    @Test func sumsMovingASignedRangeWithoutWrappingDecideUnsignedTests() throws {
        let r = { VReg($0) }
        func program(signedByte: Bool) -> Function {
            fn([
                Block(id: BlockID(0), instructions: [
                    signedByte ? .ext(dst: r(1), src: r(0), from: .w8, to: .w64, signed: true) : .mov(dst: r(1), src: .reg(r(0)), width: .w64),
                    .mov(dst: r(2), src: .imm(-0x7fff_ffff_ffff_ffff), width: .w64),
                    .binary(.sub, dst: r(3), lhs: r(1), rhs: .reg(r(2)), width: .w64),
                ].map(ins), terminator: .branch(.ult, lhs: r(3), rhs: .imm(-52803), width: .w64, then: BlockID(1), else: BlockID(2))),
                Block(id: BlockID(1), terminator: .ret(.imm(1))),
                Block(id: BlockID(2), terminator: .ret(.imm(2))),
            ])
        }
        let f = program(signedByte: true), g = RedundancyElimination.run(f)
        #expect(!branches(g) && !g.blocks.contains { $0.terminator == .ret(.imm(2)) }, "\(show(g))")
        try expectSameResults(f, g, [0, 1, 0x7f, 0x80, 0xff, -1, -128])
        let h = program(signedByte: false)
        #expect(branches(RedundancyElimination.run(h)), "\(show(RedundancyElimination.run(h)))")
    }

    /// `b >= (0x80000000 - c) / 7` of bytes `b` and `c` (random seed 65862: clang drops the
    /// loop body it guards) never holds: the quotient is at least 306,783,341. Against
    /// `c / 7` the ranges meet and the test stays; at 32 bits, a register whose upper half
    /// may be set (`p | 2^32`, least 2^32 as a 64-bit number) says nothing of its low half.
    @Test func testsOfTwoRegistersWhoseRangesLieApartAreDecided() throws {
        let r = { VReg($0) }
        func program(_ divided: [Inst], width: Width = .w32) -> Function {
            fn([
                Block(id: BlockID(0), instructions: ([
                    .load(dst: r(1), base: .slot(0), offset: 0, width: .w8, signed: false),
                    .load(dst: r(2), base: .slot(0), offset: 1, width: .w8, signed: false),
                ] + divided).map(ins), terminator: .branch(.uge, lhs: r(1), rhs: .reg(r(4)), width: width, then: BlockID(1), else: BlockID(2))),
                Block(id: BlockID(1), terminator: .ret(.imm(1))),
                Block(id: BlockID(2), terminator: .ret(.imm(2))),
            ], slots: [StackSlot(size: 8, alignment: 8, name: "s")])
        }
        let apart = program([.mov(dst: r(5), src: .imm(0x8000_0000), width: .w64),
                             .binary(.sub, dst: r(3), lhs: r(5), rhs: .reg(r(2)), width: .w32),
                             .binary(.udiv, dst: r(4), lhs: r(3), rhs: .imm(7), width: .w32)])
        let g = RedundancyElimination.run(apart)
        #expect(!branches(g) && !g.blocks.contains { $0.terminator == .ret(.imm(1)) }, "\(show(g))")
        let meeting = program([.binary(.udiv, dst: r(4), lhs: r(2), rhs: .imm(7), width: .w32)])
        #expect(branches(RedundancyElimination.run(meeting)), "\(show(RedundancyElimination.run(meeting)))")
        let wide = program([.binary(.or, dst: r(4), lhs: r(0), rhs: .imm(0x1_0000_0000), width: .w64)])
        #expect(branches(RedundancyElimination.run(wide)), "\(show(RedundancyElimination.run(wide)))")
        #expect(!branches(RedundancyElimination.run(program([.binary(.or, dst: r(4), lhs: r(0), rhs: .imm(0x1_0000_0000), width: .w64)],
                                                             width: .w64))), "at 64 bits it is decided")
    }

    /// A `u16` xor-ed with a byte in a loop stays below 2^16 (the cycle only through `xor`
    /// adds no bit), so `x <= 0x12345678` after the loop always holds; the same variable
    /// incremented in the loop has no bound, and the test stays.
    @Test func loopVariablesChangedOnlyByBitOperationsAreBounded() throws {
        let r = { VReg($0) }
        func program(_ step: BinOp) -> Function {
            fn([
                Block(id: BlockID(0), instructions: [ins(.load(dst: r(1), base: .slot(0), offset: 0, width: .w16, signed: false))],
                      terminator: .jump(BlockID(1))),
                Block(id: BlockID(1), instructions: [ins(.load(dst: r(2), base: .slot(0), offset: 2, width: .w8, signed: false)),
                                                     ins(.binary(step, dst: r(1), lhs: r(1), rhs: .reg(r(2)), width: .w64))],
                      terminator: .branch(.ne, lhs: r(0), rhs: .imm(0), width: .w64, then: BlockID(1), else: BlockID(2))),
                Block(id: BlockID(2), terminator: .branch(.sle, lhs: r(1), rhs: .imm(0x1234_5678), width: .w64, then: BlockID(3), else: BlockID(4))),
                Block(id: BlockID(3), terminator: .ret(.imm(1))),
                Block(id: BlockID(4), terminator: .ret(.imm(2))),
            ], slots: [StackSlot(size: 8, alignment: 8, name: "s")])
        }
        let g = RedundancyElimination.run(program(.xor))
        #expect(!g.blocks.contains { if case .ret(.imm(2)?) = $0.terminator { return true }; return false }, "\(show(g))")
        let h = RedundancyElimination.run(program(.add))
        #expect(h.blocks.contains { if case .ret(.imm(2)?) = $0.terminator { return true }; return false }, "\(show(h))")
    }

    /// `(x & flag) % 6` of a 0-or-1 flag is `x & flag` itself, `(x & flag) / 6` is 0: the
    /// remainder's clamp (`r > 5 ? 5 : r`, lowering's bound for the verifier) then tests a
    /// value the verifier bounds, and goes; a remainder of an unbounded value stays.
    @Test func remaindersAndQuotientsOfValuesBelowTheDivisorAreTheValueAndZero() throws {
        let r = { VReg($0) }
        let f = fn([
            Block(id: BlockID(0), instructions: [
                .ext(dst: r(1), src: r(0), from: .w8, to: .w64, signed: false),
                .binary(.lshr, dst: r(2), lhs: r(1), rhs: .imm(7), width: .w64),              // 0 or 1
                .binary(.and, dst: r(3), lhs: r(0), rhs: .reg(r(2)), width: .w32),
                .binary(.urem, dst: r(4), lhs: r(3), rhs: .imm(6), width: .w32),
                .binary(.udiv, dst: r(5), lhs: r(3), rhs: .imm(6), width: .w32),
                .binary(.urem, dst: r(6), lhs: r(0), rhs: .imm(6), width: .w32),               // stays
            ].map(ins), terminator: .branch(.ule, lhs: r(4), rhs: .imm(5), width: .w32, then: BlockID(2), else: BlockID(1))),
            Block(id: BlockID(1), instructions: [ins(.mov(dst: r(4), src: .imm(5), width: .w32))], terminator: .jump(BlockID(2))),
            Block(id: BlockID(2), instructions: [
                .binary(.mul, dst: r(7), lhs: r(4), rhs: .imm(100), width: .w64),
                .binary(.add, dst: r(8), lhs: r(7), rhs: .reg(r(5)), width: .w64),
                .binary(.add, dst: r(9), lhs: r(8), rhs: .reg(r(6)), width: .w64),
            ].map(ins), terminator: .ret(.reg(r(9)))),
        ])
        // (The branch is decided on the next run, over the rewritten definitions.)
        let g = CFGSimplify.run(RedundancyElimination.run(RedundancyElimination.run(f)))
        let insts = g.blocks.flatMap { $0.instructions.map(\.inst) }
        #expect(insts.contains(.mov(dst: r(4), src: .reg(r(3)), width: .w64)) && insts.contains(.mov(dst: r(5), src: .imm(0), width: .w64)), "\(show(g))")
        #expect(insts.contains(.binary(.urem, dst: r(6), lhs: r(0), rhs: .imm(6), width: .w32)), "\(show(g))")
        #expect(!g.blocks.contains { if case .branch = $0.terminator { return true }; return false }, "\(show(g))")
        try expectSameResults(f, g, [0, 1, 0x7f, 0x80, 0xff, 0x185, -1, 0x1_2345_6787])
    }

    /// `switch ((c / 100) % 5)` of a byte `c`, with the signed division's sign fix-ups
    /// (`s = c >> 31`, `(c ^ s) - s`) still there: the quotient is at most 2, and so the
    /// remainder, so `case 3` never matches (random seed 38308, as clang's range analysis
    /// knows). An ordering test of the quotient stays, though true: the verifier knows
    /// nothing of a quotient, and such a test may be the bounds check it needs before an
    /// access.
    @Test func equalityTestsOfBoundedQuotientsAreDecidedOrderingTestsStay() throws {
        let r = { VReg($0) }
        let f = fn([
            Block(id: BlockID(0), instructions: [
                .ext(dst: r(1), src: r(0), from: .w8, to: .w32, signed: false),
                .binary(.ashr, dst: r(2), lhs: r(1), rhs: .imm(31), width: .w32),
                .binary(.xor, dst: r(3), lhs: r(1), rhs: .reg(r(2)), width: .w32),
                .binary(.sub, dst: r(4), lhs: r(3), rhs: .reg(r(2)), width: .w32),
                .binary(.udiv, dst: r(5), lhs: r(4), rhs: .imm(100), width: .w32),
                .binary(.xor, dst: r(6), lhs: r(5), rhs: .reg(r(2)), width: .w32),
                .binary(.sub, dst: r(7), lhs: r(6), rhs: .reg(r(2)), width: .w32),
                .binary(.urem, dst: r(8), lhs: r(7), rhs: .imm(5), width: .w32),
            ].map(ins), terminator: .branch(.eq, lhs: r(8), rhs: .imm(3), width: .w32, then: BlockID(1), else: BlockID(2))),
            Block(id: BlockID(1), terminator: .ret(.imm(1))),
            Block(id: BlockID(2), terminator: .branch(.ult, lhs: r(7), rhs: .imm(3), width: .w32, then: BlockID(3), else: BlockID(4))),
            Block(id: BlockID(3), terminator: .ret(.reg(r(8)))),
            Block(id: BlockID(4), terminator: .ret(.imm(4))),
        ])
        let g = RedundancyElimination.run(f)
        let returns = g.blocks.compactMap { b -> Int64? in if case .ret(.imm(let k)?) = b.terminator { return k }; return nil }
        #expect(returns == [4], "case 3 gone, the ordering test's side kept\(show(g))")
        #expect(g.blocks.filter { if case .branch(.ult, _, _, _, _, _) = $0.terminator { return true }; return false }.count == 1, "\(show(g))")
        try expectSameResults(f, g, [0, 1, 99, 100, 0xff, 0x1ff, -1, 0x1_2345_6780])
    }

    /// `r = (c / 100) % 5` of a byte with lowering's clamp for the verifier (`if (r > 4)
    /// { r = 4; t = 4; }`, the clamp also writing the copy tested later): the clamp never
    /// runs, so `t == 3` never holds. Had the clamp's register another writer, the test
    /// would stay.
    @Test(arguments: [false, true])
    func remainderClampsDoNotBoundTheRemainder(writtenElsewhere: Bool) throws {
        let r = { VReg($0) }
        let f = fn([
            Block(id: BlockID(0), instructions: [
                .ext(dst: r(1), src: r(0), from: .w8, to: .w32, signed: false),
                .binary(.udiv, dst: r(2), lhs: r(1), rhs: .imm(100), width: .w32),
                .binary(.urem, dst: r(3), lhs: r(2), rhs: .imm(5), width: .w32),
            ].map(ins), terminator: .branch(.ule, lhs: r(3), rhs: .imm(4), width: .w32, then: BlockID(2), else: BlockID(1))),
            Block(id: BlockID(1), instructions: [.mov(dst: r(3), src: .imm(4), width: .w64), .mov(dst: r(4), src: .imm(4), width: .w64)].map(ins),
                  terminator: .jump(BlockID(3))),
            Block(id: BlockID(2), instructions: [ins(.ext(dst: r(4), src: r(3), from: .w32, to: .w32, signed: false))]
                    + (writtenElsewhere ? [ins(.binary(.add, dst: r(3), lhs: r(3), rhs: .imm(1), width: .w32))] : []),
                  terminator: .branch(.eq, lhs: r(4), rhs: .imm(3), width: .w32, then: BlockID(4), else: BlockID(3))),
            Block(id: BlockID(3), terminator: .ret(.reg(r(3)))),
            Block(id: BlockID(4), terminator: .ret(.imm(77))),
        ])
        let g = RedundancyElimination.run(f)
        let keepsCase = g.blocks.contains { if case .ret(.imm(77)?) = $0.terminator { return true }; return false }
        #expect(keepsCase == writtenElsewhere, "\(show(g))")
        try expectSameResults(f, g, [0, 1, 99, 100, 0xff, 0x1ff, -1])
    }
}
