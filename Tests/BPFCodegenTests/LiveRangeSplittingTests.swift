import Testing
@testable import BPFCodegen
import BPFIR

/// A value that must survive calls, born while r6–r9 hold values that die soon after and
/// before any call, is split (a copy into the register that frees) instead of spilled.
struct LiveRangeSplittingTests {
    func fn(_ blocks: [Block], params: Int) -> Function {
        Function(name: "f", section: ".text", linkage: .global, parameters: (0..<params).map { VReg($0) },
                 blocks: blocks, slots: [], nextVReg: 64, location: nil)
    }

    /// `e = h(a, b)` while a–d (live across that call) hold r6–r9; a–d die in the next
    /// instructions; `e` is read by two later calls and the return.
    func program() -> Function {
        func call(_ d: Int, _ x: Int, _ y: Int) -> Instruction {
            Instruction(.call(dst: VReg(d), callee: .helper(99), args: OperandList([.reg(VReg(x)), .reg(VReg(y))])))
        }
        func add(_ d: Int, _ x: Int, _ y: Int) -> Instruction {
            Instruction(.binary(.add, dst: VReg(d), lhs: VReg(x), rhs: .reg(VReg(y)), width: .w64))
        }
        let body = [call(10, 0, 1), add(11, 0, 1), add(12, 2, 3), add(13, 11, 12),
                    call(15, 10, 13), call(16, 10, 15), add(17, 16, 10)]
        return fn([Block(id: BlockID(0), instructions: body, terminator: .ret(.reg(VReg(17))))], params: 4)
    }

    @Test func aValueBornUnderShortLivedRivalsIsCopiedNotSpilled() throws {
        let c = try Codegen.compile(program(), options: CodegenOptions())
        // No 64-bit store to the frame (a spill), no load from it (a reload).
        let frameAccess = c.instructions.contains { ($0.opcode == 0x7b && $0.dst == Reg.fp) || ($0.opcode == 0x79 && $0.src == Reg.fp) }
        #expect(!frameAccess, "\n\(c.disassembly)")
        // helper 99 = r1 * 10 + r2: e = 12, then 130, 250; 250 + 12.
        #expect(try Interpreter.run(c.instructions, args: [1, 2, 3, 4]) == 262)
        #expect(try Interpreter.run(c.instructions, args: [5, 0, 7, 1]) == 1063)     // e = 50; 513; 1013; + 50
    }

    @Test func splittingNeedsTheRivalsToDieBeforeAnyCall() throws {
        // The value is born between two calls the rivals cross: no register frees before
        // its first call, so no split: it is not copied, and the program still computes.
        var f = program()
        f.blocks[0].instructions.insert(Instruction(.call(dst: VReg(20), callee: .helper(5), args: OperandList([]))), at: 1)
        #expect(LiveRangeSplitting.split(f, VReg(10), after: 12) == nil ? true : false)      // the call at position 4 comes between
        let c = try Codegen.compile(f, options: CodegenOptions())
        #expect(try Interpreter.run(c.instructions, args: [1, 2, 3, 4]) == 262)
    }
}
