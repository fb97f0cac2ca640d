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

/// The sign test of a signed bit-field read (`(x << a) s>> k`, then `< 0` or `>= 0`)
/// becomes a test of the bit that lands in the sign, computing the same.
extension OptimizerPassTests {
    func signTest(_ cc: CondCode, shl a: Int64?, ashr k: Int64, _ w: Width, branch bw: Width, setNext: Bool) -> Function {
        let x = VReg(0), s = VReg(2), t = VReg(3)
        let set = BlockID(1), clear = BlockID(2)
        var body: [Instruction] = []
        if let a { body.append(ins(.binary(.shl, dst: s, lhs: x, rhs: .imm(a), width: w))) }
        body.append(ins(.binary(.ashr, dst: t, lhs: a == nil ? x : s, rhs: .imm(k), width: w)))
        let b0 = Block(id: BlockID(0), instructions: body,
                       terminator: .branch(cc, lhs: t, rhs: .imm(0), width: bw,
                                           then: cc == .slt ? set : clear, else: cc == .slt ? clear : set))
        let bs = Block(id: set, terminator: .ret(.imm(7)))
        let bc = Block(id: clear, instructions: [ins(.binary(.add, dst: VReg(4), lhs: x, rhs: .imm(1), width: .w64))],
                       terminator: .ret(.reg(VReg(4))))
        return fn(setNext ? [b0, bs, bc] : [b0, bc, bs], params: 1)
    }

    @Test func signTestsOfShiftedFieldsTestOneBit() throws {
        let cases: [(CondCode, Int64?, Int64, Width, Width)] = [
            (.slt, 48, 59, .w64, .w32),     // bitfields.c: bit 15
            (.sge, 48, 59, .w64, .w32),
            (.slt, 40, 60, .w64, .w64),     // bit 23
            (.slt, 28, 29, .w32, .w32),     // a 32-bit field: bit 3
            (.sge, nil, 20, .w64, .w32),    // no shift left: bit 51 — too high, stays
            (.slt, nil, 5, .w32, .w32),     // bit 31 of a 32-bit value — too high, stays
        ]
        for (cc, a, k, w, bw) in cases {
            for setNext in [true, false] {
                let f = signTest(cc, shl: a, ashr: k, w, branch: bw, setNext: setNext)
                let g = BitTestBranches.run(f)
                let shifts = g.blocks[0].instructions.filter {
                    if case .binary(let op, _, _, _, _) = $0.inst { return op == .shl || op == .ashr }; return false
                }.count
                #expect((shifts == 0) == (a != nil), "\(cc) \(String(describing: a)) \(k)\(show(g))")
                for x: Int64 in [0, 1, 8, 0x8000, 0x7fff, -1, 0x80_0000, 0x7f_ffff, 0x1234_5678, Int64.min, Int64.max, 0xffff_0000] {
                    #expect(try IRInterpreter.run(g, args: [x]) == IRInterpreter.run(f, args: [x]), "\(cc) \(k) \(x)\(show(g))")
                }
            }
        }
    }
}
