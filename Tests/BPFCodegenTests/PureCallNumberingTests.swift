import Testing
@testable import BPFIR
@testable import BPFCodegen

/// ValueNumbering's calls of pure functions (`PureFunctions`): a call repeated with the
/// same arguments and no write to memory between returns the first call's result; and
/// computations reading registers that hold the same constant are one computation.
extension OptimizerPassTests {
    private static let g = SymbolRef(name: "g", offset: 0)

    /// The calls left in `f`.
    private func calls(_ f: Function) -> [Inst] {
        f.blocks.flatMap(\.instructions).map(\.inst).filter { if case .call = $0 { return true }; return false }
    }

    /// `x = h(a); <between>; y = h(a); return x + y`, `a` the parameter.
    private func twoCalls(_ between: [Inst], callee: String = "h", argument: Operand = .reg(VReg(0))) -> Function {
        fn([Block(id: BlockID(0), instructions: [
            ins(.call(dst: VReg(1), callee: .function(SymbolName(callee)), args: [argument])),
        ] + between.map(ins) + [
            ins(.call(dst: VReg(2), callee: .function(SymbolName(callee)), args: [argument])),
            ins(.binary(.add, dst: VReg(3), lhs: VReg(1), rhs: .reg(VReg(2)), width: .w64)),
        ], terminator: .ret(.reg(VReg(3))))], slots: [StackSlot(size: 8, alignment: 8, name: "s")])
    }

    @Test func aPureCallRepeatedWithNothingWrittenBetweenReturnsTheFirstResult() throws {
        let pure: Set<SymbolName> = ["h"]
        // Nothing between, or only a load and a store to the frame: one call is left.
        for between: [Inst] in [[], [.symbolAddr(dst: VReg(10), symbol: Self.g), .load(dst: VReg(11), base: .reg(VReg(10)), offset: 0, width: .w64, signed: false)],
                                [.store(base: .slot(0), offset: 0, value: .imm(1), width: .w64)]] {
            let f = DeadCodeElimination.run(ValueNumbering.run(twoCalls(between), pureFunctions: pure))
            #expect(calls(f).count == 1, "\(between)")
            #expect(f.blocks[0].instructions.last?.inst == .binary(.add, dst: VReg(3), lhs: VReg(1), rhs: .reg(VReg(1)), width: .w64))
        }
        // A write to a global, a helper call, or a call of a function not known pure between: two calls.
        for (between, left): ([Inst], Int) in [([.symbolAddr(dst: VReg(10), symbol: Self.g), .store(base: .reg(VReg(10)), offset: 0, value: .imm(1), width: .w64)], 2),
                                               ([.call(dst: nil, callee: .helper(5), args: [])], 3),
                                               ([.call(dst: nil, callee: .function("other"), args: [])], 3)] {
            #expect(calls(ValueNumbering.run(twoCalls(between), pureFunctions: pure)).count == left, "\(between)")
        }
        // Not pure, or not told so: both calls stay.
        #expect(calls(ValueNumbering.run(twoCalls([], callee: "k"), pureFunctions: pure)).count == 2)
        #expect(calls(ValueNumbering.run(twoCalls([]))).count == 2)
        // Given a stack address (the callee could read the slot): both stay.
        let withSlot = twoCalls([], argument: .reg(VReg(20)))
        var given = withSlot
        given.blocks[0].instructions.insert(ins(.slotAddr(dst: VReg(20), slot: 0, offset: 0)), at: 0)
        #expect(calls(ValueNumbering.run(given, pureFunctions: pure)).count == 2)
    }

    /// `h(*g)` then `h(*g + 0)` with `g` loaded again after the first call: the arguments
    /// are one value (nothing writes `g` between), so the second call goes; the second load
    /// stays a load (reused, it would live across the call where clang's build reloads).
    @Test func aGlobalLoadedAgainAfterAPureCallIsOneArgument() throws {
        let f = fn([Block(id: BlockID(0), instructions: [
            ins(.symbolAddr(dst: VReg(1), symbol: Self.g)),
            ins(.load(dst: VReg(2), base: .reg(VReg(1)), offset: 0, width: .w64, signed: false)),
            ins(.binary(.xor, dst: VReg(3), lhs: VReg(2), rhs: .imm(7), width: .w64)),
            ins(.call(dst: VReg(4), callee: .function("h"), args: [.reg(VReg(3))])),
            ins(.symbolAddr(dst: VReg(5), symbol: Self.g)),
            ins(.load(dst: VReg(6), base: .reg(VReg(5)), offset: 0, width: .w64, signed: false)),
            ins(.binary(.xor, dst: VReg(7), lhs: VReg(6), rhs: .imm(7), width: .w64)),
            ins(.call(dst: VReg(8), callee: .function("h"), args: [.reg(VReg(7))])),
            ins(.binary(.add, dst: VReg(9), lhs: VReg(4), rhs: .reg(VReg(8)), width: .w64)),
            ins(.binary(.add, dst: VReg(10), lhs: VReg(9), rhs: .reg(VReg(6)), width: .w64)),
        ], terminator: .ret(.reg(VReg(10))))])
        let numbered = ValueNumbering.run(f, pureFunctions: ["h"])
        #expect(calls(DeadCodeElimination.run(numbered)).count == 1)
        let loads = numbered.blocks[0].instructions.filter { if case .load = $0.inst { return true }; return false }
        #expect(loads.count == 2, "the load after the call is not replaced by the one before it")
        // A store to `g` after the first call: two calls.
        var written = f
        written.blocks[0].instructions.insert(ins(.store(base: .reg(VReg(1)), offset: 0, value: .imm(3), width: .w64)), at: 4)
        #expect(calls(ValueNumbering.run(written, pureFunctions: ["h"])).count == 2)
    }

