import Testing
@testable import BPFIR

/// SignedBranches, and what ValueNumbering keeps of stack slots across merges.
extension OptimizerPassTests {
    /// `n = (int)p; if (n < 0) r = 1; else { r = n + 1; if (r > 512) r = 512; } return r`
    /// with the increment marked as C `int` arithmetic or not.
    func clampedIncrement(noSignedWrap: Bool) -> Function {
        let n = VReg(2), r = VReg(3)
        return fn([
            Block(id: BlockID(0), instructions: [ins(.ext(dst: n, src: VReg(0), from: .w32, to: .w32, signed: false))],
                  terminator: .branch(.slt, lhs: n, rhs: .imm(0), width: .w32, then: BlockID(1), else: BlockID(2))),
            Block(id: BlockID(1), instructions: [ins(.mov(dst: r, src: .imm(1), width: .w64))], terminator: .jump(BlockID(3))),
            Block(id: BlockID(2), instructions: [Instruction(.binary(.add, dst: r, lhs: n, rhs: .imm(1), width: .w32),
                                                             noSignedWrap: noSignedWrap)],
                  terminator: .branch(.sgt, lhs: r, rhs: .imm(512), width: .w32, then: BlockID(4), else: BlockID(3))),
            Block(id: BlockID(4), instructions: [ins(.mov(dst: r, src: .imm(512), width: .w64))], terminator: .jump(BlockID(3))),
            Block(id: BlockID(3), terminator: .ret(.reg(r))),
        ], params: 1)
    }

    @Test func signedTestsOfNonNegativeIntsBecomeUnsigned() throws {
        let f = clampedIncrement(noSignedWrap: true)
        let g = SignedBranches.run(f)
        guard case .branch(.ugt, _, .imm(512), .w32, _, _) = g.blocks[2].terminator else {
            Issue.record("the clamp stays signed\(show(g))"); return
        }
        // The first test is on a value of unknown sign: it stays signed.
        guard case .branch(.slt, _, _, _, _, _) = g.blocks[0].terminator else { Issue.record("\(show(g))"); return }
        for p: Int64 in [-5, 0, 7, 511, 512, 600, 0x7fff_fff0] {
            #expect(try IRInterpreter.run(g, args: [p]) == IRInterpreter.run(f, args: [p]), "\(p)\(show(g))")
        }
        // Without C's guarantee the increment may wrap to a negative int: left alone.
        let h = clampedIncrement(noSignedWrap: false)
        #expect(SignedBranches.run(h) == h)
    }

    /// A constant stored in a slot is still known after a merge whose other path wrote
    /// another slot (a helper given its address) and other bytes of the same slot.
    @Test func slotConstantsSurviveMergesAfterWritesElsewhere() throws {
        let x = VReg(10), y = VReg(11), a = VReg(12), z = VReg(13)
        let f = fn([
            Block(id: BlockID(0), instructions: [ins(.store(base: .slot(0), offset: 2, value: .imm(48), width: .w16)),
                                                 ins(.store(base: .slot(0), offset: 0, value: .imm(7), width: .w16))],
                  terminator: .branch(.eq, lhs: VReg(0), rhs: .imm(0), width: .w64, then: BlockID(1), else: BlockID(2))),
            Block(id: BlockID(1), instructions: [ins(.slotAddr(dst: a, slot: 1, offset: 0)),
                                                 ins(.call(dst: nil, callee: .helper(113), args: [.reg(a), .imm(4), .reg(VReg(0))])),
                                                 ins(.store(base: .slot(0), offset: 0, value: .imm(9), width: .w16))],
                  terminator: .jump(BlockID(2))),
            Block(id: BlockID(2), instructions: [ins(.load(dst: x, base: .slot(0), offset: 2, width: .w16, signed: false)),
                                                 ins(.load(dst: y, base: .slot(0), offset: 0, width: .w16, signed: false)),
                                                 ins(.binary(.add, dst: z, lhs: x, rhs: .reg(y), width: .w64))],
                  terminator: .ret(.reg(z))),
        ], params: 1, slots: [StackSlot(size: 8, alignment: 8, name: "c"), StackSlot(size: 4, alignment: 4, name: "m")])
        let g = ValueNumbering.run(f)
        let merged = g.blocks[2].instructions.map(\.inst)
        #expect(merged.contains(.mov(dst: x, src: .imm(48), width: .w64)), "\(show(g))")
        #expect(merged.contains { if case .load(y, .slot(0), 0, .w16, _) = $0 { return true }; return false }, "\(show(g))")
    }
}

