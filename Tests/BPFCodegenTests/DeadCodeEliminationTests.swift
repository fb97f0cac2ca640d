import Testing
@testable import BPFIR
@testable import BPFCodegen

/// DeadCodeElimination in a function large enough for its use-count pre-pass.
extension OptimizerPassTests {
    /// A chain of values through 300 blocks, each block's value computed from the last
    /// one's; the function returns the first value (or the last, when `readLast`).
    func valueChain(readLast: Bool) -> Function {
        let n = 300
        var blocks: [Block] = []
        for k in 0..<n {
            let prev = k == 0 ? VReg(0) : VReg(k)
            blocks.append(Block(id: BlockID(k), instructions: [ins(.binary(.add, dst: VReg(k + 1), lhs: prev, rhs: .imm(Int64(k)), width: .w64))],
                                terminator: .jump(BlockID(k + 1))))
        }
        blocks.append(Block(id: BlockID(n), terminator: .ret(.reg(readLast ? VReg(n) : VReg(1)))))
        return fn(blocks, params: 1, next: n + 2)
    }

    @Test func deadChainsAcrossManyBlocksGoInOneUseCountPass() throws {
        let f = valueChain(readLast: false)
        #expect(f.blocks.count >= DeadCodeElimination.largeFunction)
        let g = DeadCodeElimination.removingUnused(f)
        #expect(g.blocks.reduce(0) { $0 + $1.instructions.count } == 1, "only the value returned stays")
        #expect(try IRInterpreter.run(g, args: [5]) == IRInterpreter.run(f, args: [5]))
        let all = valueChain(readLast: true)
        let h = DeadCodeElimination.run(all)
        #expect(h.blocks.reduce(0) { $0 + $1.instructions.count } == 300, "every link is read")
        #expect(try IRInterpreter.run(h, args: [5]) == IRInterpreter.run(all, args: [5]))
    }
}
