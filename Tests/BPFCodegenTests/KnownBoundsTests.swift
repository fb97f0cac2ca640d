import Testing
@testable import BPFIR
@testable import BPFCodegen

/// RedundancyElimination's rules that rest on ValueBounds, and identity operands left by
/// constant folding.
extension OptimizerPassTests {
    /// A clearing mask too wide for an immediate (`w4 = 0xfffff80f; r1 &= r4`) over a
    /// word known to hold only its low 4 bits is a copy; a mask clearing a bit the word
    /// may hold stays.
    @Test func masksInRegistersKeepingEveryBitBecomeCopies() throws {
        func program(mask: Int64) -> Function {
            fn([Block(id: BlockID(0), instructions: [
                ins(.binary(.and, dst: VReg(1), lhs: VReg(0), rhs: .imm(0xf), width: .w64)),
                ins(.mov(dst: VReg(2), src: .imm(mask), width: .w32)),
                ins(.binary(.and, dst: VReg(3), lhs: VReg(1), rhs: .reg(VReg(2)), width: .w64)),
            ], terminator: .ret(.reg(VReg(3))))])
        }
        func ands(_ f: Function) -> Int { f.blocks[0].instructions.filter { if case .binary(.and, _, _, _, _) = $0.inst { return true }; return false }.count }
        for (mask, kept) in [(Int64(-0x7f1), 1), (-0x7f9, 2)] {
            let f = program(mask: mask)
            let g = RedundancyElimination.run(f)
            #expect(ands(g) == kept, "\(show(g))")
            for p: Int64 in [0, 0xf, 0x1234_5678_9abc_def7, -1] {
                #expect(try IRInterpreter.run(g, args: [p]) == IRInterpreter.run(f, args: [p]))
            }
        }
    }

    /// `(int)v % 4` as lowering writes it (the sign bias of a signed remainder by a power
    /// of two) on a value known non-negative (a byte plus a byte) keeps the low two bits;
    /// on a value that may be negative the sequence stays.
    /// A switch over `(x >> 2) + 127` of a 16-bit `x`: the value lies in [127, 16510], so
    /// its case 0 is never taken, case 255 may be, and a test `< 127` never holds; a sum
    /// of 127 and a value with no known bound (it may wrap) decides nothing.
    @Test func branchesTheRangeOfTheirRegisterDecidesAreJumps() throws {
        func program(bounded: Bool, _ cc: CondCode, _ k: Int64) -> Function {
            let insts = bounded ? [ins(.binary(.and, dst: VReg(1), lhs: VReg(0), rhs: .imm(0xffff), width: .w64)),
                                   ins(.binary(.lshr, dst: VReg(2), lhs: VReg(1), rhs: .imm(2), width: .w64))]
                                : [ins(.mov(dst: VReg(2), src: .reg(VReg(0)), width: .w64))]
            return fn([Block(id: BlockID(0), instructions: insts + [ins(.binary(.add, dst: VReg(3), lhs: VReg(2), rhs: .imm(127), width: .w64))],
                             terminator: .branch(cc, lhs: VReg(3), rhs: .imm(k), width: .w64, then: BlockID(1), else: BlockID(2))),
                       Block(id: BlockID(1), terminator: .ret(.imm(1))),
                       Block(id: BlockID(2), terminator: .ret(.reg(VReg(3))))])
        }
        for (cc, k, decided) in [(CondCode.eq, Int64(0), true), (.eq, 255, false), (.eq, 16511, true), (.ult, 127, true),
                                 (.uge, 127, true), (.ugt, 16510, true), (.sgt, 200, false), (.slt, 127, true), (.ne, 7, true)] {
            for bounded in [true, false] {
                let f = program(bounded: bounded, cc, k)
                let g = RedundancyElimination.run(f)
                let jumps = g.blocks.allSatisfy { if case .branch = $0.terminator { return false }; return true }
                #expect(jumps == (decided && bounded), "\(cc) \(k) bounded \(bounded)\(show(g))")
                for v: Int64 in [0, 1, 0x1ff, 0xffff, 0x1_0000_0004, -1] {
                    #expect(try IRInterpreter.run(g, args: [v]) == IRInterpreter.run(f, args: [v]), "\(cc) \(k) \(v)")
                }
            }
        }
    }

