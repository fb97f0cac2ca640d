import Testing
import BPFIR
@testable import BPFCodegen

/// The IR passes on small hand-written functions (their effect) and on the random
/// programs of RandomProgramTests (the optimized function computes what the input did).
@Suite struct OptimizerPassTests {
    func fn(_ blocks: [Block], params: Int = 1, slots: [StackSlot] = [], next: Int = 64) -> Function {
        Function(name: "f", section: "xdp", linkage: .global, parameters: (0..<params).map { VReg($0) },
                 blocks: blocks, slots: slots, nextVReg: next)
    }

    /// The pipeline of Optimizer.run, pass by pass, to name the pass that breaks a program.
    static let passes: [(String, (Function) -> Function)] = [
        ("CFGSimplify", CFGSimplify.run), ("ReturnMerging", { CFGSimplify.run(ReturnMerging.run($0)) }),
        ("AddressFolding", AddressFolding.run), ("RedundancyElimination", RedundancyElimination.run),
        ("MoveFolding", MoveFolding.run), ("NarrowStoreFolding", NarrowStoreFolding.run),
        ("DeadCodeElimination", DeadCodeElimination.run),
    ]

    @Test func optimizedRandomProgramsComputeTheSame() throws {
        var inputs = SplitMix(state: 7)
        for seed in 0..<300 {
            var g = RandomProgram(seed: UInt64(seed) &* 104729 &+ 3, cpu: 4)
            let f = g.generate()
            let o = Optimizer.run(Module(functions: [f]), level: 2).functions[0]
            for _ in 0..<6 {
                let args = (0..<f.parameters.count).map { _ in inputs.constant() }
                let expected = try IRInterpreter.run(f, args: args)
                let got = try IRInterpreter.run(o, args: args)
                if got != expected {
                    var cur = f, culprit = "?"
                    for (name, pass) in Self.passes {
                        let next = pass(cur)
                        if try IRInterpreter.run(next, args: args) != expected {
                            culprit = name + "\nbefore:\n" + IRPrinter.print(Module(functions: [cur]))
                                + "after:\n" + IRPrinter.print(Module(functions: [next]))
                            break
                        }
                        cur = next
                    }
                    Issue.record("seed \(seed) args \(args): optimized \(got), input \(expected); first wrong after \(culprit)")
                    return
                }
                let c = try Codegen.compile(o, options: CodegenOptions(cpu: 4))
                let run = try Interpreter.run(c.instructions, args: args)
                if run != expected { Issue.record("seed \(seed): compiled optimized program gives \(run), expected \(expected)"); return }
            }
        }
    }

    @Test func returnsOfOneConstantShareOneExitBlockPlacedLast() throws {
        // if p == 1 return 0; if p == 2 return 0; return p == 3 ? 7 : 0
        let b0 = Block(id: BlockID(0), terminator: .branch(.eq, lhs: VReg(0), rhs: .imm(1), width: .w64, then: BlockID(1), else: BlockID(2)))
        let b1 = Block(id: BlockID(1), terminator: .ret(.imm(0)))
        let b2 = Block(id: BlockID(2), terminator: .branch(.eq, lhs: VReg(0), rhs: .imm(2), width: .w64, then: BlockID(3), else: BlockID(4)))
        let b3 = Block(id: BlockID(3), terminator: .ret(.imm(0)))
        let b4 = Block(id: BlockID(4), terminator: .branch(.eq, lhs: VReg(0), rhs: .imm(3), width: .w64, then: BlockID(5), else: BlockID(6)))
        let b5 = Block(id: BlockID(5), terminator: .ret(.imm(7)))
        let b6 = Block(id: BlockID(6), instructions: [Instruction(.mov(dst: VReg(1), src: .reg(VReg(0)), width: .w64))],
                       terminator: .ret(.imm(0)))
        let f = fn([b0, b1, b2, b3, b4, b5, b6])
        let g = CFGSimplify.run(ReturnMerging.run(f))
        let zeroReturns = g.blocks.filter { $0.terminator == .ret(.imm(0)) }
        #expect(zeroReturns.count == 1 && g.blocks.last?.terminator == .ret(.imm(0)), "\n\(IRPrinter.print(Module(functions: [g])))")
        #expect(g.blocks.filter { $0.terminator == .ret(.imm(7)) }.count == 1)
        for p: Int64 in [0, 1, 2, 3, 4] { #expect(try IRInterpreter.run(g, args: [p]) == IRInterpreter.run(f, args: [p])) }
        let c = try Codegen.compile(g, options: CodegenOptions())
        #expect(c.instructions.filter { $0 == .exit }.count == 2, "one exit per distinct constant\n\(c.disassembly)")
    }

    @Test func forwardingBlocksAndUnreachableBlocksGo() throws {
        let b0 = Block(id: BlockID(0), terminator: .jump(BlockID(2)))
        let b1 = Block(id: BlockID(1), terminator: .ret(.imm(9)))          // unreachable
        let b2 = Block(id: BlockID(2), terminator: .jump(BlockID(3)))      // forwarding
        let b3 = Block(id: BlockID(3), terminator: .ret(.reg(VReg(0))))
        let g = CFGSimplify.run(fn([b0, b1, b2, b3]))
        #expect(g.blocks.count == 2 && g.blocks[0].terminator == .jump(BlockID(1)))
        #expect(try IRInterpreter.run(g, args: [5]) == 5)
    }

    @Test func deadValuesAreRemovedButSideEffectsStay() throws {
        let b = Block(id: BlockID(0), instructions: [
            Instruction(.binary(.mul, dst: VReg(1), lhs: VReg(0), rhs: .imm(3), width: .w64)),      // dead
            Instruction(.store(base: .slot(0), offset: 0, value: .reg(VReg(0)), width: .w64)),       // side effect
            Instruction(.load(dst: VReg(2), base: .slot(0), offset: 0, width: .w64, signed: false))],
                      terminator: .ret(.reg(VReg(2))))
        let g = DeadCodeElimination.run(fn([b], slots: [StackSlot(size: 8, alignment: 8, name: "s")]))
        #expect(g.blocks[0].instructions.count == 2)
        #expect(!g.blocks[0].instructions.contains { if case .binary = $0.inst { return true }; return false })
    }
}