    /// `a * K` computed twice, each time from its own register holding the 64-bit
    /// constant K (each unrolled round loads it again): one computation.
    @Test func computationsFromRegistersHoldingOneConstantAreOne() throws {
        let k: Int64 = 0x1234_5678_9abc
        func f(_ second: Int64) -> Function {
            fn([Block(id: BlockID(0), instructions: [
                ins(.loadImm64(dst: VReg(1), value: k)),
                ins(.binary(.mul, dst: VReg(2), lhs: VReg(0), rhs: .reg(VReg(1)), width: .w64)),
                ins(.loadImm64(dst: VReg(3), value: second)),
                ins(.binary(.mul, dst: VReg(4), lhs: VReg(0), rhs: .reg(VReg(3)), width: .w64)),
                ins(.binary(.xor, dst: VReg(5), lhs: VReg(2), rhs: .reg(VReg(4)), width: .w64)),
            ], terminator: .ret(.reg(VReg(5))))])
        }
        func multiplications(_ f: Function) -> Int {
            f.blocks[0].instructions.filter { if case .binary(.mul, _, _, _, _) = $0.inst { return true }; return false }.count
        }
        let same = DeadCodeElimination.run(ValueNumbering.run(f(k)))
        #expect(multiplications(same) == 1)
        #expect(try IRInterpreter.run(same, args: [77]) == 0)
        #expect(multiplications(DeadCodeElimination.run(ValueNumbering.run(f(k + 1)))) == 2)
        // A 32-bit move of a constant holds it zero-extended: the same as the 64-bit one.
        let mixed = fn([Block(id: BlockID(0), instructions: [
            ins(.mov(dst: VReg(1), src: .imm(-1), width: .w32)),
            ins(.binary(.add, dst: VReg(2), lhs: VReg(0), rhs: .reg(VReg(1)), width: .w64)),
            ins(.mov(dst: VReg(3), src: .imm(0xffff_ffff), width: .w64)),
            ins(.binary(.add, dst: VReg(4), lhs: VReg(0), rhs: .reg(VReg(3)), width: .w64)),
            ins(.binary(.sub, dst: VReg(5), lhs: VReg(2), rhs: .reg(VReg(4)), width: .w64)),
        ], terminator: .ret(.reg(VReg(5))))])
        let numberedMixed = DeadCodeElimination.run(ValueNumbering.run(mixed))
        #expect(numberedMixed.blocks[0].instructions.filter { if case .binary(.add, _, _, _, _) = $0.inst { return true }; return false }.count == 1)
        #expect(try IRInterpreter.run(numberedMixed, args: [9]) == 0)
    }

    /// `h(h(x, 1), 2)` where `h` reads only its second parameter (and a global): once
    /// DeadParameters drops the first, the inner call's result is unread and the call
    /// goes, as clang drops an unused `readonly` call.
    @Test func aPureCallWhoseResultADroppedParameterTookGoes() throws {
        let callee = Function(name: "h", section: ".text", linkage: .static, parameters: [VReg(0), VReg(1)],
                              blocks: [Block(id: BlockID(0), instructions: [
                                ins(.symbolAddr(dst: VReg(2), symbol: Self.g)),
                                ins(.load(dst: VReg(3), base: .reg(VReg(2)), offset: 0, width: .w64, signed: false)),
                                ins(.binary(.add, dst: VReg(4), lhs: VReg(1), rhs: .reg(VReg(3)), width: .w64)),
                              ], terminator: .ret(.reg(VReg(4))))], slots: [], nextVReg: 8)
        let caller = fn([Block(id: BlockID(0), instructions: [
            ins(.call(dst: VReg(1), callee: .function("h"), args: [.reg(VReg(0)), .imm(1)])),
            ins(.call(dst: VReg(2), callee: .function("h"), args: [.reg(VReg(1)), .reg(VReg(0))])),
        ], terminator: .ret(.reg(VReg(2))))])
        let m = Optimizer.run(Module(functions: [caller, callee]), level: 2)
        #expect(m.functions[1].parameters.count == 1)
        let left = calls(m.functions[0])
        #expect(left.count == 1)
        if case .call(_, .function("h"), let args)? = left.first { #expect(Array(args) == [.reg(VReg(0))]) } else { Issue.record("no call of h") }
    }
}
