import Testing
@testable import BPFIR
@testable import BPFCodegen

/// DeadStoreElimination: stores to stack slots nothing reads afterwards, across blocks.
extension OptimizerPassTests {
    func store(_ s: Int, _ off: Int, _ v: Int64, _ w: Width = .w64) -> Instruction {
        Instruction(.store(base: .slot(s), offset: off, value: .imm(v), width: w))
    }
    func storeCount(_ f: Function, slot: Int) -> Int {
        f.blocks.reduce(0) { n, b in
            n + b.instructions.filter { if case .store(.slot(slot), _, _, _) = $0.inst { return true }; return false }.count
        }
    }

    /// Slot 0 (a buffer a helper filled, its address taken) is stored to after the helper
    /// and then only slot 1's address reaches a call: the stores to slot 0 are dead; the
    /// key stored to slot 1 is read by the lookup and stays. Given slot 0's address
    /// instead, the call reads the stores, and so it does when a frame address was
    /// stored to memory (a helper could follow it).
    @Test func storesNothingReadsAfterwardsGo() throws {
        func program(lookupSlot: Int, storeAddress: Bool) -> Function {
            var entry: [Instruction] = [
                ins(.slotAddr(dst: VReg(1), slot: 0, offset: 0)),
                ins(.call(dst: VReg(2), callee: .helper(26), args: [.reg(VReg(0)), .imm(0), .reg(VReg(1)), .imm(16)])),
                store(0, 0, 7), store(0, 8, 9, .w16),
                store(1, 0, 3, .w32),
                ins(.slotAddr(dst: VReg(3), slot: lookupSlot, offset: 0)),
                ins(.symbolAddr(dst: VReg(4), symbol: SymbolRef(name: "m", offset: 0))),
            ]
            if storeAddress { entry.append(ins(.store(base: .slot(1), offset: 8, value: .reg(VReg(1)), width: .w64))) }
            entry.append(ins(.call(dst: VReg(5), callee: .helper(1), args: [.reg(VReg(4)), .reg(VReg(3))])))
            let b0 = Block(id: BlockID(0), instructions: entry, terminator: .ret(.reg(VReg(5))))
            return fn([b0], slots: [StackSlot(size: 16, alignment: 8, name: "buf"), StackSlot(size: 16, alignment: 8, name: "key")])
        }
        let g = DeadStoreElimination.run(program(lookupSlot: 1, storeAddress: false))
        #expect(storeCount(g, slot: 0) == 0, "\(show(g))")
        #expect(storeCount(g, slot: 1) == 1, "\(show(g))")
        #expect(storeCount(DeadStoreElimination.run(program(lookupSlot: 0, storeAddress: false)), slot: 0) == 2)
        #expect(storeCount(DeadStoreElimination.run(program(lookupSlot: 1, storeAddress: true)), slot: 0) == 2)
    }

    /// A pointer read by a CO-RE load out of a stack copy of a kernel object (the name of a
    /// copied qstr) is a kernel address, not a frame address: bpf_probe_read_str given it
    /// reads no slot, so a store to a slot whose address was taken, read by nothing after,
    /// goes. Once a frame address was stored to memory, a loaded pointer may be one, and
    /// the store stays.
    @Test func pointersLoadedFromKernelObjectCopiesReadNoSlot() throws {
        func program(storeAddress: Bool) -> Function {
            var entry: [Instruction] = [
                ins(.slotAddr(dst: VReg(1), slot: 0, offset: 0)),
                ins(.call(dst: nil, callee: .helper(113), args: [.reg(VReg(1)), .imm(16), .reg(VReg(0))])),
                ins(.slotAddr(dst: VReg(2), slot: 1, offset: 0)),
                ins(.call(dst: nil, callee: .helper(113), args: [.reg(VReg(2)), .imm(8), .reg(VReg(0))])),
                ins(.load(dst: VReg(3), base: .slot(1), offset: 0, width: .w64, signed: false)),
                store(1, 0, 5),
            ]
            if storeAddress { entry.append(ins(.store(base: .slot(2), offset: 0, value: .reg(VReg(2)), width: .w64))) }
            entry += [
                ins(.coreLoad(dst: VReg(4), base: VReg(1), offset: 8, width: .w64,
                              reloc: CoreReloc(typeName: "qstr", accessString: "0:1", kind: 0))),
                ins(.call(dst: VReg(5), callee: .helper(45), args: [.reg(VReg(0)), .imm(16), .reg(VReg(4))])),
            ]
            return fn([Block(id: BlockID(0), instructions: entry, terminator: .ret(.reg(VReg(3))))],
                      slots: [StackSlot(size: 16, alignment: 8, name: "name"), StackSlot(size: 8, alignment: 8, name: "x"),
                              StackSlot(size: 8, alignment: 8, name: "p")])
        }
        let g = DeadStoreElimination.run(program(storeAddress: false))
        #expect(storeCount(g, slot: 1) == 0, "\(show(g))")
        #expect(storeCount(DeadStoreElimination.run(program(storeAddress: true)), slot: 1) == 1)
    }