    /// `((a & 1) / b) + 255 != 0` (random seed 61981's `(x == y) / (g | 1) + table[1]`,
    /// the table a static never written): a quotient by a register is at most its
    /// dividend (eBPF's `x / 0` is 0), so the sum is at least 255 and the branch is decided,
    /// as clang folds it; with a dividend that may be 2^32 - 255 or more it is not. The
    /// verifier does not bound a quotient: undecided, the branch split its walk at every call.
    @Test func aQuotientByARegisterIsAtMostItsDividend() throws {
        func program(mask: Int64) -> Function {
            fn([Block(id: BlockID(0), instructions: [
                ins(.binary(.and, dst: VReg(2), lhs: VReg(0), rhs: .imm(mask), width: .w32)),
                ins(.binary(.udiv, dst: VReg(3), lhs: VReg(2), rhs: .reg(VReg(1)), width: .w32)),
                ins(.binary(.add, dst: VReg(4), lhs: VReg(3), rhs: .imm(255), width: .w32)),
            ], terminator: .branch(.ne, lhs: VReg(4), rhs: .imm(0), width: .w32, then: BlockID(1), else: BlockID(2))),
               Block(id: BlockID(1), terminator: .ret(.imm(1))),
               Block(id: BlockID(2), terminator: .ret(.imm(0)))], params: 2)
        }
        for (mask, decided) in [(Int64(1), true), (0xffff, true), (-1, false)] {
            let f = program(mask: mask), g = RedundancyElimination.run(f)
            let jumps = g.blocks.allSatisfy { if case .branch = $0.terminator { return false }; return true }
            #expect(jumps == decided, "mask \(mask)\(show(g))")
            for (a, b): (Int64, Int64) in [(0, 0), (1, 0), (1, 1), (0xffff, 3), (0xffff_ff01, 1), (-1, 1)] {
                #expect(try IRInterpreter.run(g, args: [a, b]) == IRInterpreter.run(f, args: [a, b]), "mask \(mask) \(a) / \(b)")
            }
        }
    }

    @Test func signedRemaindersOfNonNegativeValuesAreMasks() throws {
        func program(known: Bool) -> Function {
            let a = VReg(1)
            return fn([Block(id: BlockID(0), instructions: [
                known ? ins(.binary(.and, dst: VReg(8), lhs: VReg(0), rhs: .imm(0xff), width: .w32))
                      : ins(.mov(dst: VReg(8), src: .reg(VReg(0)), width: .w64)),
                ins(.binary(.add, dst: a, lhs: VReg(8), rhs: .imm(200), width: .w32)),
                ins(.binary(.ashr, dst: VReg(2), lhs: a, rhs: .imm(31), width: .w32)),
                ins(.binary(.lshr, dst: VReg(3), lhs: VReg(2), rhs: .imm(30), width: .w32)),
                ins(.binary(.add, dst: VReg(4), lhs: a, rhs: .reg(VReg(3)), width: .w32)),
                ins(.binary(.and, dst: VReg(6), lhs: VReg(4), rhs: .imm(0xffff_fffc), width: .w32)),
                ins(.binary(.sub, dst: VReg(7), lhs: a, rhs: .reg(VReg(6)), width: .w32)),
            ], terminator: .ret(.reg(VReg(7))))])
        }
        func subtracts(_ f: Function) -> Bool {
            f.blocks[0].instructions.contains { if case .binary(.sub, _, _, _, _) = $0.inst { return true }; return false }
        }
        for known in [true, false] {
            let f = program(known: known)
            let g = DeadCodeElimination.run(ConstantFolding.run(RedundancyElimination.run(f)))
            #expect(known ? !subtracts(g) && g.blocks[0].instructions.count == 3 : subtracts(g), "\(show(g))")
            for p: Int64 in [0, 7, 0x1234_5678_9abc_def7, -1, -0x8000_0000, 0x7fff_ff40] {
                #expect(try IRInterpreter.run(g, args: [p]) == IRInterpreter.run(f, args: [p]), "\(p)")
            }
        }
    }

