import Testing
import BPFIR
@testable import BPFCodegen

extension CodegenFeatureTests {
    /// A socket filter reads four packet bytes, calls a helper, uses the bytes often, and
    /// ends with one more packet load: the bytes and the socket buffer all live across the
    /// call, five values for r6-r9, so one goes to the stack. It is not the socket buffer
    /// (spilled, it would be reloaded into r6 for every packet load): every packet load
    /// reads it in r6. (A guard: in this shape the allocator's other rules already keep
    /// it there; the weight on its reads decides in longer programs such as Inspektor
    /// Gadget's trace_dns.)
    @Test func theSocketBufferOfPacketLoadsStaysInR6() throws {
        let skb = VReg(0), acc = VReg(20)
        var insts: [Instruction] = []
        for k in 0..<4 {
            insts.append(Instruction(.call(dst: VReg(10 + k), callee: .packetLoad(.w8), args: [.reg(skb), .imm(Int64(14 + k))])))
        }
        insts.append(Instruction(.call(dst: VReg(21), callee: .helper(5), args: [])))
        insts.append(Instruction(.mov(dst: acc, src: .reg(VReg(21)), width: .w64)))
        for _ in 0..<6 {
            for k in 0..<4 {
                insts.append(Instruction(.binary(.add, dst: acc, lhs: acc, rhs: .reg(VReg(10 + k)), width: .w64)))
                insts.append(Instruction(.binary(.mul, dst: acc, lhs: acc, rhs: .imm(3), width: .w64)))
            }
        }
        insts.append(Instruction(.call(dst: VReg(40), callee: .packetLoad(.w8), args: [.reg(skb), .imm(30)])))
        insts.append(Instruction(.binary(.add, dst: acc, lhs: acc, rhs: .reg(VReg(40)), width: .w64)))
        let f = fn([Block(id: BlockID(0), instructions: insts, terminator: .ret(.reg(acc)))], params: 1)
        let ra = try RegisterAllocator.allocate(f)
        #expect(!ra.spillSlots.isEmpty)
        let sources = ra.function.blocks[0].instructions.compactMap { i -> VReg? in
            if case .call(_, .packetLoad, let args) = i.inst, case .reg(let s)? = args.first { return s }
            return nil
        }
        #expect(sources.count == 5 && Set(sources).count == 1, "\(IRPrinter.print(Module(functions: [ra.function])))")
        #expect(sources.first.flatMap { ra.assignment[$0] } == Reg.r6)
    }
}
