import Testing
@testable import BPFIR
@testable import BPFCodegen

/// FillLoops: a loop storing one value into consecutive elements of a stack array becomes
/// the stores of those bytes at the widest widths; StoreWidening does the same for a line
/// of stores of one register.
extension OptimizerPassTests {
    /// `for (i = 0; i < count; i++) a[i] = value` over `width`-byte elements of a 32-byte
    /// slot zeroed first, then the slot's four words xor-ed with `i` returned. `value`
    /// nil: the parameter itself, `mask`: the parameter `&` it, else the constant.
    func fillLoop(count: Int64, width: Width = .w8, value: Int64? = nil, mask: Int64? = nil,
                  volatile: Bool = false, load: Bool = false) -> Function {
        let i = VReg(1), v = VReg(2)
        var entry: [Instruction] = [ins(.store(base: .slot(0), offset: 0, value: .imm(0), width: .w64)),
                                    ins(.store(base: .slot(0), offset: 8, value: .imm(0), width: .w64)),
                                    ins(.store(base: .slot(0), offset: 16, value: .imm(0), width: .w64)),
                                    ins(.store(base: .slot(0), offset: 24, value: .imm(0), width: .w64)),
                                    ins(.mov(dst: i, src: .imm(0), width: .w64))]
        if let k = value { entry.append(ins(.mov(dst: v, src: .imm(k), width: .w64))) }
        else if let m = mask { entry.append(ins(.binary(.and, dst: v, lhs: VReg(0), rhs: .imm(m), width: .w64))) }
        else { entry.append(ins(.mov(dst: v, src: .reg(VReg(0)), width: .w64))) }
        var body: [Instruction] = [ins(.slotAddr(dst: VReg(3), slot: 0, offset: 0))]
        if width == .w8 {
            body.append(ins(.binary(.add, dst: VReg(4), lhs: VReg(3), rhs: .reg(i), width: .w64)))
        } else {
            body.append(ins(.binary(.shl, dst: VReg(5), lhs: i, rhs: .imm(Int64(width.bytes.trailingZeroBitCount)), width: .w64)))
            body.append(ins(.binary(.add, dst: VReg(4), lhs: VReg(3), rhs: .reg(VReg(5)), width: .w64)))
        }
        if load { body.append(ins(.load(dst: VReg(6), base: .slot(0), offset: 0, width: .w8, signed: false))) }
        body += [ins(.store(base: .reg(VReg(4)), offset: 0, value: .reg(v), width: width)),
                 ins(.binary(.add, dst: i, lhs: i, rhs: .imm(1), width: .w32))]
        var exit: [Instruction] = []
        for k in 0..<4 { exit.append(ins(.load(dst: VReg(10 + k), base: .slot(0), offset: 8 * k, width: .w64, signed: false))) }
        exit += [ins(.binary(.xor, dst: VReg(14), lhs: VReg(10), rhs: .reg(VReg(11)), width: .w64)),
                 ins(.binary(.mul, dst: VReg(15), lhs: VReg(12), rhs: .imm(3), width: .w64)),
                 ins(.binary(.xor, dst: VReg(16), lhs: VReg(14), rhs: .reg(VReg(15)), width: .w64)),
                 ins(.binary(.add, dst: VReg(17), lhs: VReg(13), rhs: .imm(5), width: .w64)),
                 ins(.binary(.xor, dst: VReg(18), lhs: VReg(16), rhs: .reg(VReg(17)), width: .w64)),
                 ins(.binary(.xor, dst: VReg(19), lhs: VReg(18), rhs: .reg(i), width: .w64))]
        return fn([
            Block(id: BlockID(0), instructions: entry, terminator: .jump(BlockID(1))),
            Block(id: BlockID(1), instructions: body, terminator: .branch(.ult, lhs: i, rhs: .imm(count), width: .w32, then: BlockID(1), else: BlockID(2))),
            Block(id: BlockID(2), instructions: exit, terminator: .ret(.reg(VReg(19)))),
        ], slots: [StackSlot(size: 32, alignment: 8, name: "a", isVolatile: volatile)])
    }

    static let fillInputs: [Int64] = [0, 1, 2, 0x5a, 0x1ff, 0xabcd, 0x1234_5678, -1, Int64.min]

