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

    /// `if (a < 0 || b <= 0) return 0; return a op b;` of `int`s and of `long`s: every
    /// path reaching the division tested both non-negative. Testing only `a` keeps it signed.
    @Test func signedDivisionOfTestedValuesIsUnsigned() throws {
        for op: BinOp in [.sdiv, .srem] {
            for w: Width in [.w32, .w64] {
                func f(testsDivisor: Bool) -> Function {
                    fn([
                        Block(id: BlockID(0), terminator: .branch(.slt, lhs: VReg(0), rhs: .imm(0), width: w, then: BlockID(3), else: BlockID(1))),
                        Block(id: BlockID(1), terminator: testsDivisor ? .branch(.sle, lhs: VReg(1), rhs: .imm(0), width: w, then: BlockID(3), else: BlockID(2))
                                                                       : .branch(.eq, lhs: VReg(1), rhs: .imm(0), width: w, then: BlockID(3), else: BlockID(2))),
                        Block(id: BlockID(2), instructions: [ins(.binary(op, dst: VReg(2), lhs: VReg(0), rhs: .reg(VReg(1)), width: w))],
                              terminator: .ret(.reg(VReg(2)))),
                        Block(id: BlockID(3), terminator: .ret(.imm(0))),
                    ], params: 2)
                }
                func signed(_ g: Function) -> Bool {
                    g.containsInstruction { if case .binary(op, _, _, _, _) = $0 { return true }; return false }
                }
                let g = UnsignedDivision.run(f(testsDivisor: true))
                #expect(!signed(g), "\(op) \(w)\(show(g))")
                for a: Int64 in [0, 7, 0x7fff_ffff, -1, Int64.max] {
                    for b: Int64 in [1, 3, -2, 0x1_0000_0003] {
                        #expect(try IRInterpreter.run(g, args: [a, b]) == IRInterpreter.run(f(testsDivisor: true), args: [a, b]), "\(op) \(w) \(a) \(b)")
                    }
                }
                #expect(signed(UnsignedDivision.run(f(testsDivisor: false))), "\(op) \(w)")
            }
        }
    }
}
