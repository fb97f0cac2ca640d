import Testing
@testable import BPFIR

/// LoadSinking.withinBlocks: a run of slot loads each read only further down moves to
/// its reads when more than `pendingLimit` would wait in registers at once.
extension OptimizerPassTests {
    /// Slot 0 filled with `n` words (`v0 * (k + 1)`); all `n` loaded, then each stored
    /// into slot 1; `clobber`: slot 0's first word written between the loads and the
    /// stores. Returns the sum of slot 1's words.
    func loadRunFunction(_ n: Int, clobber: Bool = false) -> Function {
        var insts: [Instruction] = []
        for k in 0..<n {
            insts.append(ins(.binary(.mul, dst: VReg(100 + k), lhs: VReg(0), rhs: .imm(Int64(k + 1)), width: .w64)))
            insts.append(ins(.store(base: .slot(0), offset: 8 * k, value: .reg(VReg(100 + k)), width: .w64)))
        }
        for k in 0..<n { insts.append(ins(.load(dst: VReg(200 + k), base: .slot(0), offset: 8 * k, width: .w64, signed: false))) }
        if clobber { insts.append(ins(.store(base: .slot(0), offset: 0, value: .imm(7), width: .w64))) }
        for k in 0..<n { insts.append(ins(.store(base: .slot(1), offset: 8 * k, value: .reg(VReg(200 + k)), width: .w64))) }
        insts.append(ins(.mov(dst: VReg(1), src: .imm(0), width: .w64)))
        for k in 0..<n {
            insts.append(ins(.load(dst: VReg(300 + k), base: .slot(1), offset: 8 * k, width: .w64, signed: false)))
            insts.append(ins(.binary(.add, dst: VReg(1), lhs: VReg(1), rhs: .reg(VReg(300 + k)), width: .w64)))
        }
        let slots = [StackSlot(size: 8 * n, alignment: 8, name: "a"), StackSlot(size: 8 * n, alignment: 8, name: "b")]
        return fn([Block(id: BlockID(0), instructions: insts, terminator: .ret(.reg(VReg(1))))], slots: slots, next: 400)
    }

    /// The most loads of slot 0 whose register is not read yet, at any point.
    func mostWaitingLoads(_ f: Function) -> Int {
        var waiting = Set<VReg>(), most = 0
        for i in f.blocks[0].instructions {
            i.inst.forEachUse { waiting.remove($0) }
            if case .load(let d, .slot(0), _, _, _) = i.inst { waiting.insert(d) }
            most = max(most, waiting.count)
        }
        return most
    }

    @Test func aLongRunOfSlotLoadsMovesToItsReads() throws {
        let f = loadRunFunction(20), g = LoadSinking.withinBlocks(f)
        #expect(mostWaitingLoads(f) == 20)
        #expect(mostWaitingLoads(g) == 1, "\(show(g))")
        for x: Int64 in [0, 3, -5] { #expect(try IRInterpreter.run(g, args: [x]) == IRInterpreter.run(f, args: [x])) }
        // A short run stays as it is; so do loads a store into their slot comes after
        // (the first word, moved past it, would read 7).
        #expect(LoadSinking.withinBlocks(loadRunFunction(6)) == loadRunFunction(6))
        let h = loadRunFunction(20, clobber: true), k = LoadSinking.withinBlocks(h)
        #expect(k == h)
        #expect(try IRInterpreter.run(k, args: [2]) == IRInterpreter.run(h, args: [2]))
    }

    /// `p = v0 + v1 (+ 1 when chained); if v1 > 248 return 0; *p = 7`, or with `p` made
    /// of `v2`, which the branch does not test.
    func addressBeforeTest(chained: Bool = false, untested: Bool = false) -> Function {
        var insts = [ins(.binary(.add, dst: VReg(3), lhs: VReg(0), rhs: .reg(untested ? VReg(2) : VReg(1)), width: .w64))]
        var p = VReg(3)
        if chained { insts.append(ins(.binary(.add, dst: VReg(4), lhs: VReg(3), rhs: .imm(1), width: .w64))); p = VReg(4) }
        return fn([Block(id: BlockID(0), instructions: insts,
                         terminator: .branch(.ugt, lhs: VReg(1), rhs: .imm(248), width: .w64, then: BlockID(2), else: BlockID(1))),
                   Block(id: BlockID(1), instructions: [ins(.store(base: .reg(p), offset: 0, value: .imm(7), width: .w8))],
                         terminator: .ret(.imm(1))),
                   Block(id: BlockID(2), terminator: .ret(.imm(0)))], params: 3)
    }

    @Test func anAddressMadeOfATestedValueMovesPastTheTest() {
        for chained in [false, true] {
            let g = LoadSinking.intoSuccessors(addressBeforeTest(chained: chained))
            #expect(g.blocks[0].instructions.isEmpty, "\(show(g))")
            #expect(g.blocks[1].instructions.count == (chained ? 3 : 2))
        }
        // Made of a value the branch does not test: it stays.
        let f = addressBeforeTest(untested: true)
        #expect(LoadSinking.intoSuccessors(f) == f)
    }
}
