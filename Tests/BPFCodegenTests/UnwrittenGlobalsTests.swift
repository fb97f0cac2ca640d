import Testing
import BPFIR

/// UnwrittenGlobals: which globals every function only loads from.
extension OptimizerPassTests {
    /// `g`'s address, and an address computed from it in a later block (a loop's), end in
    /// loads only: `g` stays a candidate. Each other use of an address computed from it
    /// (stored through, stored as a value, passed to a call, an atomic operation's base,
    /// returned) writes it or lets it escape, and removes it; the other candidate, only
    /// loaded, stays.
    @Test func onlyLoadedGlobalsAreThoseWhoseAddressesEndInLoads() throws {
        let sym = { (name: String) in Instruction(.symbolAddr(dst: VReg(1), symbol: SymbolRef(name: name, offset: 0))) }
        func program(_ use: Inst?, returnsAddress: Bool = false) -> Function {
            var entry: [Instruction] = [
                sym("g"),
                ins(.load(dst: VReg(2), base: .reg(VReg(1)), offset: 4, width: .w32, signed: false)),
                ins(.symbolAddr(dst: VReg(9), symbol: SymbolRef(name: "h", offset: 0))),
                ins(.load(dst: VReg(10), base: .reg(VReg(9)), offset: 0, width: .w64, signed: false)),
            ]
            if let u = use { entry.append(ins(u)) }
            let b0 = Block(id: BlockID(0), instructions: entry, terminator: .jump(BlockID(1)))
            // The address arithmetic comes after its use in block order (a loop's back edge).
            let b1 = Block(id: BlockID(1), instructions: [
                ins(.load(dst: VReg(4), base: .reg(VReg(3)), offset: 0, width: .w8, signed: false)),
                ins(.binary(.add, dst: VReg(3), lhs: VReg(1), rhs: .reg(VReg(2)), width: .w64)),
            ], terminator: .ret(returnsAddress ? .reg(VReg(3)) : .imm(0)))
            return fn([b0, b1])
        }
        let both: Set<String> = ["g", "h"]
        #expect(UnwrittenGlobals.onlyLoaded(both, in: [program(nil)]) == both)
        let escapes: [(String, Inst)] = [
            ("store through", .store(base: .reg(VReg(3)), offset: 0, value: .imm(1), width: .w8)),
            ("stored", .store(base: .slot(0), offset: 0, value: .reg(VReg(3)), width: .w64)),
            ("passed", .call(dst: nil, callee: .helper(113), args: [.reg(VReg(3)), .imm(4), .reg(VReg(0))])),
            ("atomic", .atomic(.add, base: .reg(VReg(3)), offset: 0, value: VReg(2), width: .w32, fetch: nil)),
        ]
        for (what, use) in escapes {
            #expect(UnwrittenGlobals.onlyLoaded(both, in: [program(nil), program(use)]) == ["h"], "\(what)")
        }
        #expect(UnwrittenGlobals.onlyLoaded(both, in: [program(nil, returnsAddress: true)]) == ["h"])
    }

