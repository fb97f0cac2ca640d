import Testing
import BPFIR
@testable import BPFCodegen

/// Live intervals end at a value's last read before it is written again: in the gap the
/// value is dead, and a value computed from it there may take its register.
extension CodegenFeatureTests {
    /// `if (x >> 16) x = (x & 0xffff) + (x >> 16);` — the checksum fold. `t = x & 0xffff`
    /// reads x for the last time before `x = t + h` writes it again: t takes x's register
    /// and the block computes in place, without a copy; the code folds as the IR does.
    @Test func aValueComputedInTheGapBeforeARedefinitionSharesTheRegister() throws {
        let x = VReg(0), h = VReg(2), t = VReg(3)
        let f = fn([
            Block(id: BlockID(0), instructions: [Instruction(.binary(.lshr, dst: h, lhs: x, rhs: .imm(16), width: .w64))],
                  terminator: .branch(.ne, lhs: h, rhs: .imm(0), width: .w64, then: BlockID(1), else: BlockID(2))),
            Block(id: BlockID(1), instructions: [
                Instruction(.binary(.and, dst: t, lhs: x, rhs: .imm(0xffff), width: .w64)),
                Instruction(.binary(.add, dst: x, lhs: t, rhs: .reg(h), width: .w64)),
            ], terminator: .jump(BlockID(2))),
            Block(id: BlockID(2), terminator: .ret(.reg(x))),
        ], params: 1)
        let (intervals, _) = liveIntervals(f)
        #expect(intervals[x]!.conflicts(with: intervals[t]!) == false, "x is dead between the and and the add")
        let ra = try RegisterAllocator.allocate(f)
        #expect(ra.assignment[t] == ra.assignment[x])
        let code = try Codegen.compile(f, options: CodegenOptions(cpu: 3)).instructions
        let copies = code.filter { $0.opcode == BPFInstruction.alu(.mov, true, dst: 0, src: 0).opcode }
        // `h = x >> 16` copies x first and the result goes to r0; the fold itself is
        // `x &= 0xffff; x += h`.
        #expect(copies.count == 2 && code.count == 7, "\(code.map(\.description))")
        for v: Int64 in [0x1234, 0x12_3456, 0xffff_ffff] {
            let folded = v >> 16 != 0 ? (v & 0xffff) + (v >> 16) : v
            #expect(try Interpreter.run(code, args: [v]) == folded)
        }
    }
}
