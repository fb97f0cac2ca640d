import Testing
@testable import BPFIR
@testable import BPFCodegen

/// MoveFolding: the copy of a value into its variable is folded when the block's other
/// reads of the value can read the variable.
extension OptimizerPassTests {
    /// `t = b - 1; b2 = t; m = t & 0x7fff; call(m); r = b2 - n`: the mask reads the
    /// copy, `t` dies at it and folds, so `b2 = b - 1` and `m = b2 & 0x7fff` (no copy);
    /// allocated, the cursor stays in its callee-saved register across the call and only
    /// the masked argument is copied. When `t` is read after `b2` is written again, the
    /// copy stays.
    @Test func copiesOfAnyValueFoldWhenTheBlockCanReadTheCopy() throws {
        let b = VReg(0), t = VReg(1), b2 = VReg(2), m = VReg(3), r = VReg(4)
        func program(rewriteCopy: Bool) -> Function {
            var insts: [Instruction] = [
                ins(.binary(.sub, dst: t, lhs: b, rhs: .imm(1), width: .w32)),
                ins(.mov(dst: b2, src: .reg(t), width: .w64)),
                ins(.binary(.and, dst: m, lhs: t, rhs: .imm(0x7fff), width: .w32)),
                ins(.call(dst: nil, callee: .helper(6), args: [.reg(m), .imm(1)])),
                ins(.binary(.sub, dst: r, lhs: b2, rhs: .imm(3), width: .w32)),
            ]
            if rewriteCopy {
                insts.append(ins(.mov(dst: b2, src: .imm(9), width: .w64)))
                insts.append(ins(.binary(.add, dst: r, lhs: r, rhs: .reg(t), width: .w64)))
                insts.append(ins(.binary(.add, dst: r, lhs: r, rhs: .reg(b2), width: .w64)))
            }
            return fn([Block(id: BlockID(0), instructions: insts, terminator: .ret(.reg(r)))])
        }
        let g = MoveFolding.run(program(rewriteCopy: false))
        #expect(g.blocks[0].instructions.count == 4, "\(show(g))")
        #expect(g.blocks[0].instructions[0].inst == .binary(.sub, dst: b2, lhs: b, rhs: .imm(1), width: .w32))
        #expect(g.blocks[0].instructions[1].inst == .binary(.and, dst: m, lhs: b2, rhs: .imm(0x7fff), width: .w32))
        let code = try Codegen.compile(DeadCodeElimination.run(g), options: CodegenOptions(cpu: 3)).instructions
        #expect(code.filter { $0.opcode == 0xbf }.count == 3,
                "the parameter into r6, the argument out of the cursor, the result to r0: \(code.map(\.description))")
        let kept = MoveFolding.run(program(rewriteCopy: true))
        #expect(kept.blocks[0].instructions.count == 8, "\(show(kept))")
    }

    /// `x = seen` (a variable written again further on) handed to inline assembly as an
    /// input: the text reads `seen`'s register and the copy dies. Not when `seen` is
    /// written before the statement, nor when `x` is also read otherwise (a compare keeps
    /// reading the copy).
    @Test func aCopyHandedToAssemblyReadsTheSource() throws {
        let seen = VReg(0), x = VReg(1), out = VReg(2)
        let start = ins(.mov(dst: seen, src: .imm(5), width: .w64))
        let copy = ins(.mov(dst: x, src: .reg(seen), width: .w64))
        let step = ins(.binary(.add, dst: seen, lhs: seen, rhs: .imm(1), width: .w32))
        let template = AsmTemplate(text: "$0 = $1", operands: [.output(0, subregister: false), .input(0, subregister: false)])
        let text = ins(.inlineAsm(template, inputs: [x], outputs: [out]))
        func block(_ body: [Instruction], _ term: Terminator = .ret(.reg(out))) -> Function {
            fn([Block(id: BlockID(0), instructions: body, terminator: term)])
        }
        let g = MoveFolding.run(block([start, copy, text, step]))
        #expect(g.blocks[0].instructions[2].inst == .inlineAsm(template, inputs: [seen], outputs: [out]), "\(show(g))")
        let written = MoveFolding.run(block([start, copy, step, text]))
        #expect(written.blocks[0].instructions[3] == text, "\(show(written))")
        let compared = MoveFolding.run(block([start, copy, text, step],
                                             .branch(.uge, lhs: x, rhs: .imm(1000), width: .w32, then: BlockID(0), else: BlockID(0))))
        #expect(compared.blocks[0].instructions[2] == text, "\(show(compared))")
    }
}
