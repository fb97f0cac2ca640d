import Testing
@testable import BPFIR
@testable import BPFCodegen

/// Threading through memory (StoredValueThreading) and the exclusive parameters it
/// relies on (ExclusiveParameters, MemoryKinds).
extension OptimizerPassTests {
    /// `parse(st, info)`: each arm stores the IP version through `info` (%1), then
    /// advances the cursor through `st` (%0); the merge (b3, nothing but a check) leads
    /// to b4, which stores another field of `info`, loads the version and tests it.
    /// `between` goes after the cursor store on the IPv4 arm.
    func versionParser(exclusive: Bool, between: [Instruction] = []) -> Function {
        let st = VReg(0), info = VReg(1), flag = VReg(2), len = VReg(3)
        let b0 = Block(id: BlockID(0), terminator: .branch(.eq, lhs: flag, rhs: .imm(0), width: .w64, then: BlockID(1), else: BlockID(2)))
        let b1 = Block(id: BlockID(1), instructions: [
            ins(.store(base: .reg(info), offset: 58, value: .imm(2), width: .w8)),
            ins(.store(base: .reg(st), offset: 16, value: .reg(len), width: .w64))] + between,
            terminator: .jump(BlockID(3)))
        let b2 = Block(id: BlockID(2), instructions: [
            ins(.store(base: .reg(info), offset: 58, value: .imm(10), width: .w8)),
            ins(.store(base: .reg(st), offset: 16, value: .imm(40), width: .w64))],
            terminator: .jump(BlockID(3)))
        let b3 = Block(id: BlockID(3), terminator: .branch(.sgt, lhs: len, rhs: .imm(100), width: .w64, then: BlockID(7), else: BlockID(4)))
        let b4 = Block(id: BlockID(4), instructions: [
            ins(.store(base: .reg(info), offset: 56, value: .imm(6), width: .w16)),
            ins(.load(dst: VReg(5), base: .reg(info), offset: 58, width: .w8, signed: false))],
            terminator: .branch(.eq, lhs: VReg(5), rhs: .imm(2), width: .w32, then: BlockID(5), else: BlockID(6)))
        let b5 = Block(id: BlockID(5), terminator: .ret(.imm(4)))
        let b6 = Block(id: BlockID(6), terminator: .ret(.imm(6)))
        let b7 = Block(id: BlockID(7), terminator: .ret(.imm(-1)))
        var f = fn([b0, b1, b2, b3, b4, b5, b6, b7], params: 4, slots: [StackSlot(size: 64, alignment: 8, name: "st"),
                                                                   StackSlot(size: 64, alignment: 8, name: "info")])
        f.section = ".text"
        f.linkage = .static
        if exclusive { f.exclusiveParameters = [st] }
        return f
    }

    func testsTheLoad(_ g: Function) -> Bool {
        g.blocks.contains { if case .branch(_, VReg(5), _, _, _, _) = $0.terminator { return true }; return false }
    }

    /// With `st` exclusive, its cursor store cannot change `info->version`: each arm goes
    /// straight to its own return, the merge and the check copied for it. The result is
    /// the same for every input (pointers are stack slots for the IR interpreter).
    @Test func storedConstantsDecideBranchesAfterMerges() throws {
        let f = versionParser(exclusive: true)
        let g = StoredValueThreading.run(f)
        #expect(!testsTheLoad(g), "the version test is decided on each path\(show(g))")
        let frame: Int64 = Int64(bitPattern: 0xffff_8000_0000_0000)
        for (flag, len): (Int64, Int64) in [(0, 10), (1, 10), (0, 200), (1, 200)] {
            let args = [frame, frame + (1 << 20), flag, len]
            #expect(try IRInterpreter.run(g, args: args) == IRInterpreter.run(f, args: args))
        }
    }

