import Testing
import BPFIR
@testable import BPFCodegen

/// What an unrolled round of masked, volatile-reading arithmetic leaves once folded
/// (testsuite `xdp_folded_rounds.c`): a 32-bit computation from a copy of a value is the
/// one from the value, a sign bit is read where it comes from, an extension nobody needs
/// the upper bits of is skipped, a uniform read-only object reads as its byte at any
/// index. Each rewrite is checked against the IR interpreter.
extension OptimizerPassTests {
    func block(_ insts: [Inst], returning r: VReg) -> Block {
        Block(id: BlockID(0), instructions: insts.map { Instruction($0) }, terminator: .ret(.reg(r)))
    }

    func expectSameResults(_ f: Function, _ g: Function, _ inputs: [Int64] = [0, 1, 0x7fff, 0x8000, 0xffff, -1, 0x1_2345_8001, -0x8000]) throws {
        for v in inputs { #expect(try IRInterpreter.run(g, args: [v]) == IRInterpreter.run(f, args: [v]), "\(v)\(show(g))") }
    }

    /// `t = (u32)a; x = t & 1` and `u = (u32)(long)a; y = u & 1`: one computation, `y` is `x`.
    @Test func thirtyTwoBitComputationsThroughCopiesAreNumberedAsOne() throws {
        let f = fn([block([
            .mov(dst: VReg(1), src: .reg(VReg(0)), width: .w32),
            .binary(.and, dst: VReg(2), lhs: VReg(1), rhs: .imm(1), width: .w32),
            .ext(dst: VReg(3), src: VReg(0), from: .w32, to: .w64, signed: true),
            .ext(dst: VReg(4), src: VReg(3), from: .w32, to: .w32, signed: false),
            .binary(.and, dst: VReg(5), lhs: VReg(4), rhs: .imm(1), width: .w32),
            .binary(.shl, dst: VReg(6), lhs: VReg(5), rhs: .imm(3), width: .w64),
            .binary(.add, dst: VReg(7), lhs: VReg(2), rhs: .reg(VReg(6)), width: .w64),
        ], returning: VReg(7))])
        let g = ValueNumbering.run(f)
        #expect(g.blocks[0].instructions[5].inst == .binary(.shl, dst: VReg(6), lhs: VReg(2), rhs: .imm(3), width: .w64), "\(show(g))")
        try expectSameResults(f, g)
        // A 64-bit operation reads the upper half too: `(long)a + 1` is not `(u32)a + 1`.
        let wide = fn([block([
            .mov(dst: VReg(1), src: .reg(VReg(0)), width: .w32),
            .binary(.add, dst: VReg(2), lhs: VReg(1), rhs: .imm(1), width: .w64),
            .ext(dst: VReg(3), src: VReg(0), from: .w32, to: .w64, signed: true),
            .binary(.add, dst: VReg(4), lhs: VReg(3), rhs: .imm(1), width: .w64),
            .binary(.xor, dst: VReg(5), lhs: VReg(2), rhs: .reg(VReg(4)), width: .w64),
        ], returning: VReg(5))])
        let h = ValueNumbering.run(wide)
        #expect(h.blocks[0].instructions[4].inst == .binary(.xor, dst: VReg(5), lhs: VReg(2), rhs: .reg(VReg(4)), width: .w64), "\(show(h))")
        try expectSameResults(wide, h)
    }

    /// `((short)x s>> 31) >> 31` of a 16-bit `x` is `x >> 15`; `(a s>> 7) >> 31` is `a >> 31`.
    @Test func signBitsAreReadWhereTheyComeFrom() throws {
        let f = fn([block([
            .binary(.and, dst: VReg(1), lhs: VReg(0), rhs: .imm(0xffff), width: .w64),
            .ext(dst: VReg(2), src: VReg(1), from: .w16, to: .w32, signed: true),
            .binary(.ashr, dst: VReg(3), lhs: VReg(2), rhs: .imm(31), width: .w32),
            .binary(.lshr, dst: VReg(4), lhs: VReg(3), rhs: .imm(31), width: .w32),
            .binary(.ashr, dst: VReg(5), lhs: VReg(0), rhs: .imm(7), width: .w32),
            .binary(.lshr, dst: VReg(6), lhs: VReg(5), rhs: .imm(31), width: .w32),
            .binary(.shl, dst: VReg(7), lhs: VReg(6), rhs: .imm(1), width: .w64),
            .binary(.or, dst: VReg(8), lhs: VReg(4), rhs: .reg(VReg(7)), width: .w64),
        ], returning: VReg(8))])
        let g = RedundancyElimination.run(f)
        let insts = g.blocks[0].instructions.map(\.inst)
        #expect(insts[3] == .binary(.lshr, dst: VReg(4), lhs: VReg(1), rhs: .imm(15), width: .w32), "\(show(g))")
        #expect(insts[5] == .binary(.lshr, dst: VReg(6), lhs: VReg(0), rhs: .imm(31), width: .w32), "\(show(g))")
        try expectSameResults(f, g)
        // A value that may have bits above the extended width keeps its extension.
        let unknown = fn([block([
            .ext(dst: VReg(2), src: VReg(0), from: .w16, to: .w32, signed: true),
            .binary(.lshr, dst: VReg(4), lhs: VReg(2), rhs: .imm(31), width: .w32),
        ], returning: VReg(4))])
        #expect(RedundancyElimination.run(unknown) == unknown)
    }

    /// `((short)x + s) s>> 1 & 1` reads only bits 0 and 1 of the sum: the sum reads `x`
    /// itself, and the extension dies; with bit 16 of the shifted sum demanded it stays.
    @Test func demandedLowBitsReadThroughAThirtyTwoBitChain() throws {
        func program(mask: Int64) -> Function {
            fn([block([
                .binary(.and, dst: VReg(1), lhs: VReg(0), rhs: .imm(0xffff), width: .w64),
                .ext(dst: VReg(2), src: VReg(1), from: .w16, to: .w32, signed: true),
                .binary(.lshr, dst: VReg(3), lhs: VReg(1), rhs: .imm(15), width: .w32),
                .binary(.add, dst: VReg(4), lhs: VReg(2), rhs: .reg(VReg(3)), width: .w32),
                .binary(.ashr, dst: VReg(5), lhs: VReg(4), rhs: .imm(1), width: .w32),
                .binary(.and, dst: VReg(6), lhs: VReg(5), rhs: .imm(mask), width: .w32),
            ], returning: VReg(6))])
        }
        for (mask, through) in [(Int64(1), true), (0x1_0000, false)] {
            let f = program(mask: mask)
            let g = DemandedBits.run(f)
            let extended = g.blocks[0].instructions.contains { if case .ext = $0.inst { return true }; return false }
            #expect(extended != through, "mask \(mask)\(show(g))")
            try expectSameResults(f, g)
        }
    }

    /// A load at an index not known from a read-only object of one repeated byte is that
    /// byte, extended as the load extends; from an object of differing bytes it stays.
    @Test func uniformReadOnlyObjectsReadAsTheirByteAtAnyIndex() {
        let f = fn([block([
            .symbolAddr(dst: VReg(1), symbol: SymbolRef(name: "zero", offset: 0)),
            .binary(.and, dst: VReg(2), lhs: VReg(0), rhs: .imm(3), width: .w64),
            .binary(.shl, dst: VReg(3), lhs: VReg(2), rhs: .imm(2), width: .w64),
            .binary(.add, dst: VReg(4), lhs: VReg(1), rhs: .reg(VReg(3)), width: .w64),
            .load(dst: VReg(5), base: .reg(VReg(4)), offset: 2, width: .w16, signed: false),
            .symbolAddr(dst: VReg(6), symbol: SymbolRef(name: "ones", offset: 0)),
            .binary(.add, dst: VReg(7), lhs: VReg(3), rhs: .reg(VReg(6)), width: .w64),
            .load(dst: VReg(8), base: .reg(VReg(7)), offset: 0, width: .w16, signed: true),
            .symbolAddr(dst: VReg(9), symbol: SymbolRef(name: "table", offset: 0)),
            .binary(.add, dst: VReg(10), lhs: VReg(9), rhs: .reg(VReg(3)), width: .w64),
            .load(dst: VReg(11), base: .reg(VReg(10)), offset: 0, width: .w16, signed: false),
        ], returning: VReg(5))])
        let memory = ReadOnlyMemory(data: ["zero": [UInt8](repeating: 0, count: 16), "ones": [UInt8](repeating: 0xff, count: 16),
                                           "table": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]])
        let insts = ReadOnlyLoads.run(f, memory: memory).blocks[0].instructions.map(\.inst)
        #expect(insts[4] == .mov(dst: VReg(5), src: .imm(0), width: .w64))
        #expect(insts[7] == .mov(dst: VReg(8), src: .imm(-1), width: .w64))
        #expect(insts[10] == f.blocks[0].instructions[10].inst)
    }

