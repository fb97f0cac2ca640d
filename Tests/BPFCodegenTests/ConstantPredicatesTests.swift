import Testing
@testable import BPFIR

/// ConstantPredicates: a counter assigned only constants and tested only against
/// constants becomes one 0/1 register per test.
extension OptimizerPassTests {
    /// An unrolled search: `n = 0; if (a == 0) goto done; n = 1; if (b == 0) goto done;
    /// n = 2; done: return n > 0 && n < 2 ? 10 : 20` (the last test optionally replaced).
    func search(secondTest: Terminator? = nil, extra: [Instruction] = []) -> Function {
        let n = VReg(2)
        let done = BlockID(3), inner = BlockID(4), yes = BlockID(5), no = BlockID(6)
        return fn([
            Block(id: BlockID(0), instructions: [ins(.mov(dst: n, src: .imm(0), width: .w64))],
                  terminator: .branch(.eq, lhs: VReg(0), rhs: .imm(0), width: .w64, then: done, else: BlockID(1))),
            Block(id: BlockID(1), instructions: [ins(.mov(dst: n, src: .imm(1), width: .w64))],
                  terminator: .branch(.eq, lhs: VReg(1), rhs: .imm(0), width: .w64, then: done, else: BlockID(2))),
            Block(id: BlockID(2), instructions: [ins(.mov(dst: n, src: .imm(2), width: .w64))], terminator: .jump(done)),
            Block(id: done, instructions: extra,
                  terminator: .branch(.ugt, lhs: n, rhs: .imm(0), width: .w32, then: inner, else: no)),
            Block(id: inner, terminator: secondTest ?? .branch(.ult, lhs: n, rhs: .imm(2), width: .w32, then: yes, else: no)),
            Block(id: yes, terminator: .ret(.imm(10))),
            Block(id: no, terminator: .ret(.imm(20))),
        ], params: 2)
    }
    func movs(_ f: Function) -> [Inst] {
        f.blocks.flatMap { $0.instructions.map(\.inst) }.filter { if case .mov = $0 { return true }; return false }
    }

    @Test func countersTestedAgainstConstantsBecomeTheirOutcomes() throws {
        let f = search()
        let g = ConstantPredicates.run(f)
        // n is gone; (n > 0, n < 2) is (0, 1) at the start, (1, 1) after one step (only
        // the first changes) and (1, 0) at the end (only the second changes).
        #expect(!g.blocks.contains { $0.instructions.contains { $0.inst.definedRegs.contains(VReg(2)) } }, "\(show(g))")
        #expect(g.blocks[1].instructions.count == 1 && g.blocks[2].instructions.count == 1, "\(show(g))")
        #expect(movs(g).count == 4)
        for a: Int64 in [0, 1] { for b: Int64 in [0, 5] {
            #expect(try IRInterpreter.run(g, args: [a, b]) == IRInterpreter.run(f, args: [a, b]), "\(a) \(b)\(show(g))")
        } }
    }

    /// Left alone: the counter read by an instruction, tested against a register, or
    /// by three different tests.
    @Test func countersReadOtherwiseStay() throws {
        let forms = [
            search(extra: [ins(.binary(.add, dst: VReg(7), lhs: VReg(2), rhs: .imm(1), width: .w64))]),
            search(secondTest: .branch(.ult, lhs: VReg(2), rhs: .reg(VReg(1)), width: .w64, then: BlockID(5), else: BlockID(6))),
            search(extra: [ins(.mov(dst: VReg(2), src: .reg(VReg(1)), width: .w64))]),
        ]
        for f in forms { #expect(ConstantPredicates.run(f) == f, "\(show(f))") }
        var three = search()
        three.blocks[5].terminator = .branch(.eq, lhs: VReg(2), rhs: .imm(1), width: .w64, then: BlockID(6), else: BlockID(6))
        three.blocks[6].terminator = .branch(.ne, lhs: VReg(2), rhs: .imm(7), width: .w64, then: BlockID(5), else: BlockID(5))
        #expect(ConstantPredicates.run(three) == three)
    }

    /// `x = 1; if (a == 0) x = 0; return (x << 3) + a` with the shift (or a sign
    /// extension, or a negation) folded into the constants.
    @Test func operationsOnConstantsOnlyRegistersFoldIntoTheConstants() throws {
        let x = VReg(2), y = VReg(3)
        let readers: [Inst] = [.binary(.shl, dst: y, lhs: x, rhs: .imm(3), width: .w64),
                               .ext(dst: y, src: x, from: .w8, to: .w64, signed: true),
                               .neg(dst: y, src: x, width: .w32)]
        for (n, reader) in readers.enumerated() {
            for readTwice in [false, true] {
                let f = fn([
                    Block(id: BlockID(0), instructions: [ins(.mov(dst: x, src: .imm(n == 1 ? 0xff : 1), width: .w64))],
                          terminator: .branch(.eq, lhs: VReg(0), rhs: .imm(0), width: .w64, then: BlockID(1), else: BlockID(2))),
                    Block(id: BlockID(1), instructions: [ins(.mov(dst: x, src: .imm(0), width: .w64))], terminator: .jump(BlockID(2))),
                    Block(id: BlockID(2), instructions: [ins(reader)] + (readTwice ? [ins(.binary(.add, dst: VReg(5), lhs: x, rhs: .imm(1), width: .w64))] : [])
                          + [ins(.binary(.add, dst: VReg(4), lhs: y, rhs: .reg(VReg(0)), width: .w64))],
                          terminator: .ret(.reg(VReg(4)))),
                ], params: 2)
                let g = ConstantPredicates.foldingOperations(f)
                if readTwice {
                    #expect(g == f, "\(show(g))")
                } else {
                    #expect(g.blocks[2].instructions[0].inst == .mov(dst: y, src: .reg(x), width: .w64), "\(show(g))")
                }
                for a: Int64 in [0, 1, -9] {
                    #expect(try IRInterpreter.run(g, args: [a, 0]) == IRInterpreter.run(f, args: [a, 0]), "\(a)\(show(g))")
                }
            }
        }
    }
}