/// WrapChecks: `a - b <= a` tests the operands.
extension OptimizerPassTests {
    func wrapCheck(_ cc: CondCode, swapped: Bool, redefine: Bool = false, width: Width = .w32) -> Function {
        let a = VReg(0), b = VReg(1), d = VReg(2)
        var insts = [ins(.binary(.sub, dst: d, lhs: a, rhs: .reg(b), width: width))]
        if redefine { insts.append(ins(.mov(dst: a, src: .imm(3), width: .w64))) }
        return fn([
            Block(id: BlockID(0), instructions: insts,
                  terminator: swapped ? .branch(cc, lhs: a, rhs: .reg(d), width: width, then: BlockID(1), else: BlockID(2))
                                      : .branch(cc, lhs: d, rhs: .reg(a), width: width, then: BlockID(1), else: BlockID(2))),
            Block(id: BlockID(1), terminator: .ret(.imm(1))),
            Block(id: BlockID(2), terminator: .ret(.imm(2))),
        ], params: 2)
    }

    @Test func wrapChecksTestTheOperands() throws {
        for (cc, swapped) in [(CondCode.ule, false), (.ugt, false), (.uge, true), (.ult, true)] {
            for w in [Width.w32, .w64] {
                let f = wrapCheck(cc, swapped: swapped, width: w)
                let g = WrapChecks.run(f)
                guard case .branch(_, VReg(1), .reg(VReg(0)), w, _, _) = g.blocks[0].terminator else {
                    Issue.record("\(cc) not rewritten\(show(g))"); continue
                }
                for (a, b): (Int64, Int64) in [(5, 3), (3, 5), (0, 0), (7, 7), (0, 1), (-1, 1), (1, -1), (0x1_0000_0002, 3)] {
                    #expect(try IRInterpreter.run(g, args: [a, b]) == IRInterpreter.run(f, args: [a, b]), "\(cc) \(w) \(a) \(b)\(show(g))")
                }
            }
        }
        // An operand written between the subtraction and the branch: left alone.
        let f = wrapCheck(.ule, swapped: false, redefine: true)
        #expect(WrapChecks.run(f) == f)
    }
}

extension OptimizerPassTests {
    /// With a stack address stored to memory, 64-bit loads may give one back; narrower
    /// loads and 32-bit arithmetic on them cannot (pointers are 64 bits).
    @Test func onlyWideValuesMayBeStackAddresses() {
        let f = fn([Block(id: BlockID(0), instructions: [
            ins(.slotAddr(dst: VReg(2), slot: 0, offset: 0)),
            ins(.store(base: .slot(1), offset: 0, value: .reg(VReg(2)), width: .w64)),
            ins(.load(dst: VReg(3), base: .slot(1), offset: 0, width: .w64, signed: false)),
            ins(.load(dst: VReg(4), base: .slot(1), offset: 0, width: .w16, signed: false)),
            ins(.binary(.add, dst: VReg(5), lhs: VReg(3), rhs: .imm(1), width: .w32)),
            ins(.symbolAddr(dst: VReg(6), symbol: SymbolRef(name: "t"))),
            ins(.binary(.add, dst: VReg(7), lhs: VReg(6), rhs: .reg(VReg(4)), width: .w64)),
        ], terminator: .ret(.imm(0)))], params: 1,
                   slots: [StackSlot(size: 8, alignment: 8, name: "a"), StackSlot(size: 8, alignment: 8, name: "p")])
        let frame = f.framePointerRegisters()
        #expect(frame.contains(VReg(2)) && frame.contains(VReg(3)))
        #expect(!frame.contains(VReg(4)) && !frame.contains(VReg(5)) && !frame.contains(VReg(7)))
    }
}
