import Testing
import BPFIR
@testable import BPFCodegen

/// Stack colouring: slots share bytes only when they are never in use at the same time.
@Suite struct FrameLayoutTests {
    func fn(_ blocks: [Block], slots: Int, size: Int = 8) -> Function {
        Function(name: "f", section: "xdp", linkage: .global, parameters: [VReg(0)], blocks: blocks,
                 slots: (0..<slots).map { StackSlot(size: size, alignment: 8, name: "s\($0)") }, nextVReg: 64)
    }
    func store(_ s: Int, _ v: Int64 = 1) -> Instruction { Instruction(.store(base: .slot(s), offset: 0, value: .imm(v), width: .w64)) }
    func load(_ d: Int, _ s: Int) -> Instruction { Instruction(.load(dst: VReg(d), base: .slot(s), offset: 0, width: .w64, signed: false)) }
    func addr(_ d: Int, _ s: Int) -> Instruction { Instruction(.slotAddr(dst: VReg(d), slot: s, offset: 0)) }

    @Test func slotsUsedOneAfterTheOtherShare() {
        // s0 written and read, then s1 written and read: one place.
        let f = fn([Block(id: BlockID(0), instructions: [store(0), load(1, 0), store(1), load(2, 1)], terminator: .ret(.reg(VReg(2))))], slots: 2)
        let l = FrameLayout(f)
        #expect(l.offsets[0] == l.offsets[1] && l.size == 8)
    }

    /// A loop whose stretches each spill a value and reload it before the next: by spans
    /// (every one widened over the loop) 70 slots would need 560 bytes; where that does not
    /// fit, plain 8-byte slots share by liveness — one place for the values live one after
    /// another, a place of its own for the value live across the loop.
    @Test func plainSlotsShareByLivenessWhereSpansDoNotFit() {
        let n = 70
        var body: [Instruction] = []
        for k in 1...n { body += [store(k), load(k, k)] }
        body.append(load(n + 1, 0))
        let f = fn([
            Block(id: BlockID(0), instructions: [store(0, 7)], terminator: .jump(BlockID(1))),
            Block(id: BlockID(1), instructions: body,
                  terminator: .branch(.ne, lhs: VReg(0), rhs: .imm(0), width: .w64, then: BlockID(1), else: BlockID(2))),
            Block(id: BlockID(2), terminator: .ret(.reg(VReg(n + 1)))),
        ], slots: n + 1)
        let l = FrameLayout(f)
        #expect(l.size == 16, "\(l.size) \(l.offsets)")
        #expect(Set(l.offsets[1...n]).count == 1 && l.offsets[0] != l.offsets[1], "\(l.offsets)")
        // With the loop's first value still needed at its end, it keeps a place of its own.
        var g = f
        g.blocks[1].instructions.append(load(n + 2, 1))
        let m = FrameLayout(g)
        #expect(m.size == 24 && m.offsets[1] != m.offsets[2] && Set(m.offsets[2...n]).count == 1, "\(m.offsets)")
        // Small enough for spans, the layout stays the spans' (no change to what fits).
        let small = fn([Block(id: BlockID(0), instructions: [store(0), load(1, 0), store(1), load(2, 1)], terminator: .ret(.reg(VReg(2))))], slots: 2)
        #expect(FrameLayout(small).size == 8)
    }

    /// A loop laid out around code that is not in it (tracee: the header early, the latch
    /// last, the rest of the function between): every span in between is widened over the
    /// loop, so two 300-byte buffers used one after the other after the loop overlap by
    /// spans (600 bytes, over the limit). By the flow graph's regions, where each is in
    /// use, they do not: one place. A frame that fits keeps the spans' layout.
    @Test func slotsShareByRegionsWhereALoopWidensTheirSpans() {
        func around(_ size: Int) -> Function {
            var f = fn([
                Block(id: BlockID(0), terminator: .jump(BlockID(1))),
                Block(id: BlockID(1), terminator: .branch(.ne, lhs: VReg(0), rhs: .imm(0), width: .w64, then: BlockID(4), else: BlockID(2))),
                Block(id: BlockID(2), instructions: [store(0), load(1, 0)], terminator: .jump(BlockID(3))),
                Block(id: BlockID(3), instructions: [store(1), load(2, 1)], terminator: .ret(.reg(VReg(2)))),
                Block(id: BlockID(4), instructions: [Instruction(.binary(.sub, dst: VReg(0), lhs: VReg(0), rhs: .imm(1), width: .w64))],
                      terminator: .jump(BlockID(1))),
            ], slots: 2, size: size)
            f.nextVReg = 64
            return f
        }
        let l = FrameLayout(around(300))
        #expect(l.offsets[0] == l.offsets[1] && l.size == 304, "\(l.size) \(l.offsets)")
        let fits = FrameLayout(around(200))
        #expect(fits.offsets[0] != fits.offsets[1] && fits.size == 400, "\(fits.size) \(fits.offsets)")
    }

    @Test func overlappingSlotsDoNot() {
        let f = fn([Block(id: BlockID(0), instructions: [store(0), store(1), load(1, 0), load(2, 1)], terminator: .ret(.reg(VReg(2))))], slots: 2)
        let l = FrameLayout(f)
        #expect(l.offsets[0] != l.offsets[1] && l.size == 16)
    }

