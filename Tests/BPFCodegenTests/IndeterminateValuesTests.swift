import Testing
import BPFIR
@testable import BPFCodegen

/// IndeterminateValues: a register read before anything wrote it on some path (a C local
/// with an indeterminate value) is 0 there, so the code never reads a register nothing
/// wrote (the verifier's "!read_ok").
@Suite struct IndeterminateValuesTests {
    func function(_ blocks: [Block]) -> Function {
        Function(name: "f", section: "xdp", linkage: .global, parameters: [VReg(0)], blocks: blocks, slots: [], nextVReg: 64)
    }

    /// `if (p) x = 7; return x + 1;`
    var assignedOnOnePath: Function {
        function([
            Block(id: BlockID(0), terminator: .branch(.ne, lhs: VReg(0), rhs: .imm(0), width: .w64, then: BlockID(1), else: BlockID(2))),
            Block(id: BlockID(1), instructions: [Instruction(.mov(dst: VReg(1), src: .imm(7), width: .w64))], terminator: .jump(BlockID(2))),
            Block(id: BlockID(2), instructions: [Instruction(.binary(.add, dst: VReg(2), lhs: VReg(1), rhs: .imm(1), width: .w64))],
                  terminator: .ret(.reg(VReg(2)))),
        ])
    }

    @Test func aRegisterWrittenOnOnePathIsZeroOnTheOthers() throws {
        let f = assignedOnOnePath
        // Lowering's step leaves it (it is written somewhere); codegen's sets it first.
        #expect(IndeterminateValues.zeroed(f, neverWritten: true) == f)
        let g = IndeterminateValues.zeroed(f, neverWritten: false)
        #expect(g.blocks[0].instructions.map(\.inst) == [.mov(dst: VReg(1), src: .imm(0), width: .w64)])
        // The compiled code reads no register nothing wrote, on either path.
        let code = try Codegen.compile(f, options: CodegenOptions()).instructions
        #expect(try Interpreter.run(code, args: [0]) == 1)
        #expect(try Interpreter.run(code, args: [5]) == 8)
    }

    @Test func aRegisterNeverWrittenIsZeroFromTheStart() {
        // `x` read, never assigned: `return p + x`.
        let f = function([Block(id: BlockID(0), instructions: [Instruction(.binary(.add, dst: VReg(2), lhs: VReg(0), rhs: .reg(VReg(1)), width: .w64))],
                                terminator: .ret(.reg(VReg(2))))])
        let g = IndeterminateValues.zeroed(f, neverWritten: true)
        #expect(g.blocks[0].instructions.map(\.inst) == [.mov(dst: VReg(1), src: .imm(0), width: .w64), f.blocks[0].instructions[0].inst])
        // Parameters are written by the caller.
        let reads = function([Block(id: BlockID(0), terminator: .ret(.reg(VReg(0))))])
        #expect(IndeterminateValues.zeroed(reads, neverWritten: false) == reads)
    }
}
