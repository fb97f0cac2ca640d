import Testing
import BPFIR
@testable import BPFCodegen

/// FullUnrolling of loops whose iterations are decided while paths inside them are not.
extension OptimizerPassTests {
    /// `for (i = 0; i < trips; i++) acc = p ? f(acc, i) : g(acc, i)`, where f and g each
    /// switch on i over four cases (the shape of falco's `extract__syscall_argument`
    /// inside `extract__network_args`). The test of `p` is open, but each iteration knows
    /// `i`: the loop becomes its iterations, each with both sides of the test and one
    /// case of each switch, smaller than the loop. With 40 trips the copies would be
    /// larger than the loop, which stays.
    func switchInLoop(trips: Int64) -> Function {
        let p = VReg(0), i = VReg(1), acc = VReg(2)
        func id(_ n: Int) -> BlockID { BlockID(n) }
        func update(_ mul: Int64, _ add: Int64) -> [Instruction] {
            [ins(.binary(.mul, dst: acc, lhs: acc, rhs: .imm(mul), width: .w64)),
             ins(.binary(.add, dst: acc, lhs: acc, rhs: .imm(add), width: .w64))]
        }
        var blocks = [
            Block(id: id(0), instructions: [ins(.mov(dst: i, src: .imm(0), width: .w64)), ins(.mov(dst: acc, src: .imm(1), width: .w64))],
                  terminator: .jump(id(1))),
            Block(id: id(1), terminator: .branch(.ult, lhs: i, rhs: .imm(trips), width: .w64, then: id(2), else: id(99))),
            Block(id: id(2), terminator: .branch(.eq, lhs: p, rhs: .imm(0), width: .w64, then: id(10), else: id(20))),
        ]
        // Two switches on i: blocks 10..13 test, 30..33 / 40..43 the cases.
        for (tests, cases, mul) in [(10, 30, Int64(3)), (20, 40, Int64(5))] {
            for k in 0..<3 {
                blocks.append(Block(id: id(tests + k), terminator: .branch(.eq, lhs: i, rhs: .imm(Int64(k)), width: .w64,
                                                                          then: id(cases + k), else: id(tests + k + 1))))
            }
            blocks.append(Block(id: id(tests + 3), terminator: .jump(id(cases + 3))))
            for k in 0..<4 { blocks.append(Block(id: id(cases + k), instructions: update(mul, Int64(k + 1)), terminator: .jump(id(50)))) }
        }
        blocks.append(Block(id: id(50), instructions: [ins(.binary(.add, dst: i, lhs: i, rhs: .imm(1), width: .w64))], terminator: .jump(id(1))))
        blocks.append(Block(id: id(99), terminator: .ret(.reg(acc))))
        return fn(blocks, params: 1)
    }

    @Test func loopsWhoseIterationsAreDecidedUnrollAroundOpenBranches() throws {
        let f = switchInLoop(trips: 2)
        let g = FullUnrolling.run(f)
        #expect(FullUnrolling.loopHeaders(g).isEmpty, "\(show(g))")
        let size = g.blocks.reduce(0) { $0 + $1.instructions.count }
        #expect(size <= 2 + 2 * (2 + 2 + 1), "two iterations of one case on each side plus the counter:\(show(g))")
        for p: Int64 in [0, 1, -5] {
            #expect(try IRInterpreter.run(g, args: [p]) == IRInterpreter.run(f, args: [p]))
        }
        let long = switchInLoop(trips: 40)
        #expect(!FullUnrolling.loopHeaders(FullUnrolling.run(long)).isEmpty)
    }
}
