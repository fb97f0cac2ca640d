import Testing
import BPFIR
@testable import BPFCodegen

/// A bound check decided by the range of the value a predecessor computed (jump threading
/// through `LocalRanges`), and the branches whose arms then compute only dead registers
/// (dead code elimination of control flow): an inlined `log2l` whose upper-half path
/// always takes the clamp loses that path's shifts and tests.
extension OptimizerPassTests {
    /// `hi = v >> 32; if (hi) s = (hi >> 1) + 32; else s = v & 15; if (s >= 20) s = 19;
    /// return s` — on the upper path s is at least 32.
    func clampedSlot(limit: Int64 = 20) -> Function {
        let v = VReg(0), hi = VReg(1), half = VReg(2), s = VReg(3), t = VReg(4)
        return fn([
            Block(id: BlockID(0), instructions: [ins(.binary(.lshr, dst: hi, lhs: v, rhs: .imm(32), width: .w64))],
                  terminator: .branch(.ne, lhs: hi, rhs: .imm(0), width: .w32, then: BlockID(1), else: BlockID(2))),
            Block(id: BlockID(1), instructions: [ins(.binary(.lshr, dst: half, lhs: hi, rhs: .imm(1), width: .w32)),
                                                 ins(.binary(.add, dst: s, lhs: half, rhs: .imm(32), width: .w64))],
                  terminator: .jump(BlockID(3))),
            Block(id: BlockID(2), instructions: [ins(.binary(.and, dst: s, lhs: v, rhs: .imm(15), width: .w32))],
                  terminator: .jump(BlockID(3))),
            Block(id: BlockID(3), instructions: [ins(.mov(dst: t, src: .reg(s), width: .w64))],
                  terminator: .branch(.uge, lhs: t, rhs: .imm(limit), width: .w64, then: BlockID(4), else: BlockID(5))),
            Block(id: BlockID(4), instructions: [ins(.mov(dst: t, src: .imm(limit - 1), width: .w64))], terminator: .jump(BlockID(5))),
            Block(id: BlockID(5), terminator: .ret(.reg(t))),
        ])
    }

    @Test func boundCheckDecidedByAComputedRangeIsThreaded() throws {
        let f = clampedSlot()
        let g = JumpThreading.run(f)
        // The upper path goes straight to the clamp, the lower one (at most 15) to the
        // return: the test is gone.
        func testsTheBound(_ f: Function) -> Bool {
            f.blocks.contains { if case .branch(.uge, _, _, _, _, _) = $0.terminator { return true }; return false }
        }
        #expect(!testsTheBound(g), "both paths threaded\(show(g))")
        for x: Int64 in [0, 7, 0x1f, 0xffff_ffff, 0x1_0000_0000, -1, 0x7fff_ffff_0000_0000] {
            #expect(try IRInterpreter.run(g, args: [x]) == IRInterpreter.run(f, args: [x]))
        }
        // A limit inside the upper path's range (32 ... 2^31 + 31) decides nothing there.
        let open = clampedSlot(limit: 40)
        let h = JumpThreading.run(open)
        #expect(testsTheBound(h), "the upper path still tests\(show(h))")
        for x: Int64 in [0, 0x1_0000_0000, 0x20_0000_0000, -1] {
            #expect(try IRInterpreter.run(h, args: [x]) == IRInterpreter.run(open, args: [x]))
        }
    }

    /// `r = 8; if (v > 255) goto j; r = 0; j: x = v >> r; return v` — x is dead, and with it
    /// r at the join: the branch and its arm go, then r's first assignment.
    @Test func branchWhoseArmOnlyComputesDeadRegistersGoes() throws {
        let v = VReg(0), r = VReg(1), x = VReg(2)
        func f(returning result: VReg) -> Function {
            fn([
                Block(id: BlockID(0), instructions: [ins(.mov(dst: r, src: .imm(8), width: .w64))],
                      terminator: .branch(.ugt, lhs: v, rhs: .imm(255), width: .w32, then: BlockID(2), else: BlockID(1))),
                Block(id: BlockID(1), instructions: [ins(.mov(dst: r, src: .imm(0), width: .w64))], terminator: .jump(BlockID(2))),
                Block(id: BlockID(2), instructions: [ins(.binary(.lshr, dst: x, lhs: v, rhs: .reg(r), width: .w32))],
                      terminator: .ret(.reg(result))),
            ])
        }
        let dead = f(returning: v)
        let g = DeadCodeElimination.run(dead)
        #expect(!g.blocks.contains { if case .branch = $0.terminator { return true }; return false }, "no branch stays\(show(g))")
        #expect(g.blocks.allSatisfy { $0.instructions.isEmpty }, "nor any instruction\(show(g))")
        for a: Int64 in [3, 300] { #expect(try IRInterpreter.run(g, args: [a]) == IRInterpreter.run(dead, args: [a])) }
        // Returning x keeps everything: the arm's r is read at the join.
        let used = f(returning: x)
        let h = DeadCodeElimination.run(used)
        #expect(h == used, "nothing goes\(show(h))")
        for a: Int64 in [3, 300, 0x1234] { #expect(try IRInterpreter.run(h, args: [a]) == IRInterpreter.run(used, args: [a])) }
    }
}

extension OptimizerPassTests {
    /// `static u64 f(u64 v) { return v >> 32; }` called with a 32-bit load (or a 64-bit one,
    /// or with its address also taken): the shift is 0 only when every call gives it a
    /// value without an upper half and nothing else can call it.
    @Test func shiftOfAParameterEveryCallGivesA32BitValueIsZero() throws {
        func module(width: Width, addressTaken: Bool = false) -> Module {
            let ctx = VReg(0), loaded = VReg(1), result = VReg(2), address = VReg(3)
            let caller = Function(name: "prog", section: "raw_tp/x", linkage: .global, parameters: [ctx], blocks: [
                Block(id: BlockID(0), instructions: [
                    ins(.load(dst: loaded, base: .reg(ctx), offset: 0, width: width, signed: false)),
                    ins(.call(dst: result, callee: .function("f"), args: [.reg(loaded)]))]
                    + (addressTaken ? [ins(.symbolAddr(dst: address, symbol: SymbolRef(name: "f")))] : []),
                      terminator: .ret(.reg(result)))], slots: [], nextVReg: 8)
            let v = VReg(0), shifted = VReg(1)
            let callee = Function(name: "f", section: ".text", linkage: .static, parameters: [v], blocks: [
                Block(id: BlockID(0), instructions: [ins(.binary(.lshr, dst: shifted, lhs: v, rhs: .imm(32), width: .w64))],
                      terminator: .ret(.reg(shifted)))], slots: [], nextVReg: 8)
            return Module(functions: [caller, callee])
        }
        let (narrowed, changed) = NarrowParameters.run(module(width: .w32))
        #expect(changed == [1])
        #expect(narrowed.functions[1].blocks[0].instructions[0].inst == .mov(dst: VReg(1), src: .imm(0), width: .w64))
        for m in [module(width: .w64), module(width: .w32, addressTaken: true)] {
            let (same, none) = NarrowParameters.run(m)
            #expect(none.isEmpty && same == m)
        }
    }
}