    @Test func aLoopFillingAnArrayWithOneValueStoresItsBytesAtOnce() throws {
        // Bytes of a truth value (`& 1`): the value times 0x0101010101010101, two stores.
        let flags = fillLoop(count: 16, mask: 1)
        let g = FillLoops.run(flags)
        #expect(!hasLoop(g), "\(show(g))")
        #expect(widths(g) == [8, 8, 8, 8, 8, 8], "\(show(g))")     // the zeroing's four, then the fill's two
        for a in Self.fillInputs { #expect(try IRInterpreter.run(g, args: [a]) == IRInterpreter.run(flags, args: [a]), "a=\(a)") }
        // A value whose other bits may be set, 16-bit elements, 24 bytes: masked first.
        // A constant byte (0x5a) and a 32-bit constant: repeated in place.
        for f in [fillLoop(count: 12, width: .w16), fillLoop(count: 32, value: 0x5a), fillLoop(count: 7, width: .w32, value: -3),
                  fillLoop(count: 3, width: .w64)] {
            let g = FillLoops.run(f)
            #expect(!hasLoop(g), "\(show(g))")
            for a in Self.fillInputs { #expect(try IRInterpreter.run(g, args: [a]) == IRInterpreter.run(f, args: [a]), "a=\(a)\(show(g))") }
        }
    }

    @Test func loopsThatDoMoreThanFillStayLoops() {
        // A load in the loop, a volatile array, and a count beyond the array (the stores
        // would leave the slot).
        for f in [fillLoop(count: 16, mask: 1, load: true), fillLoop(count: 16, mask: 1, volatile: true), fillLoop(count: 40, mask: 1)] {
            #expect(FillLoops.run(f) == f)
        }
    }

    @Test func aLineOfStoresOfOneRegisterIsStoredWide() throws {
        // 16 stores of a 16-bit truth value: four 64-bit stores of its repetition.
        let v = VReg(1)
        var insts = [ins(.binary(.and, dst: v, lhs: VReg(0), rhs: .imm(1), width: .w64))]
        for k in 0..<16 { insts.append(ins(.store(base: .slot(0), offset: 2 * k, value: .reg(v), width: .w16))) }
        for k in 0..<4 { insts.append(ins(.load(dst: VReg(10 + k), base: .slot(0), offset: 8 * k, width: .w64, signed: false))) }
        insts += [ins(.binary(.xor, dst: VReg(14), lhs: VReg(10), rhs: .reg(VReg(13)), width: .w64)),
                  ins(.binary(.add, dst: VReg(15), lhs: VReg(14), rhs: .reg(VReg(11)), width: .w64)),
                  ins(.binary(.add, dst: VReg(16), lhs: VReg(15), rhs: .reg(VReg(12)), width: .w64))]
        let f = fn([Block(id: BlockID(0), instructions: insts, terminator: .ret(.reg(VReg(16))))],
                   slots: [StackSlot(size: 32, alignment: 8, name: "flags")])
        let g = StoreWidening.run(f)
        #expect(widths(g) == [8, 8, 8, 8], "\(show(g))")
        for a in Self.fillInputs { #expect(try IRInterpreter.run(g, args: [a]) == IRInterpreter.run(f, args: [a])) }
        // Four bytes of the parameter itself (its other bits masked off): one 32-bit store.
        var bytes: [Instruction] = (0..<4).map { ins(.store(base: .slot(0), offset: 4 + $0, value: .reg(VReg(0)), width: .w8)) }
        bytes.append(ins(.load(dst: VReg(2), base: .slot(0), offset: 0, width: .w64, signed: false)))
        let b = fn([Block(id: BlockID(0), instructions: [ins(.store(base: .slot(0), offset: 0, value: .imm(0), width: .w64))] + bytes,
                         terminator: .ret(.reg(VReg(2))))], slots: [StackSlot(size: 8, alignment: 8, name: "b")])
        let h = StoreWidening.run(b)
        #expect(widths(h) == [8, 4], "\(show(h))")
        for a in Self.fillInputs { #expect(try IRInterpreter.run(h, args: [a]) == IRInterpreter.run(b, args: [a])) }
        // Two 16-bit stores: a repetition costs more than it saves.
        let two = fn([Block(id: BlockID(0), instructions: [ins(.store(base: .slot(0), offset: 0, value: .reg(VReg(0)), width: .w16)),
                                                            ins(.store(base: .slot(0), offset: 2, value: .reg(VReg(0)), width: .w16))],
                           terminator: .ret(.imm(0)))], slots: [StackSlot(size: 8, alignment: 8, name: "c")])
        #expect(StoreWidening.run(two) == two)
    }
}
