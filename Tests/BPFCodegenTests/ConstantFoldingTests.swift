import Testing
@testable import BPFIR
@testable import BPFCodegen

/// ConstantFolding: a branch comparing a constant (left) with a register (right) swaps
/// its operands, the comparison mirrored, so the constant becomes an immediate.
extension OptimizerPassTests {
    func constantOnTheLeft(_ cc: CondCode, _ k: Int64, width: Width) -> Function {
        fn([Block(id: BlockID(0), instructions: [ins(.mov(dst: VReg(2), src: .imm(k), width: .w64))],
                  terminator: .branch(cc, lhs: VReg(2), rhs: .reg(VReg(0)), width: width, then: BlockID(1), else: BlockID(2))),
            Block(id: BlockID(1), terminator: .ret(.imm(1))),
            Block(id: BlockID(2), terminator: .ret(.imm(2)))], params: 1)
    }

    @Test func constantOnTheLeftOfABranchBecomesItsImmediate() throws {
        for cc: CondCode in [.eq, .ne, .ugt, .uge, .ult, .ule, .sgt, .sge, .slt, .sle] {
            for (k, w): (Int64, Width) in [(5, .w64), (-3, .w64), (0x6400000a, .w32), (-1, .w32)] {
                let f = constantOnTheLeft(cc, k, width: w)
                let g = ConstantFolding.run(f)
                // (Against the bound of its range the swapped comparison is decided.)
                if case .branch(_, VReg(0), .imm, w, _, _) = g.blocks[0].terminator {
                } else if ConstantFolding.extreme(cc.swapped, k, width: w) == nil || branches(g) {
                    Issue.record("not swapped: \(show(g))"); continue
                }
                for x: Int64 in [0, 4, 5, 6, -3, -4, -2, 0x6400000a, -1, Int64.min, 0xffff_ffff] {
                    #expect(try IRInterpreter.run(g, args: [x]) == IRInterpreter.run(f, args: [x]), "\(cc) \(k) \(w) \(x)\(show(g))")
                }
            }
        }
    }

    /// `x op x`: xor, sub and the remainders are 0, and and or are x (at the width), as
    /// the interpreter computes them; other operations stay.
    @Test func operationsOfARegisterWithItselfFold() throws {
        for op: BinOp in [.xor, .sub, .urem, .srem, .and, .or, .add, .mul, .udiv] {
            for w: Width in [.w32, .w64] {
                let x = VReg(0), d = VReg(1)
                let f = fn([Block(id: BlockID(0), instructions: [ins(.binary(op, dst: d, lhs: x, rhs: .reg(x), width: w))],
                                  terminator: .ret(.reg(d)))], params: 1)
                let g = ConstantFolding.run(f)
                let folded = { if case .mov = g.blocks[0].instructions[0].inst { return true }; return false }()
                #expect(folded == [.xor, .sub, .urem, .srem, .and, .or].contains(op), "\(op) \(w)\(show(g))")
                for v: Int64 in [0, 1, 7, -1, Int64.min, 0x1_0000_0005] {
                    #expect(try IRInterpreter.run(g, args: [v]) == IRInterpreter.run(f, args: [v]), "\(op) \(w) \(v)\(show(g))")
                }
            }
        }
    }

    /// An absorbing operand: `x | ~0` is all ones, `x & 0` and `x * 0` are 0, `x & ~0` is
    /// a copy (at the operation's width), as the interpreter computes them.
    @Test func absorbingOperandsFold() throws {
        for (op, k): (BinOp, Int64) in [(.or, -1), (.or, 0xffff_ffff), (.and, 0), (.mul, 0), (.and, -1), (.and, 0xffff_ffff)] {
            for w: Width in [.w32, .w64] {
                let x = VReg(0), d = VReg(1)
                let f = fn([Block(id: BlockID(0), instructions: [ins(.binary(op, dst: d, lhs: x, rhs: .imm(k), width: w))],
                                  terminator: .ret(.reg(d)))], params: 1)
                let g = ConstantFolding.run(f)
                let folded = { if case .mov = g.blocks[0].instructions[0].inst { return true }; return false }()
                let absorbs = k == 0 || w == .w32 || k == -1
                #expect(folded == absorbs, "\(op) \(k) \(w)\(show(g))")
                for v: Int64 in [0, 1, 7, -1, Int64.min, 0x1_0000_0005] {
                    #expect(try IRInterpreter.run(g, args: [v]) == IRInterpreter.run(f, args: [v]), "\(op) \(k) \(w) \(v)\(show(g))")
                }
            }
        }
    }

