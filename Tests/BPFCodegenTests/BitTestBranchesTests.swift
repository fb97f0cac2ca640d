import Testing
@testable import BPFIR
@testable import BPFCodegen

/// BitTestBranches: `(x & m) == 0` branches become JSET where the layout allows.
extension OptimizerPassTests {
    /// `t = x & m; if t == 0 goto zero else some` with `zero` laid out next, `x` also
    /// read afterwards; `some` returns x + 1, `zero` returns x.
    func bitTest(_ cc: CondCode = .eq, mask: Operand = .imm(4), andWidth: Width = .w64,
                 zeroNext: Bool = true, between: [Instruction] = []) -> Function {
        let x = VReg(0), t = VReg(2)
        let zero = BlockID(1), some = BlockID(2)
        let b0 = Block(id: BlockID(0), instructions: [ins(.binary(.and, dst: t, lhs: x, rhs: mask, width: andWidth))] + between,
                       terminator: .branch(cc, lhs: t, rhs: .imm(0), width: .w64,
                                           then: cc == .eq ? zero : some, else: cc == .eq ? some : zero))
        let bz = Block(id: zero, terminator: .ret(.reg(x)))
        let bs = Block(id: some, instructions: [ins(.binary(.add, dst: VReg(3), lhs: x, rhs: .imm(1), width: .w64))],
                       terminator: .ret(.reg(VReg(3))))
        return fn(zeroNext ? [b0, bz, bs] : [b0, bs, bz], params: 2)
    }
    func isBitTest(_ f: Function) -> Bool {
        if case .branch(.set, VReg(0), _, _, _, _) = f.blocks[0].terminator { return f.blocks[0].instructions.isEmpty }
        return false
    }

    @Test func maskTestsBecomeBitTestBranches() throws {
        let forms = [bitTest(), bitTest(.ne), bitTest(andWidth: .w32), bitTest(mask: .imm(-0x8000_0000), andWidth: .w32),
                     bitTest(mask: .reg(VReg(1)))]
        for f in forms {
            let g = BitTestBranches.run(f)
            #expect(isBitTest(g), "\(show(g))")
            for (x, m): (Int64, Int64) in [(0, 4), (4, 4), (5, 1), (-0x8000_0000, 2), (0x1_0000_0004, 0x1_0000_0000), (3, 0)] {
                #expect(try IRInterpreter.run(g, args: [x, m]) == IRInterpreter.run(f, args: [x, m]), "\(x) \(m)\(show(g))")
            }
            for cpu in [1, 3] {
                let c = try Codegen.compile(g, options: CodegenOptions(cpu: cpu))
                #expect(c.instructions.contains { $0.opcode & 0xf0 == BPFJumpOp.jset.rawValue && [5, 6].contains($0.opcode & 7) })
                for (x, m): (Int64, Int64) in [(4, 4), (-0x8000_0000, 2), (0x1_0000_0004, 0x1_0000_0000)] {
                    #expect(try Interpreter.run(c.instructions, args: [x, m]) == IRInterpreter.run(f, args: [x, m]), "cpu \(cpu) \(x) \(m)")
                }
            }
        }
    }

    /// Left alone: the block taken when some bit is set laid out next (JSET cannot be
    /// negated: a jump would be added), a register mask at 32 bits, `x` redefined
    /// between the `and` and the branch.
    @Test func bitTestsKeepTheirAndWhenNotCheaper() throws {
        let forms = [bitTest(zeroNext: false), bitTest(mask: .reg(VReg(1)), andWidth: .w32),
                     bitTest(between: [ins(.mov(dst: VReg(0), src: .imm(7), width: .w64))])]
        for f in forms { #expect(!isBitTest(BitTestBranches.run(f)), "\(show(f))") }
    }
}
