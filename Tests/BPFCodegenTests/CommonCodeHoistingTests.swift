import Testing
import BPFIR
@testable import BPFCodegen

/// CommonCodeHoisting: the computation both sides of a branch start with is done once
/// before it, unless it reads what the branch tests.
extension OptimizerPassTests {
    /// `if (flag) *(base + (i << 2)) += 1; else atomic add at base + (i << 2)` with the
    /// address computed on each side; `testsIndex`: the branch tests `i` itself.
    func slotUpdate(testsIndex: Bool) -> Function {
        let base = VReg(0), i = VReg(1), flag = VReg(2)
        let s1 = VReg(10), a1 = VReg(11), v1 = VReg(12), w1 = VReg(13), s2 = VReg(20), a2 = VReg(21), one = VReg(22)
        return fn([
            Block(id: BlockID(0), terminator: .branch(.ne, lhs: testsIndex ? i : flag, rhs: .imm(0), width: .w64,
                                                      then: BlockID(1), else: BlockID(2))),
            Block(id: BlockID(1), instructions: [
                ins(.binary(.shl, dst: s1, lhs: i, rhs: .imm(2), width: .w64)),
                ins(.binary(.add, dst: a1, lhs: base, rhs: .reg(s1), width: .w64)),
                ins(.load(dst: v1, base: .reg(a1), offset: 0, width: .w32, signed: false)),
                ins(.binary(.add, dst: w1, lhs: v1, rhs: .imm(1), width: .w32)),
                ins(.store(base: .reg(a1), offset: 0, value: .reg(w1), width: .w32))], terminator: .jump(BlockID(3))),
            Block(id: BlockID(2), instructions: [
                ins(.binary(.shl, dst: s2, lhs: i, rhs: .imm(2), width: .w64)),
                ins(.binary(.add, dst: a2, lhs: base, rhs: .reg(s2), width: .w64)),
                ins(.mov(dst: one, src: .imm(1), width: .w64)),
                ins(.atomic(.add, base: .reg(a2), offset: 0, value: one, width: .w32, fetch: nil))], terminator: .jump(BlockID(3))),
            Block(id: BlockID(3), terminator: .ret(.imm(0))),
        ], params: 3)
    }

    @Test func leadingComputationOfBothSidesIsHoisted() throws {
        let f = slotUpdate(testsIndex: false)
        let g = CommonCodeHoisting.run(f)
        #expect(g.blocks[0].instructions.count == 2, "shift and add above the branch\(show(g))")
        #expect(g.blocks[1].instructions.count == 3 && g.blocks[2].instructions.count == 2, "\(show(g))")
        // The atomic side now adds at the hoisted address.
        #expect(g.blocks[2].instructions.contains { if case .atomic(_, .reg(VReg(11)), _, _, _, _) = $0.inst { return true }; return false },
                "\(show(g))")
        let tested = slotUpdate(testsIndex: true)
        #expect(CommonCodeHoisting.run(tested) == tested, "a computation on the tested index stays below the test")
    }

    /// `x = flag ? g : g` (each side makes `g`'s address and loads it into `x`): the address
    /// and the load are made once above the branch, both sides left empty. Loads through
    /// a parameter's pointer stay on their sides.
    @Test func theSameGlobalLoadOnBothSidesIsHoisted() throws {
        let flag = VReg(0), p = VReg(1), x = VReg(19)
        func program(throughParameter: Bool) -> Function {
            func side(_ id: Int, _ a: VReg) -> Block {
                Block(id: BlockID(id), instructions: throughParameter
                      ? [ins(.load(dst: x, base: .reg(p), offset: 8, width: .w64, signed: false))]
                      : [ins(.symbolAddr(dst: a, symbol: SymbolRef(name: "g"))),
                         ins(.load(dst: x, base: .reg(a), offset: 8, width: .w64, signed: false))],
                      terminator: .jump(BlockID(3)))
            }
            return fn([
                Block(id: BlockID(0), terminator: .branch(.ne, lhs: flag, rhs: .imm(0), width: .w64, then: BlockID(1), else: BlockID(2))),
                side(1, VReg(10)), side(2, VReg(11)),
                Block(id: BlockID(3), terminator: .ret(.reg(x))),
            ], params: 2)
        }
        let g = CommonCodeHoisting.run(program(throughParameter: false))
        #expect(g.blocks[0].instructions.count == 2 && g.blocks[1].instructions.isEmpty && g.blocks[2].instructions.isEmpty, "\(show(g))")
        #expect(g.useDefCounts().defs[x] == 1, "\(show(g))")
        let kept = program(throughParameter: true)
        #expect(CommonCodeHoisting.run(kept) == kept, "a load through a pointer stays on its side")
    }
}

