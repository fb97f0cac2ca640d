import Testing
import BPFIR
@testable import BPFCodegen

/// Passes on the shapes a long `else if` chain makes (thousands of tests of one value,
/// one register assigned in every arm, each arm's join an empty block jumping to the
/// next): what they compute, which their linear-time forms must keep.
extension CodegenFeatureTests {
    /// `if (k == 0) r = 1; else if (k == 1) r = 2; ... else r = 0; return r;` with `n`
    /// tests, lowered with nested joins: block 3i tests, 3i+1 assigns, 3i+2 is the empty
    /// join of level i jumping to the join of level i-1 (level 0's join returns).
    func elseIfChain(_ n: Int) -> Function {
        let k = VReg(0), r = VReg(1)
        var blocks: [Block] = []
        for i in 0..<n {
            let test = 3 * i, arm = test + 1, join = test + 2
            let next = i + 1 < n ? BlockID(3 * (i + 1)) : BlockID(3 * n)
            blocks.append(Block(id: BlockID(test), terminator: .branch(.eq, lhs: k, rhs: .imm(Int64(i)), width: .w64,
                                                                       then: BlockID(arm), else: next)))
            blocks.append(Block(id: BlockID(arm), instructions: [Instruction(.mov(dst: r, src: .imm(Int64(i + 1)), width: .w64))],
                                terminator: .jump(BlockID(join))))
            blocks.append(i == 0 ? Block(id: BlockID(join), terminator: .ret(.reg(r)))
                                 : Block(id: BlockID(join), terminator: .jump(BlockID(3 * (i - 1) + 2))))
        }
        // The final else: r = 0, then the innermost join.
        blocks.append(Block(id: BlockID(3 * n), instructions: [Instruction(.mov(dst: r, src: .imm(0), width: .w64))],
                            terminator: .jump(BlockID(3 * (n - 1) + 2))))
        return fn(blocks, params: 1, next: 2)
    }

    /// CFGSimplify sends every arm straight to the return through the chain of empty
    /// joins (resolved once per block, not once per arm), and the chain is gone.
    @Test func chainsOfEmptyJoinsResolveToTheirEnd() throws {
        let f = elseIfChain(400)
        let g = CFGSimplify.run(f)
        let returns = g.blocks.indices.filter { if case .ret = g.blocks[$0].terminator { return true } else { return false } }
        #expect(returns.count == 1)
        let end = g.blocks[returns[0]].id
        // No empty block that only jumps is left.
        #expect(!g.blocks.contains { b in
            if case .jump = b.terminator { return b.instructions.isEmpty } else { return false }
        })
        for b in g.blocks where !b.instructions.isEmpty { #expect(b.terminator == .jump(end)) }
        for k: Int64 in [0, 1, 199, 399, 400, 1000] { #expect(try IRInterpreter.run(g, args: [k]) == IRInterpreter.run(f, args: [k])) }
    }

    /// Empty blocks that jump around a cycle (an empty infinite loop) keep jumping to each
    /// other; a block entering the cycle goes to where it enters.
    @Test func cyclesOfEmptyBlocksStay() {
        let x = VReg(0)
        let f = fn([
            Block(id: BlockID(0), terminator: .branch(.eq, lhs: x, rhs: .imm(0), width: .w64, then: BlockID(1), else: BlockID(4))),
            Block(id: BlockID(1), terminator: .jump(BlockID(2))),
            Block(id: BlockID(2), terminator: .jump(BlockID(3))),
            Block(id: BlockID(3), terminator: .jump(BlockID(2))),
            Block(id: BlockID(4), terminator: .ret(.imm(1))),
        ], params: 1)
        let g = CFGSimplify.run(f)
        #expect(g.blocks.count == 4, "\(IRPrinter.print(Module(functions: [g])))")
        // The entry branches into the cycle at its first block; the cycle's two blocks
        // jump to each other.
        guard case .branch(_, _, _, _, let then, _) = g.blocks[0].terminator,
              let a = g.blocks.first(where: { $0.id == then }), case .jump(let b) = a.terminator,
              let c = g.blocks.first(where: { $0.id == b }) else { Issue.record("no branch into the cycle"); return }
        #expect(c.terminator == .jump(a.id))
    }

    /// WebSplitting over the chain: the register assigned in every arm reaches the one
    /// return from all of them, so it stays one web (one register), and the result is
    /// unchanged; two unrelated uses of a register in sequence still become two webs.
    @Test func registerAssignedInEveryArmStaysOneWeb() throws {
        let f = CFGSimplify.run(elseIfChain(300))
        let g = WebSplitting.run(f)
        var defined: Set<VReg> = []
        for b in g.blocks { for i in b.instructions { i.inst.forEachDef { defined.insert($0) } } }
        #expect(defined == [VReg(1)])
        for k: Int64 in [0, 150, 299, 300] { #expect(try IRInterpreter.run(g, args: [k]) == IRInterpreter.run(f, args: [k])) }

        let x = VReg(0), t = VReg(1), s = VReg(2)
        let h = fn([Block(id: BlockID(0), instructions: [
            Instruction(.binary(.add, dst: t, lhs: x, rhs: .imm(1), width: .w64)),
            Instruction(.mov(dst: s, src: .reg(t), width: .w64)),
            Instruction(.binary(.mul, dst: t, lhs: x, rhs: .imm(3), width: .w64)),
            Instruction(.binary(.add, dst: s, lhs: s, rhs: .reg(t), width: .w64)),
        ], terminator: .ret(.reg(s)))], params: 1, next: 3)
        let split = WebSplitting.run(h)
        // The two values of t are two registers now.
        let tDefinitions = [0, 2].compactMap { split.blocks[0].instructions[$0].inst.singleDef }
        #expect(tDefinitions.count == 2 && tDefinitions[0] != tDefinitions[1], "\(IRPrinter.print(Module(functions: [split])))")
        for a: Int64 in [0, 5] { #expect(try IRInterpreter.run(split, args: [a]) == IRInterpreter.run(h, args: [a])) }
    }

    /// RegSet.set(_:to:) inserts and removes exactly the ids of a range, across words.
    @Test func regSetRangesCoverExactlyTheirIds() {
        for (lo, hi) in [(0, 0), (0, 1), (3, 64), (60, 70), (64, 128), (5, 200), (127, 129)] {
            var s = RegSet(capacity: 10)
            s.set(lo..<hi, to: true)
            #expect(Array(s).map(\.id) == Array(lo..<hi))
            var full = RegSet((0..<256).map(VReg.init), capacity: 256)
            full.set(lo..<hi, to: false)
            #expect(Array(full).map(\.id) == (0..<256).filter { $0 < lo || $0 >= hi })
        }
    }
}