    /// bpf_probe_read_kernel fills its destination (with zeros on a fault), so stores to
    /// those bytes before it are dead; the _str form writes only up to the string's end,
    /// so they stay; a store to bytes beyond the size read stays.
    @Test func probeReadsOverwriteTheirDestination() throws {
        func program(helper: Int32, size: Int64) -> Function {
            let entry: [Instruction] = [
                store(0, 0, 7), store(0, 8, 9),
                ins(.slotAddr(dst: VReg(1), slot: 0, offset: 0)),
                ins(.call(dst: VReg(2), callee: .helper(helper), args: [.reg(VReg(1)), .imm(size), .reg(VReg(0))])),
                ins(.load(dst: VReg(3), base: .slot(0), offset: 0, width: .w64, signed: false)),
                ins(.load(dst: VReg(4), base: .slot(0), offset: 8, width: .w64, signed: false)),
                ins(.binary(.add, dst: VReg(5), lhs: VReg(3), rhs: .reg(VReg(4)), width: .w64)),
            ]
            return fn([Block(id: BlockID(0), instructions: entry, terminator: .ret(.reg(VReg(5))))],
                      slots: [StackSlot(size: 16, alignment: 8, name: "buf")])
        }
        #expect(storeCount(DeadStoreElimination.run(program(helper: 113, size: 16)), slot: 0) == 0)
        #expect(storeCount(DeadStoreElimination.run(program(helper: 113, size: 8)), slot: 0) == 1)
        #expect(storeCount(DeadStoreElimination.run(program(helper: 115, size: 16)), slot: 0) == 2)
    }

    /// Across blocks: a store read on one path stays; one overwritten whole on every path
    /// before any read goes; a partly overwritten one stays (its other bytes are read).
    /// The optimized function returns what the input does.
    @Test func storesLiveOnSomePathStay() throws {
        let flag = VReg(0)
        func program(overwriteWidth: Width, readOnElse: Bool) -> Function {
            let b0 = Block(id: BlockID(0), instructions: [store(0, 0, 0x1122_3344)],
                           terminator: .branch(.eq, lhs: flag, rhs: .imm(0), width: .w64, then: BlockID(1), else: BlockID(2)))
            let b1 = Block(id: BlockID(1), instructions: [store(0, 0, 5, overwriteWidth)], terminator: .jump(BlockID(3)))
            let b2 = Block(id: BlockID(2), instructions: readOnElse ? [] : [store(0, 0, 6)], terminator: .jump(BlockID(3)))
            let b3 = Block(id: BlockID(3), instructions: [ins(.load(dst: VReg(1), base: .slot(0), offset: 0, width: .w64, signed: false))],
                           terminator: .ret(.reg(VReg(1))))
            return fn([b0, b1, b2, b3], slots: [StackSlot(size: 8, alignment: 8, name: "x")])
        }
        let cases: [(Width, Bool, Int)] = [(.w64, false, 2), (.w64, true, 2), (.w32, false, 3)]
        for (width, readOnElse, kept) in cases {
            let f = program(overwriteWidth: width, readOnElse: readOnElse)
            let g = DeadStoreElimination.run(f)
            #expect(storeCount(g, slot: 0) == kept, "\(width) \(readOnElse)\(show(g))")
            for a: Int64 in [0, 1] { #expect(try IRInterpreter.run(g, args: [a]) == IRInterpreter.run(f, args: [a])) }
        }
    }

    /// Through a pointer into the slot (advanced in a loop): a load through it reads the
    /// slot, so the stores before the loop stay; a pointer into another slot does not.
    @Test func loadsThroughFramePointersReadTheirSlot() throws {
        func program(pointerSlot: Int) -> Function {
            let b0 = Block(id: BlockID(0), instructions: [
                store(0, 0, 1), store(0, 8, 2), store(1, 0, 4), store(1, 8, 8),
                ins(.slotAddr(dst: VReg(1), slot: pointerSlot, offset: 0)),
                ins(.slotAddr(dst: VReg(6), slot: 1 - pointerSlot, offset: 0)),
                ins(.mov(dst: VReg(2), src: .imm(0), width: .w64)),
                ins(.mov(dst: VReg(3), src: .imm(0), width: .w64)),
            ], terminator: .jump(BlockID(1)))
            let b1 = Block(id: BlockID(1), instructions: [
                ins(.load(dst: VReg(4), base: .reg(VReg(1)), offset: 0, width: .w64, signed: false)),
                ins(.binary(.add, dst: VReg(2), lhs: VReg(2), rhs: .reg(VReg(4)), width: .w64)),
                ins(.binary(.add, dst: VReg(1), lhs: VReg(1), rhs: .imm(8), width: .w64)),
                ins(.binary(.add, dst: VReg(3), lhs: VReg(3), rhs: .imm(1), width: .w64)),
            ], terminator: .branch(.ult, lhs: VReg(3), rhs: .imm(2), width: .w64, then: BlockID(1), else: BlockID(2)))
            let b2 = Block(id: BlockID(2), terminator: .ret(.reg(VReg(2))))
            return fn([b0, b1, b2], slots: [StackSlot(size: 16, alignment: 8, name: "a"), StackSlot(size: 16, alignment: 8, name: "b")])
        }
        for p in [0, 1] {
            let f = program(pointerSlot: p)
            let g = DeadStoreElimination.run(f)
            #expect(storeCount(g, slot: p) == 2 && storeCount(g, slot: 1 - p) == 0, "\(show(g))")
            #expect(try IRInterpreter.run(g, args: [0]) == IRInterpreter.run(f, args: [0]))
        }
    }
}
