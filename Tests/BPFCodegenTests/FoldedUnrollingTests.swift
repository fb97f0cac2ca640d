import Testing
import BPFIR
@testable import BPFCodegen

/// FullUnrolling weighs the copies of a loop of a few rounds by what is left of them once
/// folded, as clang's unroller weighs a loop of at most ten iterations; a register
/// compared with itself decides the test.
extension OptimizerPassTests {
    /// `for (i = 0; i < trips; i++) { u = x; u *= 7 (dead times); acc ^= u & ((i << 15) >> 31); }`:
    /// the mask is 0 in every round, so once folded the copies hold only `acc ^= 0`.
    func maskedLoop(trips: Int64, dead: Int) -> Function {
        let x = VReg(0), i = VReg(1), acc = VReg(2), t = VReg(3), u = VReg(4)
        func id(_ n: Int) -> BlockID { BlockID(n) }
        let body: [Inst] = [.binary(.shl, dst: t, lhs: i, rhs: .imm(15), width: .w32),
                            .binary(.lshr, dst: t, lhs: t, rhs: .imm(31), width: .w32),
                            .mov(dst: u, src: .reg(x), width: .w64)]
            + Array(repeating: Inst.binary(.mul, dst: u, lhs: u, rhs: .imm(7), width: .w64), count: dead)
            + [.binary(.and, dst: u, lhs: u, rhs: .reg(t), width: .w64),
               .binary(.xor, dst: acc, lhs: acc, rhs: .reg(u), width: .w64),
               .binary(.add, dst: i, lhs: i, rhs: .imm(1), width: .w64)]
        return fn([
            Block(id: id(0), instructions: [ins(.mov(dst: i, src: .imm(0), width: .w64)), ins(.mov(dst: acc, src: .reg(x), width: .w64))],
                  terminator: .jump(id(1))),
            Block(id: id(1), terminator: .branch(.ult, lhs: i, rhs: .imm(trips), width: .w64, then: id(2), else: id(9))),
            Block(id: id(2), instructions: body.map(ins), terminator: .jump(id(1))),
            Block(id: id(9), terminator: .ret(.reg(acc))),
        ], params: 1)
    }

    @Test func fewRoundsAreWeighedByWhatFolds() throws {
        // Three rounds of 66 instructions: 198 copied, over the budget of 150, but only
        // the `acc ^= 0` of each round is left once folded.
        let f = maskedLoop(trips: 3, dead: 60)
        let g = FullUnrolling.run(f)
        #expect(FullUnrolling.loopHeaders(g).isEmpty, "\(show(g))")
        for v: Int64 in [0, 5, -9] { #expect(try IRInterpreter.run(g, args: [v]) == IRInterpreter.run(f, args: [v])) }
        // The same rounds with the mask not known (the parameter shifted by the counter)
        // copy as many instructions as they fold to: the loop stays. (The counter shifted
        // by the parameter is known in the first round: 0 << x is 0.)
        var open = f
        open.blocks[2].instructions[0] = ins(.binary(.shl, dst: VReg(3), lhs: VReg(0), rhs: .reg(VReg(1)), width: .w32))
        #expect(!FullUnrolling.loopHeaders(FullUnrolling.run(open)).isEmpty)
    }

    @Test func manyRoundsAreWeighedByTheirCopies() throws {
        // 32 rounds of 8: 256 copied, 32 left once folded; clang weighs a loop of more than
        // ten iterations by its size and keeps it, and so do we.
        let f = maskedLoop(trips: 32, dead: 2)
        #expect(!FullUnrolling.loopHeaders(FullUnrolling.run(f)).isEmpty)
        // Ten rounds of the same fold and are copied.
        let ten = maskedLoop(trips: 10, dead: 12)
        let g = FullUnrolling.run(ten)
        #expect(FullUnrolling.loopHeaders(g).isEmpty, "\(show(g))")
        #expect(try IRInterpreter.run(g, args: [77]) == IRInterpreter.run(ten, args: [77]))
    }

    @Test func aRegisterComparedWithItselfDecidesTheTest() {
        let r = VReg(0)
        let known = KnownValues(fn([Block(id: BlockID(0), terminator: .ret(.reg(r)))], params: 1))
        func decide(_ cc: CondCode) -> Bool? {
            known.decide(.branch(cc, lhs: r, rhs: .reg(r), width: .w64, then: BlockID(1), else: BlockID(2)), in: [:])
        }
        for cc: CondCode in [.eq, .uge, .ule, .sge, .sle] { #expect(decide(cc) == true) }
        for cc: CondCode in [.ne, .ult, .ugt, .slt, .sgt] { #expect(decide(cc) == false) }
        #expect(decide(.set) == nil)
    }
}