    /// What may write the version between the store and the test keeps the test: the
    /// cursor store when `st` is not known to be exclusive, a call, a store through
    /// another pointer, an overlapping store through `info`.
    @Test func storedConstantsAreForgottenWhenMemoryMayChange() throws {
        #expect(testsTheLoad(StoredValueThreading.run(versionParser(exclusive: false))))
        let writers: [Inst] = [
            .call(dst: nil, callee: .helper(5), args: []),
            .store(base: .reg(VReg(3)), offset: 0, value: .imm(0), width: .w64),
            .store(base: .reg(VReg(1)), offset: 56, value: .imm(0), width: .w32),
        ]
        for w in writers {
            let g = StoredValueThreading.run(versionParser(exclusive: true, between: [ins(w)]))
            #expect(testsTheLoad(g), "\(w)\(show(g))")
        }
        // A store through the exclusive parameter does not make it forget.
        let g = StoredValueThreading.run(versionParser(exclusive: true, between: [ins(.store(base: .reg(VReg(0)), offset: 0, value: .imm(0), width: .w64))]))
        #expect(!testsTheLoad(g), "\(show(g))")
    }

    /// `parse(&st, info)` from a program: the slot's address is exclusive in `parse`.
    /// Not when the caller also passes a pointer into the same slot, stores a frame
    /// address to memory, or the callee's address is taken; and `MemoryKinds` drops it
    /// when the callee lets the address escape.
    @Test func exclusiveParametersAreCallersPrivateSlots() throws {
        func module(callerExtra: [Instruction] = [], secondArg: Operand = .reg(VReg(1)), callee: Function? = nil) -> Module {
            let caller = Function(name: "prog", section: "tc", linkage: .global, parameters: [VReg(0), VReg(1)], blocks: [
                Block(id: BlockID(0), instructions: [
                    ins(.slotAddr(dst: VReg(5), slot: 0, offset: 0)),
                    ins(.slotAddr(dst: VReg(6), slot: 0, offset: 8))] + callerExtra + [
                    ins(.call(dst: VReg(7), callee: .function("f"), args: [.reg(VReg(5)), secondArg]))],
                    terminator: .ret(.reg(VReg(7))))],
                slots: [StackSlot(size: 32, alignment: 8, name: "st"), StackSlot(size: 8, alignment: 8, name: "other")], nextVReg: 16)
            var f = callee ?? versionParser(exclusive: false)
            f.name = "f"
            return Module(functions: [caller, f])
        }
        #expect(ExclusiveParameters.mark(module()).functions[1].exclusiveParameters == [VReg(0)])
        #expect(ExclusiveParameters.mark(module(secondArg: .reg(VReg(6)))).functions[1].exclusiveParameters.isEmpty)
        let otherSlot = ins(.slotAddr(dst: VReg(8), slot: 1, offset: 0))
        #expect(ExclusiveParameters.mark(module(callerExtra: [otherSlot], secondArg: .reg(VReg(8)))).functions[1].exclusiveParameters
                == [VReg(0), VReg(1)], "two different slots")
        let stored = ins(.store(base: .reg(VReg(1)), offset: 0, value: .reg(VReg(6)), width: .w64))
        #expect(ExclusiveParameters.mark(module(callerExtra: [stored])).functions[1].exclusiveParameters.isEmpty)
        let taken = ins(.symbolAddr(dst: VReg(9), symbol: SymbolRef(name: "f")))
        #expect(ExclusiveParameters.mark(module(callerExtra: [taken])).functions[1].exclusiveParameters.isEmpty)

        // Inside the callee: address arithmetic keeps it; storing, passing or returning it drops it.
        var f = versionParser(exclusive: true)
        #expect(MemoryKinds(f).exclusive.count == 1)
        f.blocks[1].instructions.append(ins(.binary(.add, dst: VReg(9), lhs: VReg(0), rhs: .imm(8), width: .w64)))
        f.blocks[1].instructions.append(ins(.load(dst: VReg(10), base: .reg(VReg(9)), offset: 0, width: .w64, signed: false)))
        #expect(MemoryKinds(f).exclusive.count == 1)
        for escape: Inst in [.store(base: .reg(VReg(1)), offset: 0, value: .reg(VReg(9)), width: .w64),
                             .call(dst: nil, callee: .helper(1), args: [.reg(VReg(9))]),
                             .mov(dst: VReg(9), src: .reg(VReg(3)), width: .w64)] {
            var g = f
            g.blocks[1].instructions.append(ins(escape))
            #expect(MemoryKinds(g).exclusive.isEmpty, "\(escape)")
        }
        var r = f
        r.blocks[7].terminator = .ret(.reg(VReg(9)))
        #expect(MemoryKinds(r).exclusive.isEmpty, "returned")
    }
}
