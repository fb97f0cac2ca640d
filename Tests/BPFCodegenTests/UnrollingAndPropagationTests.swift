import Testing
import BPFIR
@testable import BPFCodegen

/// Full unrolling of loops whose path is known, flow-sensitive constant and stack
/// address propagation, and pointer offsets folded into accesses.
extension OptimizerPassTests {
    func ins(_ i: Inst) -> Instruction { Instruction(i) }

    /// `acc = 0; for (p = buf; p < buf + 8; p++) acc = acc * 3 + *p` over a stack array
    /// holding 1..8: the verifier cannot bound a loop on two stack pointers.
    func pointerWalk() -> Function {
        var entry = (0..<8).map { ins(.store(base: .slot(0), offset: $0, value: .imm(Int64($0 + 1)), width: .w8)) }
        entry += [ins(.slotAddr(dst: VReg(1), slot: 0, offset: 0)), ins(.slotAddr(dst: VReg(2), slot: 0, offset: 8)),
                  ins(.mov(dst: VReg(3), src: .imm(0), width: .w32))]
        let b0 = Block(id: BlockID(0), instructions: entry, terminator: .jump(BlockID(1)))
        let b1 = Block(id: BlockID(1), terminator: .branch(.ult, lhs: VReg(1), rhs: .reg(VReg(2)), width: .w64, then: BlockID(2), else: BlockID(3)))
        let b2 = Block(id: BlockID(2), instructions: [
            ins(.binary(.mul, dst: VReg(4), lhs: VReg(3), rhs: .imm(3), width: .w32)),
            ins(.load(dst: VReg(5), base: .reg(VReg(1)), offset: 0, width: .w8, signed: false)),
            ins(.binary(.add, dst: VReg(3), lhs: VReg(4), rhs: .reg(VReg(5)), width: .w32)),
            ins(.binary(.add, dst: VReg(1), lhs: VReg(1), rhs: .imm(1), width: .w64)),
        ], terminator: .jump(BlockID(1)))
        let b3 = Block(id: BlockID(3), terminator: .ret(.reg(VReg(3))))
        return fn([b0, b1, b2, b3], slots: [StackSlot(size: 8, alignment: 8, name: "buf")])
    }

    @Test func loopsOverStackPointersUnrollAndFoldAway() throws {
        let f = pointerWalk()
        #expect(FullUnrolling.loopHeaders(f) == [1])
        let u = FullUnrolling.run(f)
        #expect(FullUnrolling.loopHeaders(u).isEmpty, "\n\(IRPrinter.print(Module(functions: [u])))")
        #expect(try IRInterpreter.run(u, args: [0]) == 4916)
        // Every access is now at a constant stack offset, and the whole walk folds to its value.
        let o = Optimizer.run(Module(functions: [f]), level: 2).functions[0]
        #expect(o.blocks.count == 1 && o.blocks[0].terminator == .ret(.imm(4916)), "\n\(IRPrinter.print(Module(functions: [o])))")
        let c = try Codegen.compile(o, options: CodegenOptions())
        #expect(try Interpreter.run(c.instructions, args: [0]) == 4916)
    }

    @Test func loopsWhosePathDependsOnInputStayLoops() throws {
        // for (i = 0; i != p; i++) s += i: the trip count is the parameter's.
        let b0 = Block(id: BlockID(0), instructions: [ins(.mov(dst: VReg(1), src: .imm(0), width: .w64)),
                                                      ins(.mov(dst: VReg(2), src: .imm(0), width: .w64))],
                       terminator: .jump(BlockID(1)))
        let b1 = Block(id: BlockID(1), terminator: .branch(.ne, lhs: VReg(1), rhs: .reg(VReg(0)), width: .w64, then: BlockID(2), else: BlockID(3)))
        let b2 = Block(id: BlockID(2), instructions: [
            ins(.binary(.add, dst: VReg(2), lhs: VReg(2), rhs: .reg(VReg(1)), width: .w64)),
            ins(.binary(.add, dst: VReg(1), lhs: VReg(1), rhs: .imm(1), width: .w64)),
        ], terminator: .jump(BlockID(1)))
        let b3 = Block(id: BlockID(3), terminator: .ret(.reg(VReg(2))))
        let f = fn([b0, b1, b2, b3])
        #expect(FullUnrolling.run(f) == f)
    }