    /// `a += 0` left `a = a`: it goes, and the branch whose arm held only it with it.
    @Test func selfCopiesAreRemoved() throws {
        let f = fn([
            Block(id: BlockID(0), instructions: [Instruction(.mov(dst: VReg(1), src: .reg(VReg(0)), width: .w64))],
                  terminator: .branch(.eq, lhs: VReg(0), rhs: .imm(3), width: .w64, then: BlockID(1), else: BlockID(2))),
            Block(id: BlockID(1), instructions: [Instruction(.mov(dst: VReg(1), src: .reg(VReg(1)), width: .w64))], terminator: .jump(BlockID(2))),
            Block(id: BlockID(2), terminator: .ret(.reg(VReg(1)))),
        ])
        let g = DeadCodeElimination.run(f)
        #expect(g.blocks[0].terminator == .jump(BlockID(2)), "\(show(g))")
        try expectSameResults(f, g)
    }

    /// The empty statement before a volatile load names its memory by the folded
    /// address's base: the addition dies.
    @Test func volatileLoadStatementsNameTheFoldedBase() {
        let f = fn([block([
            .binary(.add, dst: VReg(1), lhs: VReg(0), rhs: .imm(8), width: .w64),
            .inlineAsm(.volatileLoadStart, inputs: [VReg(1)], outputs: []),
            .load(dst: VReg(2), base: .reg(VReg(1)), offset: 0, width: .w16, signed: false),
            .inlineAsm(.volatileAccessEnd, inputs: [VReg(2)], outputs: []),
        ], returning: VReg(2))])
        let g = DeadCodeElimination.run(AddressFolding.foldOffsets(f))
        #expect(g.blocks[0].instructions.map(\.inst) == [
            .inlineAsm(.volatileLoadStart, inputs: [VReg(0)], outputs: []),
            .load(dst: VReg(2), base: .reg(VReg(0)), offset: 8, width: .w16, signed: false),
            .inlineAsm(.volatileAccessEnd, inputs: [VReg(2)], outputs: []),
        ], "\(show(g))")
    }

    /// A 32-bit sum of a zero-extension from 32 bits and values computed from the same
    /// register is one linear form of it (`grid[0][0] + grid[1][1] + ...` of a grid filled
    /// with `x + k`).
    @Test func extensionsFromThirtyTwoBitsAreLinearAtThirtyTwoBits() throws {
        let f = fn([block([
            .ext(dst: VReg(1), src: VReg(0), from: .w32, to: .w32, signed: false),
            .binary(.add, dst: VReg(2), lhs: VReg(0), rhs: .imm(5), width: .w32),
            .binary(.add, dst: VReg(3), lhs: VReg(0), rhs: .imm(10), width: .w32),
            .binary(.add, dst: VReg(4), lhs: VReg(1), rhs: .reg(VReg(2)), width: .w32),
            .binary(.add, dst: VReg(5), lhs: VReg(4), rhs: .reg(VReg(3)), width: .w32),
        ], returning: VReg(5))])
        let g = DeadCodeElimination.run(LinearForms.run(f))
        #expect(g.blocks[0].instructions.count < 4, "\(show(g))")
        try expectSameResults(f, g)
    }
}
