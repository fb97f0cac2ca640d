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
}
