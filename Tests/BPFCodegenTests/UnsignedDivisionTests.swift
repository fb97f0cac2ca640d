import Testing
import BPFIR

/// UnsignedDivision: `u16 % u16`, promoted to `int % int` by C, is the unsigned remainder
/// (eBPF before cpu v4 has no signed one; clang's build compiles it so).
extension OptimizerPassTests {
    @Test func signedDivisionOfNonNegativeValuesIsUnsigned() throws {
        for op: BinOp in [.sdiv, .srem] {
            for w: Width in [.w32, .w64] {
                /// `(u16)p0 op rhs`, where `rhs` is `(u8)p1 | 1`, a constant, or `p1` itself.
                func f(_ rhs: Operand, narrowLeft: Bool = true) -> Function {
                    fn([Block(id: BlockID(0), instructions: [
                        ins(narrowLeft ? .ext(dst: VReg(2), src: VReg(0), from: .w16, to: .w32, signed: false) : .mov(dst: VReg(2), src: .reg(VReg(0)), width: .w64)),
                        ins(.ext(dst: VReg(3), src: VReg(1), from: .w8, to: .w32, signed: false)),
                        ins(.binary(.or, dst: VReg(4), lhs: VReg(3), rhs: .imm(1), width: .w32)),
                        ins(.binary(op, dst: VReg(5), lhs: VReg(2), rhs: rhs, width: w)),
                    ], terminator: .ret(.reg(VReg(5))))], params: 2)
                }
                func signed(_ g: Function) -> Bool {
                    g.containsInstruction { if case .binary(op, _, _, _, _) = $0 { return true }; return false }
                }
                for rhs: Operand in [.reg(VReg(4)), .imm(7)] {
                    let g = UnsignedDivision.run(f(rhs))
                    #expect(!signed(g), "\(op) \(w) \(rhs)\(show(g))")
                    for a: Int64 in [0, 1, 0xffff, 0x1_8000, -1] {
                        for b: Int64 in [0, 2, 0xff, -1] {
                            #expect(try IRInterpreter.run(g, args: [a, b]) == IRInterpreter.run(f(rhs), args: [a, b]), "\(op) \(w) \(a) \(b)")
                        }
                    }
                }
                // A divisor or dividend that may be negative keeps the signed operation.
                #expect(signed(UnsignedDivision.run(f(.reg(VReg(1))))))
                #expect(signed(UnsignedDivision.run(f(.imm(-3)))))
                #expect(signed(UnsignedDivision.run(f(.imm(7), narrowLeft: false))))
            }
        }
    }
}