    /// The verifier remembers a store to the stack only at offsets from r10 that are
    /// multiples of 8: a 4-byte slot read back starts on such a boundary; one only written
    /// (a map key handed to a helper) packs at its own alignment.
    @Test func slotsReadBackStartOnEightByteBoundaries() {
        func small(_ n: Int) -> [StackSlot] { (0..<n).map { StackSlot(size: 4, alignment: 4, name: "s\($0)") } }
        func store32(_ s: Int) -> Instruction { Instruction(.store(base: .slot(s), offset: 0, value: .reg(VReg(0)), width: .w32)) }
        // s1 and s0 both in use (s1 first: it would take r10-4); only s1 is loaded.
        var f = Function(name: "f", section: "xdp", linkage: .global, parameters: [VReg(0)], blocks: [
            Block(id: BlockID(0), instructions: [store32(1), store32(0), addr(1, 0),
                                                 Instruction(.load(dst: VReg(2), base: .slot(1), offset: 0, width: .w32, signed: false)),
                                                 Instruction(.call(dst: nil, callee: .helper(1), args: OperandList([.reg(VReg(1)), .reg(VReg(2))])))],
                  terminator: .ret(.imm(0)))], slots: small(2), nextVReg: 64)
        var l = FrameLayout(f)
        #expect(l.offsets[1] % 8 == 0 && l.offsets[0] != l.offsets[1], "\(l.offsets)")
        // Neither loaded (both handed to a helper): packed into 8 bytes.
        f.blocks[0].instructions = [store32(1), store32(0), addr(1, 0), addr(2, 1),
                                    Instruction(.call(dst: nil, callee: .helper(1), args: OperandList([.reg(VReg(1)), .reg(VReg(2))])))]
        l = FrameLayout(f)
        #expect(l.size == 8 && l.offsets[0] != l.offsets[1], "\(l.offsets)")
    }

    /// An address in a register keeps its slot in use until the register's last use (a map
    /// key's address handed to a helper after the slot's own last store).
    @Test func addressesInRegistersExtendTheSpan() {
        let f = fn([Block(id: BlockID(0), instructions: [
            store(0), addr(1, 0), Instruction(.binary(.add, dst: VReg(2), lhs: VReg(1), rhs: .imm(0), width: .w64)),
            store(1), load(3, 1),
            Instruction(.load(dst: VReg(4), base: .reg(VReg(2)), offset: 0, width: .w64, signed: false)),
        ], terminator: .ret(.reg(VReg(4))))], slots: 2)
        let l = FrameLayout(f)
        #expect(l.offsets[0] != l.offsets[1])
    }

    /// A slot used at the top of a loop and another at its bottom are both in use on every
    /// iteration: block order alone would call them disjoint.
    @Test func loopsWidenSpans() {
        let f = fn([
            Block(id: BlockID(0), terminator: .jump(BlockID(1))),
            Block(id: BlockID(1), instructions: [store(0), load(1, 0)], terminator: .jump(BlockID(2))),
            Block(id: BlockID(2), instructions: [load(2, 1), store(1, 5)],
                  terminator: .branch(.eq, lhs: VReg(0), rhs: .imm(0), width: .w64, then: BlockID(1), else: BlockID(3))),
            Block(id: BlockID(3), terminator: .ret(.reg(VReg(2)))),
        ], slots: 2)
        let l = FrameLayout(f)
        #expect(l.offsets[0] != l.offsets[1], "s1 is read at the bottom before it is written again, while s0 was written above")
    }

    /// An address stored to memory may be used anywhere later; volatile slots are never shared.
    @Test func escapedAndVolatileSlotsKeepTheirPlace() {
        let escaped = fn([Block(id: BlockID(0), instructions: [
            addr(1, 0), Instruction(.store(base: .slot(2), offset: 0, value: .reg(VReg(1)), width: .w64)),
            store(1), load(3, 1),
        ], terminator: .ret(.reg(VReg(3))))], slots: 3)
        let l = FrameLayout(escaped)
        #expect(l.offsets[0] != l.offsets[1])
        var vol = fn([Block(id: BlockID(0), instructions: [store(0), load(1, 0), store(1), load(2, 1)], terminator: .ret(.reg(VReg(2))))], slots: 2)
        vol.slots[1].isVolatile = true
        #expect(FrameLayout(vol).size == 16)
    }

    /// A slot a helper fills (bpf_probe_read's destination) keeps bytes of its own while
    /// the frame fits: the verifier counts those bytes live back to their last 8-byte
    /// store, whatever the helper wrote, and would compare what another slot left there
    /// when pruning. When keeping them apart overflows the frame, they share as before.
    @Test func helperFilledSlotsKeepTheirOwnBytesWhileTheFrameFits() {
        func program(size: Int) -> Function {
            var f = fn([Block(id: BlockID(0), instructions: [
                store(0), load(1, 0),
                addr(2, 1), Instruction(.call(dst: nil, callee: .helper(113), args: [.reg(VReg(2)), .imm(8), .reg(VReg(0))])),
                load(3, 1),
            ], terminator: .ret(.reg(VReg(3))))], slots: 2)
            f.slots[0].size = size; f.slots[1].size = size
            return f
        }
        let apart = FrameLayout(program(size: 8))
        #expect(apart.offsets[0] != apart.offsets[1] && apart.size == 16)
        let shared = FrameLayout(program(size: 300))
        #expect(shared.offsets[0] == shared.offsets[1] && shared.size == 304)
    }

    /// Different sizes share one place as large as the largest.
    @Test func sharedPlaceFitsTheLargest() {
        var f = fn([Block(id: BlockID(0), instructions: [store(0), load(1, 0), store(1), load(2, 1)], terminator: .ret(.reg(VReg(2))))], slots: 2)
        f.slots[1].size = 40
        let l = FrameLayout(f)
        #expect(l.offsets[0] == l.offsets[1] && l.size == 40)
    }
}