    @Test func unrolledIterationsGetRegistersOfTheirOwnAndLiveOutValuesReturn() throws {
        // i = 0; s = 0; do { s = s * 2 + i; i += 1 } while (i < 5); return i * 100 + s + p
        let b0 = Block(id: BlockID(0), instructions: [ins(.mov(dst: VReg(1), src: .imm(0), width: .w64)),
                                                      ins(.mov(dst: VReg(2), src: .imm(0), width: .w64))],
                       terminator: .jump(BlockID(1)))
        let b1 = Block(id: BlockID(1), instructions: [
            ins(.binary(.mul, dst: VReg(3), lhs: VReg(2), rhs: .imm(2), width: .w64)),
            ins(.binary(.add, dst: VReg(2), lhs: VReg(3), rhs: .reg(VReg(1)), width: .w64)),
            ins(.binary(.add, dst: VReg(1), lhs: VReg(1), rhs: .imm(1), width: .w64)),
        ], terminator: .branch(.slt, lhs: VReg(1), rhs: .imm(5), width: .w64, then: BlockID(1), else: BlockID(2)))
        let b2 = Block(id: BlockID(2), instructions: [
            ins(.binary(.mul, dst: VReg(4), lhs: VReg(1), rhs: .imm(100), width: .w64)),
            ins(.binary(.add, dst: VReg(4), lhs: VReg(4), rhs: .reg(VReg(2)), width: .w64)),
            ins(.binary(.add, dst: VReg(4), lhs: VReg(4), rhs: .reg(VReg(0)), width: .w64)),
        ], terminator: .ret(.reg(VReg(4))))
        let f = fn([b0, b1, b2])
        let u = FullUnrolling.run(f)
        #expect(FullUnrolling.loopHeaders(u).isEmpty)
        let (_, defs) = u.useDefCounts()
        #expect(defs[VReg(3)] == 0, "the body's temporary is renamed in each iteration")
        #expect((64..<u.nextVReg).allSatisfy { defs[VReg($0)] == 1 })
        for p: Int64 in [0, 7] { #expect(try IRInterpreter.run(u, args: [p]) == 500 + 26 + p) }
    }

    @Test func valuesAgreedOnEveryPathAreConstantsThere() throws {
        // x = 5 on both sides of a branch, y = 1 or 2: x folds after the join, y does not.
        let b0 = Block(id: BlockID(0), terminator: .branch(.eq, lhs: VReg(0), rhs: .imm(0), width: .w64, then: BlockID(1), else: BlockID(2)))
        let b1 = Block(id: BlockID(1), instructions: [ins(.mov(dst: VReg(1), src: .imm(5), width: .w64)),
                                                      ins(.mov(dst: VReg(2), src: .imm(1), width: .w64))],
                       terminator: .jump(BlockID(3)))
        let b2 = Block(id: BlockID(2), instructions: [ins(.mov(dst: VReg(1), src: .imm(5), width: .w64)),
                                                      ins(.mov(dst: VReg(2), src: .imm(2), width: .w64))],
                       terminator: .jump(BlockID(3)))
        let b3 = Block(id: BlockID(3), instructions: [ins(.binary(.add, dst: VReg(3), lhs: VReg(2), rhs: .reg(VReg(1)), width: .w64))],
                       terminator: .ret(.reg(VReg(3))))
        let f = fn([b0, b1, b2, b3])
        let g = ConstantFolding.run(f)
        #expect(g.blocks[3].instructions == [ins(.binary(.add, dst: VReg(3), lhs: VReg(2), rhs: .imm(5), width: .w64))])
        for p: Int64 in [0, 1] { #expect(try IRInterpreter.run(g, args: [p]) == IRInterpreter.run(f, args: [p])) }
    }

    @Test func pointerOffsetsFoldIntoAccessesWhileTheBaseHolds() throws {
        // q = p + 4; *(u16 *)(q + 2) → *(u16 *)(p + 6). r = p + 8; p = 0; *r stays: p changed.
        let b0 = Block(id: BlockID(0), instructions: [
            ins(.binary(.add, dst: VReg(1), lhs: VReg(0), rhs: .imm(4), width: .w64)),
            ins(.load(dst: VReg(2), base: .reg(VReg(1)), offset: 2, width: .w16, signed: false)),
            ins(.binary(.add, dst: VReg(3), lhs: VReg(0), rhs: .imm(8), width: .w64)),
            ins(.mov(dst: VReg(0), src: .imm(0), width: .w64)),
            ins(.load(dst: VReg(4), base: .reg(VReg(3)), offset: 0, width: .w8, signed: false)),
        ], terminator: .ret(.reg(VReg(4))))
        let g = AddressFolding.foldOffsets(fn([b0]))
        #expect(g.blocks[0].instructions[1].inst == .load(dst: VReg(2), base: .reg(VReg(0)), offset: 6, width: .w16, signed: false))
        #expect(g.blocks[0].instructions[4].inst == .load(dst: VReg(4), base: .reg(VReg(3)), offset: 0, width: .w8, signed: false))
    }

    @Test func independentLiveRangesGetRegistersOfTheirOwn() throws {
        // x = p + 1; y = x * 2; x = p + 5 (a new value: its own register); if p goto b1
        // else b2, both assign s, which meets at b3 (one web: one register).
        let b0 = Block(id: BlockID(0), instructions: [
            ins(.binary(.add, dst: VReg(1), lhs: VReg(0), rhs: .imm(1), width: .w64)),
            ins(.binary(.mul, dst: VReg(2), lhs: VReg(1), rhs: .imm(2), width: .w64)),
            ins(.binary(.add, dst: VReg(1), lhs: VReg(0), rhs: .imm(5), width: .w64)),
        ], terminator: .branch(.ne, lhs: VReg(0), rhs: .imm(0), width: .w64, then: BlockID(1), else: BlockID(2)))
        let b1 = Block(id: BlockID(1), instructions: [ins(.mov(dst: VReg(3), src: .reg(VReg(1)), width: .w64))], terminator: .jump(BlockID(3)))
        let b2 = Block(id: BlockID(2), instructions: [ins(.mov(dst: VReg(3), src: .reg(VReg(2)), width: .w64))], terminator: .jump(BlockID(3)))
        let b3 = Block(id: BlockID(3), instructions: [ins(.binary(.add, dst: VReg(0), lhs: VReg(3), rhs: .reg(VReg(1)), width: .w64))],
                       terminator: .ret(.reg(VReg(0))))
        let f = fn([b0, b1, b2, b3])
        let g = WebSplitting.run(f)
        let (_, defs) = g.useDefCounts()
        #expect(defs[VReg(1)] == 1 && defs[VReg(64)] == 1, "x's two values are split\n\(IRPrinter.print(Module(functions: [g])))")
        #expect(defs[VReg(3)] == 2, "s is one web")
        #expect(defs[VReg(0)] == 1, "the parameter keeps its register; its redefinition returns in a new one")
        for p: Int64 in [0, 3, -7] { #expect(try IRInterpreter.run(g, args: [p]) == IRInterpreter.run(f, args: [p])) }
    }
}