    /// Constant operands that leave the value as it is fold to copies of the operation's width.
    @Test func identityOperandsFoldToCopies() throws {
        for op: BinOp in [.add, .sub, .or, .xor, .shl, .lshr, .ashr] {
            for w: Width in [.w32, .w64] {
                let f = fn([Block(id: BlockID(0), instructions: [
                    ins(.mov(dst: VReg(1), src: .imm(0), width: .w64)),
                    ins(.binary(op, dst: VReg(2), lhs: VReg(0), rhs: .reg(VReg(1)), width: w)),
                ], terminator: .ret(.reg(VReg(2))))])
                let g = ConstantFolding.run(f)
                #expect(g.blocks[0].instructions.contains { $0.inst == .mov(dst: VReg(2), src: .reg(VReg(0)), width: w) }, "\(show(g))")
                #expect(try IRInterpreter.run(g, args: [-5]) == IRInterpreter.run(f, args: [-5]))
            }
        }
    }
}

extension OptimizerPassTests {
    /// A string stored eight bytes at a time and read a byte at a time in later blocks:
    /// each byte load reads its byte of the constant (in the target's byte order); after a
    /// store to one of the bytes, that byte is what was stored there.
    @Test func narrowLoadsReadBytesOfStoredConstants() throws {
        func program(bigEndian: Bool, overwrite: Bool) -> Function {
            let b0 = Block(id: BlockID(0), instructions: [
                ins(.store(base: .slot(0), offset: 0, value: .imm(0x7062_2d74_6669_7773), width: .w64)),
            ] + (overwrite ? [ins(.store(base: .slot(0), offset: 3, value: .reg(VReg(0)), width: .w8))] : []),
                terminator: .branch(.eq, lhs: VReg(0), rhs: .imm(0), width: .w64, then: BlockID(1), else: BlockID(2)))
            let b1 = Block(id: BlockID(1), instructions: [
                ins(.load(dst: VReg(1), base: .slot(0), offset: 3, width: .w8, signed: false)),
                ins(.load(dst: VReg(2), base: .slot(0), offset: 4, width: .w16, signed: false)),
                ins(.binary(.add, dst: VReg(3), lhs: VReg(1), rhs: .reg(VReg(2)), width: .w64)),
            ], terminator: .ret(.reg(VReg(3))))
            let b2 = Block(id: BlockID(2), terminator: .ret(.imm(0)))
            var f = fn([b0, b1, b2], slots: [StackSlot(size: 8, alignment: 8, name: "name")])
            f.bigEndian = bigEndian
            return f
        }
        func loads(_ f: Function) -> Int {
            f.blocks.reduce(0) { n, b in n + b.instructions.filter { if case .load = $0.inst { return true }; return false }.count }
        }
        let little = ValueNumbering.run(program(bigEndian: false, overwrite: false))
        #expect(loads(little) == 0 && little.blocks[1].instructions.contains { $0.inst == .mov(dst: VReg(1), src: .imm(0x66), width: .w64) }
                && little.blocks[1].instructions.contains { $0.inst == .mov(dst: VReg(2), src: .imm(0x2d74), width: .w64) }, "\(show(little))")
        let big = ValueNumbering.run(program(bigEndian: true, overwrite: false))
        #expect(big.blocks[1].instructions.contains { $0.inst == .mov(dst: VReg(1), src: .imm(0x74), width: .w64) }
                && big.blocks[1].instructions.contains { $0.inst == .mov(dst: VReg(2), src: .imm(0x6669), width: .w64) }, "\(show(big))")
        let overwritten = ValueNumbering.run(program(bigEndian: false, overwrite: true))
        #expect(!overwritten.blocks[1].instructions.contains { if case .mov(VReg(1), .imm, _) = $0.inst { return true }; return false },
                "\(show(overwritten))")
        let f = program(bigEndian: false, overwrite: false)
        #expect(try IRInterpreter.run(little, args: [0]) == IRInterpreter.run(f, args: [0]))
    }
}

