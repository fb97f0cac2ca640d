import Testing
@testable import BPFIR
@testable import BPFCodegen

/// StoreWidening: the byte stores of a packed member become one store where the address
/// is known to be aligned.
extension OptimizerPassTests {
    func widths(_ f: Function) -> [Int] {
        f.blocks.flatMap { b in b.instructions.compactMap { i -> Int? in
            if case .store(_, _, _, let w) = i.inst { return w.bytes }; return nil
        } }
    }

    /// `v` stored a byte at a time at offsets 2...5 of an 8-aligned slot, then four
    /// constant bytes at 6...9: offset 2 is 2-aligned, so two 16-bit stores of `v` and
    /// `v >> 16`, then 16-bit constants at 6 and 8 (the bytes in memory order). The
    /// function returns what it did.
    @Test func bytePiecesOfAValueBecomeAlignedStores() throws {
        let v = VReg(0)
        var insts: [Instruction] = [ins(.store(base: .slot(0), offset: 0, value: .imm(0), width: .w64)),
                                    ins(.store(base: .slot(0), offset: 8, value: .imm(0), width: .w64))]
        insts.append(ins(.store(base: .slot(0), offset: 2, value: .reg(v), width: .w8)))
        for k in 1..<4 {
            insts.append(ins(.binary(.lshr, dst: VReg(10 + k), lhs: v, rhs: .imm(Int64(8 * k)), width: .w64)))
            insts.append(ins(.store(base: .slot(0), offset: 2 + k, value: .reg(VReg(10 + k)), width: .w8)))
        }
        for (k, c) in [0x11, 0x22, 0x33, 0x44].enumerated() {
            insts.append(ins(.store(base: .slot(0), offset: 6 + k, value: .imm(Int64(c)), width: .w8)))
        }
        insts += [ins(.load(dst: VReg(20), base: .slot(0), offset: 0, width: .w64, signed: false)),
                  ins(.load(dst: VReg(21), base: .slot(0), offset: 8, width: .w64, signed: false)),
                  ins(.binary(.xor, dst: VReg(22), lhs: VReg(20), rhs: .reg(VReg(21)), width: .w64))]
        let f = fn([Block(id: BlockID(0), instructions: insts, terminator: .ret(.reg(VReg(22))))],
                   slots: [StackSlot(size: 16, alignment: 8, name: "rec")])
        let g = StoreWidening.run(f)
        #expect(widths(g) == [8, 8, 2, 2, 2, 2], "\(show(g))")
        for a: Int64 in [0x1234_5678, -1, 0xab] { #expect(try IRInterpreter.run(g, args: [a]) == IRInterpreter.run(f, args: [a])) }
    }

    /// A packed local (`struct { __u16 cookie, len; } __packed`, alignment 1) is written a
    /// byte at a time; its slot's alignment can be raised, so each member is one 16-bit
    /// store and the slot becomes 2-aligned. A volatile local's bytes stay as written.
    @Test func packedLocalsAreStoredWholeAndTheirSlotAligned() throws {
        let v = VReg(0)
        func program(volatile: Bool) -> Function {
            let insts: [Instruction] = [
                ins(.store(base: .slot(0), offset: 0, value: .imm(0xad), width: .w8)),
                ins(.store(base: .slot(0), offset: 1, value: .imm(0xde), width: .w8)),
                ins(.store(base: .slot(0), offset: 2, value: .reg(v), width: .w8)),
                ins(.binary(.lshr, dst: VReg(1), lhs: v, rhs: .imm(8), width: .w64)),
                ins(.store(base: .slot(0), offset: 3, value: .reg(VReg(1)), width: .w8)),
                ins(.load(dst: VReg(2), base: .slot(0), offset: 0, width: .w32, signed: false)),
            ]
            return fn([Block(id: BlockID(0), instructions: insts, terminator: .ret(.reg(VReg(2))))],
                      slots: [StackSlot(size: 4, alignment: 1, name: "meta", isVolatile: volatile)])
        }
        let f = program(volatile: false), g = StoreWidening.run(f)
        #expect(widths(g) == [2, 2], "\(show(g))")
        #expect(g.slots[0].alignment == 2)
        for a: Int64 in [0x1234, 0x400, 0] { #expect(try IRInterpreter.run(g, args: [a]) == IRInterpreter.run(f, args: [a])) }
        let h = StoreWidening.run(program(volatile: true))
        #expect(widths(h) == [1, 1, 1, 1])
        #expect(h.slots[0].alignment == 1)
    }

    /// Through a parameter the alignment is unknown: the bytes stay, unless the block
    /// reads 8 bytes through it (`p + 8` 8-aligned, so `p + 16` is 4-aligned); a store
    /// between the pieces, or a redefinition of the value, ends the run.
    @Test func pointersLearnAlignmentFromWiderAccessesInTheBlock() throws {
        let p = VReg(0), v = VReg(1)
        func program(wideLoad: Bool, interpose: Bool) -> Function {
            var insts: [Instruction] = []
            if wideLoad { insts.append(ins(.load(dst: VReg(2), base: .reg(p), offset: 8, width: .w64, signed: false))) }
            insts.append(ins(.store(base: .reg(p), offset: 16, value: .reg(v), width: .w8)))
            for k in 1..<4 {
                insts.append(ins(.binary(.lshr, dst: VReg(10 + k), lhs: v, rhs: .imm(Int64(8 * k)), width: .w64)))
                if interpose && k == 2 { insts.append(ins(.store(base: .reg(p), offset: 40, value: .imm(1), width: .w8))) }
                insts.append(ins(.store(base: .reg(p), offset: 16 + k, value: .reg(VReg(10 + k)), width: .w8)))
            }
            return fn([Block(id: BlockID(0), instructions: insts, terminator: .ret(.imm(0)))], params: 2)
        }
        #expect(widths(StoreWidening.run(program(wideLoad: false, interpose: false))) == [1, 1, 1, 1])
        #expect(widths(StoreWidening.run(program(wideLoad: true, interpose: false))) == [4])
        #expect(widths(StoreWidening.run(program(wideLoad: true, interpose: true))) == [2, 1, 1, 1],
                "the store at 40 splits the run: bytes 16-17 widen, 18-19 stay apart")
    }
}
