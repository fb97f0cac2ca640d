import Testing
@testable import BPFIR

/// MemoryCalls: a memcpy, memmove or memset whose size folding made a constant becomes
/// loads and stores; one whose size is not a constant stays, and codegen names it.
extension OptimizerPassTests {
    /// Slot 0 holds the bytes 1...16; `kind` with the size in v3 (set once to `size`, or
    /// also to 2 on a second path when `twoSizes`), from slot 0 + `from` to slot 0 + `to`
    /// (a fill of byte 0xab at `to` for `.set`); returns the 16 bytes after it, folded.
    func memoryCallFunction(_ kind: MemoryBuiltin.Kind, size: Int64, from: Int = 0, to: Int = 0, twoSizes: Bool = false,
                            result: Bool = false) -> Function {
        var first: [Instruction] = []
        for k in 0..<2 {
            first.append(ins(.loadImm64(dst: VReg(20 + k), value: Int64(bitPattern: 0x0807_0605_0403_0201 &+ UInt64(k) &* 0x0808_0808_0808_0808))))
            first.append(ins(.store(base: .slot(0), offset: 8 * k, value: .reg(VReg(20 + k)), width: .w64)))
        }
        first += [ins(.slotAddr(dst: VReg(1), slot: 0, offset: to)), ins(.slotAddr(dst: VReg(2), slot: 0, offset: from)),
                  ins(.mov(dst: VReg(3), src: .imm(size), width: .w64))]
        let source: Operand = kind == .set ? .imm(0xab) : .reg(VReg(2))
        let call = ins(.call(dst: result ? VReg(4) : nil, callee: .memoryBuiltin(MemoryBuiltin(kind, alignment: 1)),
                             args: [.reg(VReg(1)), source, .reg(VReg(3))]))
        var last: [Instruction] = [call]
        // h = h * 257 + byte, over the 16 bytes (and the value returned, minus the destination).
        last.append(ins(.mov(dst: VReg(30), src: .imm(0), width: .w64)))
        for i in 0..<16 {
            last.append(ins(.load(dst: VReg(31 + 2 * i), base: .slot(0), offset: i, width: .w8, signed: false)))
            last.append(ins(.binary(.mul, dst: VReg(30), lhs: VReg(30), rhs: .imm(257), width: .w64)))
            last.append(ins(.binary(.add, dst: VReg(30), lhs: VReg(30), rhs: .reg(VReg(31 + 2 * i)), width: .w64)))
        }
        if result {
            last.append(ins(.binary(.sub, dst: VReg(5), lhs: VReg(4), rhs: .reg(VReg(1)), width: .w64)))
            last.append(ins(.binary(.add, dst: VReg(30), lhs: VReg(30), rhs: .reg(VReg(5)), width: .w64)))
        }
        let slots = [StackSlot(size: 32, alignment: 8, name: "buf")]
        guard twoSizes else {
            return fn([Block(id: BlockID(0), instructions: first + last, terminator: .ret(.reg(VReg(30))))], slots: slots, next: 100)
        }
        return fn([Block(id: BlockID(0), instructions: first, terminator: .branch(.eq, lhs: VReg(0), rhs: .imm(0), width: .w64, then: BlockID(1), else: BlockID(2))),
                   Block(id: BlockID(1), instructions: [ins(.mov(dst: VReg(3), src: .imm(2), width: .w64))], terminator: .jump(BlockID(2))),
                   Block(id: BlockID(2), instructions: last, terminator: .ret(.reg(VReg(30))))], slots: slots, next: 100)
    }

    /// What the 16 bytes fold to after `kind` on the bytes 1...16 as C's builtin does it.
    func expectedMemoryCall(_ kind: MemoryBuiltin.Kind, size: Int, from: Int, to: Int) -> Int64 {
        var bytes = (1...32).map { UInt8($0 <= 16 ? $0 : 0) }
        switch kind {
        case .copy, .move: let moved = Array(bytes[from..<from + size]); bytes.replaceSubrange(to..<to + size, with: moved)
        case .set: for i in to..<to + size { bytes[i] = 0xab }
        }
        return bytes[0..<16].reduce(Int64(0)) { $0 &* 257 &+ Int64($1) }
    }

    func memoryCalls(_ f: Function) -> Int {
        f.blocks.reduce(0) { $0 + $1.instructions.filter { MemoryCalls.isMemoryCall($0.inst) }.count }
    }

    @Test func aMemoryCallOfAFoldedSizeIsExpanded() throws {
        for (kind, size, from, to) in [(MemoryBuiltin.Kind.copy, Int64(7), 0, 8), (.copy, 16, 0, 16), (.move, 9, 0, 3), (.move, 9, 4, 1),
                                       (.set, 11, 0, 2), (.set, 0, 0, 5), (.copy, 1, 15, 0)] {
            let f = memoryCallFunction(kind, size: size, from: from, to: to, result: true)
            let g = MemoryCalls.expand(f)
            #expect(memoryCalls(g) == 0, "\(show(g))")
            #expect(try IRInterpreter.run(g, args: [0]) == expectedMemoryCall(kind, size: Int(size), from: from, to: to), "\(kind) \(size)")
            #expect(MemoryCalls.unexpanded(in: g) == nil)
        }
    }

    @Test func aMemoryCallOfAnUnknownOrHugeSizeStaysAndIsNamed() throws {
        // Two sizes on two paths: not a constant; the call stays, and codegen refuses it.
        let f = memoryCallFunction(.copy, size: 8, twoSizes: true)
        #expect(MemoryCalls.expand(f) == f)
        #expect(MemoryCalls.unexpanded(in: f)?.message == "'__builtin_memcpy' needs a constant size")
        // A constant beyond what is expanded inline: refused with its size.
        let g = memoryCallFunction(.set, size: 5000)
        #expect(MemoryCalls.expand(g) == g)
        #expect(MemoryCalls.unexpanded(in: g)?.message.hasPrefix("'__builtin_memset' of 5000 bytes") == true)
    }
}