    /// `x & m` at 64 bits with `m` a register holding 0xffffffff (no immediate holds it) is a
    /// 32-bit copy; with 0x1ffffffff in the register the `and` stays.
    @Test func aMaskOfTheLow32BitsIsA32BitCopy() throws {
        for mask: Int64 in [0xffff_ffff, 0x1_ffff_ffff] {
            let f = fn([Block(id: BlockID(0), instructions: [ins(.mov(dst: VReg(1), src: .imm(mask), width: .w64)),
                                                             ins(.binary(.and, dst: VReg(2), lhs: VReg(0), rhs: .reg(VReg(1)), width: .w64))],
                              terminator: .ret(.reg(VReg(2))))], params: 1)
            let g = ConstantFolding.run(f)
            #expect(g.blocks[0].instructions.contains { $0.inst == .mov(dst: VReg(2), src: .reg(VReg(0)), width: .w32) } == (mask == 0xffff_ffff),
                    "\(show(g))")
            for v: Int64 in [0, -1, Int64.min, 0x1_0000_0005] {
                #expect(try IRInterpreter.run(g, args: [v]) == IRInterpreter.run(f, args: [v]), "\(v)\(show(g))")
            }
        }
    }

    /// A zero dividend or shifted value (`0 / x`, `0 % x`, `0 << x`, `0 >> x`, a register
    /// known to hold 0) folds to 0 whatever x is, eBPF's division and remainder by zero
    /// included; `x / 1` is a copy and `x % 1` is 0. Subtraction from 0, and shifts by 1, stay.
    @Test func zeroDividendsAndUnitDivisorsFold() throws {
        for op: BinOp in [.udiv, .sdiv, .urem, .srem, .shl, .lshr, .ashr, .sub] {
            for w: Width in [.w32, .w64] {
                let x = VReg(0), z = VReg(1), d = VReg(2), e = VReg(3), s = VReg(4)
                let f = fn([Block(id: BlockID(0), instructions: [
                    ins(.mov(dst: z, src: .imm(w == .w32 ? 0x7_0000_0000 : 0), width: .w64)),
                    ins(.binary(op, dst: d, lhs: z, rhs: .reg(x), width: w)),
                    ins(.binary(op, dst: e, lhs: x, rhs: .imm(1), width: w)),
                    ins(.binary(.xor, dst: s, lhs: d, rhs: .reg(e), width: .w64)),
                ], terminator: .ret(.reg(s)))], params: 1)
                let g = ConstantFolding.run(f)
                let zeroFolds = op != .sub
                let unitFolds = [.udiv, .sdiv, .urem, .srem].contains(op)
                #expect(!g.containsInstruction { if case .binary(op, _, z, _, _) = $0 { return true }; return false } == zeroFolds, "\(op) \(w)\(show(g))")
                #expect(!g.containsInstruction { if case .binary(op, _, x, .imm(1), _) = $0 { return true }; return false } == unitFolds, "\(op) \(w)\(show(g))")
                for v: Int64 in [0, 1, 7, -1, Int64.min, 0x1_0000_0005, -0x8000_0000] {
                    #expect(try IRInterpreter.run(g, args: [v]) == IRInterpreter.run(f, args: [v]), "\(op) \(w) \(v)\(show(g))")
                }
                // The 0 is known to what reads the result in the same run (an extension of it).
                guard zeroFolds else { continue }
                let chain = fn([Block(id: BlockID(0), instructions: [
                    ins(.mov(dst: z, src: .imm(0), width: .w64)),
                    ins(.binary(op, dst: d, lhs: z, rhs: .reg(x), width: w)),
                    ins(.ext(dst: e, src: d, from: .w16, to: .w32, signed: false)),
                ], terminator: .ret(.reg(e)))], params: 1)
                let h = ConstantFolding.run(chain)
                #expect(!h.containsInstruction { if case .ext = $0 { return true }; return false }, "\(op) \(w)\(show(h))")
            }
        }
    }

    /// A comparison with the bound of its range is decided: `x <= UINT_MAX` and `x >= 0u`
    /// hold, `x < 0u` and `x > UINT_MAX` do not, and the signed ones at INT_MIN / INT_MAX.
    @Test func comparisonsWithTheBoundOfTheRangeAreDecided() throws {
        let cases: [(CondCode, Int64, Width)] = [
            (.ule, -1, .w64), (.uge, 0, .w64), (.ult, 0, .w64), (.ugt, -1, .w64),
            (.ule, 0xffff_ffff, .w32), (.ugt, -1, .w32), (.sle, Int64.max, .w64), (.sge, Int64.min, .w64),
            (.slt, Int64.min, .w64), (.sgt, Int64.max, .w64), (.sle, 0x7fff_ffff, .w32), (.slt, -0x8000_0000, .w32)]
        for (cc, k, w) in cases {
            let f = fn([Block(id: BlockID(0), terminator: .branch(cc, lhs: VReg(0), rhs: .imm(k), width: w, then: BlockID(1), else: BlockID(2))),
                        Block(id: BlockID(1), terminator: .ret(.imm(1))),
                        Block(id: BlockID(2), terminator: .ret(.imm(2)))], params: 1)
            let g = ConstantFolding.run(f)
            #expect(!branches(g), "\(cc) \(k) \(w)\(show(g))")
            for v: Int64 in [0, 1, -1, Int64.min, Int64.max, 0x7fff_ffff, -0x8000_0000, 0xffff_ffff] {
                #expect(try IRInterpreter.run(g, args: [v]) == IRInterpreter.run(f, args: [v]), "\(cc) \(k) \(w) \(v)\(show(g))")
            }
        }
        // Not the bound: stays a branch.
        let f = fn([Block(id: BlockID(0), terminator: .branch(.ule, lhs: VReg(0), rhs: .imm(0x7fff_ffff), width: .w64, then: BlockID(1), else: BlockID(2))),
                    Block(id: BlockID(1), terminator: .ret(.imm(1))),
                    Block(id: BlockID(2), terminator: .ret(.imm(2)))], params: 1)
        #expect(branches(ConstantFolding.run(f)))
    }

    func branches(_ f: Function) -> Bool { f.blocks.contains { if case .branch = $0.terminator { return true }; return false } }
}
