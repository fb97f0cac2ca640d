import Testing
import BPFIR
@testable import BPFCodegen

/// Codegen.bypassing: blocks whose code is a lone jump are jumped over.
extension CodegenFeatureTests {
    /// b1 (what remains of a block whose copies the registers made unnecessary) only
    /// jumps to b3 and is laid out before b2: its code would be one `goto`. The branch
    /// into it goes to b3 instead and the block goes (the verifier refuses code nothing
    /// reaches); both paths still return what they did.
    @Test func blocksLeftWithOnlyAJumpAreJumpedOver() throws {
        let x = VReg(0), y = VReg(1)
        let f = fn([
            Block(id: BlockID(0), instructions: [Instruction(.binary(.add, dst: y, lhs: x, rhs: .imm(3), width: .w64))],
                  terminator: .branch(.eq, lhs: x, rhs: .imm(7), width: .w64, then: BlockID(1), else: BlockID(2))),
            Block(id: BlockID(1), instructions: [], terminator: .jump(BlockID(3))),
            Block(id: BlockID(2), instructions: [Instruction(.binary(.mul, dst: y, lhs: y, rhs: .imm(5), width: .w64))],
                  terminator: .jump(BlockID(3))),
            Block(id: BlockID(3), instructions: [], terminator: .ret(.reg(y))),
        ], params: 1)
        let c = try Codegen.compile(f, options: CodegenOptions(cpu: 3))
        let code = c.instructions
        // b0 branches to b3 itself and falls into b2, which falls into b3: no `goto` at all.
        #expect(!code.contains { $0.opcode == BPFInstruction.ja(off: 0).opcode }, "\(code.map(\.description))")
        #expect(try Interpreter.run(code, args: [7]) == 10)
        #expect(try Interpreter.run(code, args: [1]) == 20)
        let bypassed = Codegen.bypassing([BlockID(1): BlockID(3)], in: f)
        #expect(bypassed?.blocks.map(\.id) == [BlockID(0), BlockID(2), BlockID(3)])
        #expect(bypassed?.blocks[0].terminator == .branch(.eq, lhs: x, rhs: .imm(7), width: .w64, then: BlockID(3), else: BlockID(2)))
        // A loop of jumps (a block jumping to itself) stays.
        #expect(Codegen.bypassing([BlockID(1): BlockID(1)], in: f) == nil)
    }
}

/// Emitter: a block whose code vanished (its copies were coalesced) is jumped over, so
/// the jump of the block before it is not left as a jump over nothing.
extension CodegenFeatureTests {
    /// `if (x == 53) f(); return 2;` with the empty else arm laid out between the call
    /// and the return: no `goto +0` after the call.
    @Test func noJumpOverABlockWithoutCode() throws {
        let x = VReg(0), y = VReg(1)
        let f = fn([
            Block(id: BlockID(0), terminator: .branch(.eq, lhs: x, rhs: .imm(53), width: .w64, then: BlockID(1), else: BlockID(2))),
            Block(id: BlockID(1), instructions: [Instruction(.call(dst: nil, callee: .helper(7), args: []))], terminator: .jump(BlockID(3))),
            Block(id: BlockID(2), instructions: [Instruction(.mov(dst: y, src: .reg(x), width: .w64))], terminator: .jump(BlockID(3))),
            Block(id: BlockID(3), terminator: .ret(.imm(2))),
        ], params: 1)
        let code = try Codegen.compile(f, options: CodegenOptions(cpu: 3)).instructions
        #expect(!code.contains { $0.opcode == 0x05 && $0.offset == 0 }, "\(code.map(\.description))")
        for a: Int64 in [53, 0] { #expect(try Interpreter.run(code, args: [a]) == 2) }
    }
}