    /// Writes through the address plus constants (stores, atomics, compare-and-exchange)
    /// are recorded by the bytes they touch; the object stays a candidate, and loads of
    /// its other bytes read the initializer. Through a register defined twice (a cursor)
    /// the offset is not known: the object goes.
    @Test func writesAtKnownOffsetsLeaveTheOtherBytesFixed() throws {
        let g = SymbolRef(name: "g", offset: 0)
        let f = fn([block([
            .symbolAddr(dst: VReg(1), symbol: g),
            .store(base: .reg(VReg(1)), offset: 4, value: .reg(VReg(0)), width: .w32),
            .binary(.add, dst: VReg(2), lhs: VReg(1), rhs: .imm(8), width: .w64),
            .atomic(.add, base: .reg(VReg(2)), offset: 2, value: VReg(0), width: .w16, fetch: nil),
            .mov(dst: VReg(3), src: .reg(VReg(0)), width: .w64),
            .cmpxchg(dst: VReg(4), base: .reg(VReg(1)), offset: 12, expected: VReg(3), new: VReg(0), width: .w8),
            .load(dst: VReg(5), base: .reg(VReg(1)), offset: 0, width: .w32, signed: false),
        ], returning: VReg(5))])
        #expect(UnwrittenGlobals.writtenBytes(["g"], in: [f]) == ["g": [4..<8, 10..<12, 12..<13]])
        #expect(UnwrittenGlobals.onlyLoaded(["g"], in: [f]).isEmpty)

        var cursor = f
        cursor.blocks[0].instructions.insert(ins(.binary(.add, dst: VReg(2), lhs: VReg(2), rhs: .imm(1), width: .w64)), at: 3)
        #expect(UnwrittenGlobals.writtenBytes(["g"], in: [cursor]).isEmpty)

        // What the optimizer's memory gives: bytes 0-3 are the data's, 4-7 written.
        let memory = ReadOnlyMemory(data: ["g": [UInt8](repeating: 7, count: 16)], written: ["g": [4..<8]])
        #expect(memory.read("g", at: 0, width: .w32, signed: false, bigEndian: false) == .value(0x0707_0707))
        #expect(memory.read("g", at: 2, width: .w32, signed: false, bigEndian: false) == nil)
        #expect(memory.read("g", at: 8, width: .w64, signed: false, bigEndian: false) != nil)
        #expect(memory.uniform["g"] == nil)
        let h = ReadOnlyLoads.run(f, memory: memory)
        #expect(h.blocks[0].instructions.last?.inst == .mov(dst: VReg(5), src: .imm(0x0707_0707), width: .w64), "\(show(h))")
    }
}

extension OptimizerPassTests {
    /// A write at an index `ValueBounds` bounds (`g.f3[i & 7]` of `u16`s at offset 8)
    /// writes every byte the index may reach, each with a value not known; the object stays
    /// a candidate and its other bytes keep the initializer. An index with no bound, or one
    /// spanning more than `IndexedAddresses.maxSpan` bytes, removes it.
    @Test func writesAtBoundedIndicesWriteTheBytesTheIndexMayReach() throws {
        let g = SymbolRef(name: "g", offset: 0)
        func program(mask: Int64) -> Function {
            fn([block([
                .symbolAddr(dst: VReg(1), symbol: g),
                .load(dst: VReg(2), base: .reg(VReg(0)), offset: 0, width: .w32, signed: false),
                .binary(.and, dst: VReg(3), lhs: VReg(2), rhs: .imm(mask), width: .w64),
                .binary(.shl, dst: VReg(4), lhs: VReg(3), rhs: .imm(1), width: .w64),
                .binary(.add, dst: VReg(5), lhs: VReg(4), rhs: .reg(VReg(1)), width: .w64),
                .store(base: .reg(VReg(5)), offset: 8, value: .imm(3), width: .w16),
                .load(dst: VReg(6), base: .reg(VReg(1)), offset: 24, width: .w16, signed: false),
            ], returning: VReg(6))])
        }
        let bounded = UnwrittenGlobals.writes(["g"], in: [program(mask: 7)], bigEndian: false)
        #expect(bounded["g"]?.ranges == [8..<24])
        #expect(bounded["g"]?.constants.isEmpty == true, "the value is not known at any one byte")
        let memory = ReadOnlyMemory(data: ["g": [UInt8](repeating: 0, count: 28)], written: ["g": bounded["g"]!.ranges])
        let folded = ReadOnlyLoads.run(program(mask: 7), memory: memory)
        #expect(folded.blocks[0].instructions.last?.inst == .mov(dst: VReg(6), src: .imm(0), width: .w64), "\(show(folded))")

        #expect(UnwrittenGlobals.writes(["g"], in: [program(mask: 0xffff)], bigEndian: false).isEmpty, "a span past the limit")
        var unbounded = program(mask: 7)
        unbounded.blocks[0].instructions.remove(at: 2)
        unbounded.blocks[0].instructions.insert(ins(.mov(dst: VReg(3), src: .reg(VReg(0)), width: .w64)), at: 2)
        #expect(UnwrittenGlobals.writes(["g"], in: [unbounded], bigEndian: false).isEmpty, "an index with no bound")
    }
}