extension OptimizerPassTests {
    /// Loads from a fixed read-only table at known offsets read its bytes in the target's
    /// byte order (sign-extended for signed loads); out-of-range and unknown symbols stay.
    @Test func readOnlyTableLoadsAreConstants() throws {
        func program(bigEndian: Bool) -> Function {
            var f = fn([Block(id: BlockID(0), instructions: [
                ins(.symbolAddr(dst: VReg(1), symbol: SymbolRef(name: "t", offset: 1))),
                ins(.load(dst: VReg(2), base: .reg(VReg(1)), offset: 1, width: .w16, signed: false)),
                ins(.load(dst: VReg(3), base: .reg(VReg(1)), offset: 0, width: .w8, signed: true)),
                ins(.load(dst: VReg(4), base: .reg(VReg(1)), offset: 3, width: .w16, signed: false)),
                ins(.symbolAddr(dst: VReg(5), symbol: SymbolRef(name: "u", offset: 0))),
                ins(.load(dst: VReg(6), base: .reg(VReg(5)), offset: 0, width: .w8, signed: false)),
            ], terminator: .ret(.reg(VReg(2))))])
            f.bigEndian = bigEndian
            return f
        }
        let data: [String: [UInt8]] = ["t": [0x10, 0x80, 0x12, 0x34, 0x56]]
        for (big, word) in [(false, Int64(0x3412)), (true, 0x1234)] {
            let g = ReadOnlyLoads.run(program(bigEndian: big), memory: ReadOnlyMemory(data: data))
            let insts = g.blocks[0].instructions.map(\.inst)
            #expect(insts.contains(.mov(dst: VReg(2), src: .imm(word), width: .w64)), "\(show(g))")
            #expect(insts.contains(.mov(dst: VReg(3), src: .imm(-128), width: .w64)), "\(show(g))")
            #expect(insts.contains { if case .load(VReg(4), _, _, _, _) = $0 { return true }; return false }, "beyond the table")
            #expect(insts.contains { if case .load(VReg(6), _, _, _, _) = $0 { return true }; return false }, "not in the table")
        }
    }
}

/// The bound search's step limit (`ValueBounds.maxSteps`).
extension OptimizerPassTests {
    /// A loop value feeding a chain of registers each written twice from the one before
    /// (`or` and `xor` of it with itself, as `__builtin_clz`'s lowering writes its steps),
    /// back to the loop value through a shift: nothing found while the loop value is
    /// assumed is cached, so every path through the chain was walked — 4^40 of them. The
    /// search now gives up (no bound); a short chain is still bounded, and so is a
    /// register outside the web asked after it.
    @Test func boundSearchesThroughWebsOfRedefinedRegistersEnd() {
        func web(_ length: Int) -> [VReg: [Inst]] {
            var definitions: [VReg: [Inst]] = [VReg(0): [.mov(dst: VReg(0), src: .imm(1), width: .w64),
                                                          .binary(.lshr, dst: VReg(0), lhs: VReg(length), rhs: .imm(1), width: .w64)]]
            for k in 1...length {
                definitions[VReg(k)] = [.binary(.or, dst: VReg(k), lhs: VReg(k - 1), rhs: .reg(VReg(k - 1)), width: .w64),
                                        .binary(.xor, dst: VReg(k), lhs: VReg(k - 1), rhs: .reg(VReg(k - 1)), width: .w64)]
            }
            definitions[VReg(1000)] = [.binary(.and, dst: VReg(1000), lhs: VReg(999), rhs: .imm(0x3f), width: .w64)]
            return definitions
        }
        var short = ValueBounds(definitions: web(3), parameters: [], returns: [:])
        #expect(short.upperBound(VReg(3)) == 1)
        var long = ValueBounds(definitions: web(40), parameters: [], returns: [:])
        #expect(long.upperBound(VReg(40)) == nil)
        #expect(long.upperBound(VReg(1000)) == 0x3f)
    }
}
