import Testing
@testable import BPFIR

/// ZeroSlots: a stack slot only ever written with zeros reads as zeros at any index.
extension OptimizerPassTests {
    /// `a[4] = {}; a[x & 3] = 0 (or 7 with nonZero); a[y & 3] = a[y & 3] (+= 0); return
    /// a[x & 3]`, the slot's address passed to a call too with `escapes`.
    func zeroedArray(nonZero: Bool = false, escapes: Bool = false) -> Function {
        var insts: [Instruction] = (0..<4).map { ins(.store(base: .slot(0), offset: 8 * $0, value: .imm(0), width: .w64)) }
        insts += [ins(.binary(.and, dst: VReg(2), lhs: VReg(0), rhs: .imm(3), width: .w64)),
                  ins(.binary(.shl, dst: VReg(3), lhs: VReg(2), rhs: .imm(3), width: .w64)),
                  ins(.slotAddr(dst: VReg(4), slot: 0, offset: 0)),
                  ins(.binary(.add, dst: VReg(5), lhs: VReg(4), rhs: .reg(VReg(3)), width: .w64)),
                  ins(.store(base: .reg(VReg(5)), offset: 0, value: .imm(nonZero ? 7 : 0), width: .w64)),
                  ins(.binary(.and, dst: VReg(6), lhs: VReg(1), rhs: .imm(3), width: .w64)),
                  ins(.binary(.shl, dst: VReg(7), lhs: VReg(6), rhs: .imm(3), width: .w64)),
                  ins(.binary(.add, dst: VReg(8), lhs: VReg(4), rhs: .reg(VReg(7)), width: .w64)),
                  ins(.load(dst: VReg(9), base: .reg(VReg(8)), offset: 0, width: .w64, signed: false)),
                  ins(.store(base: .reg(VReg(8)), offset: 0, value: .reg(VReg(9)), width: .w64))]
        if escapes {
            insts.append(ins(.call(dst: VReg(11), callee: .helper(6), args: [.reg(VReg(4)), .imm(32)])))
        }
        insts.append(ins(.load(dst: VReg(10), base: .reg(VReg(5)), offset: 0, width: .w64, signed: false)))
        return fn([Block(id: BlockID(0), instructions: insts, terminator: .ret(.reg(VReg(10))))],
                  params: 2, slots: [StackSlot(size: 32, alignment: 8, name: "a")])
    }

    func loadCount(_ f: Function) -> Int {
        f.blocks.reduce(0) { $0 + $1.instructions.filter { if case .load = $0.inst { return true }; return false }.count }
    }

    @Test func aSlotOnlyEverZeroedReadsAsZero() throws {
        let f = zeroedArray(), g = ZeroSlots.run(f)
        #expect(loadCount(g) == 0, "\(show(g))")
        for (x, y): (Int64, Int64) in [(0, 0), (1, 2), (3, 3), (-1, 5)] {
            #expect(try IRInterpreter.run(g, args: [x, y]) == IRInterpreter.run(f, args: [x, y]))
        }
        // A non-zero store, or the address passed to a helper (which may write it): the
        // loads stay.
        for h in [zeroedArray(nonZero: true), zeroedArray(escapes: true)] {
            #expect(ZeroSlots.run(h) == h)
        }
    }
}
