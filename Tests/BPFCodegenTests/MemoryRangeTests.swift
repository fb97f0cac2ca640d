import Testing
@testable import BPFIR
@testable import BPFCodegen

/// Address ranges (`AddressRanges`): a store through `buf + (pos & mask)` leaves
/// `buf->pos` alone when the mask keeps it below; ValueNumbering then keeps the cursor in
/// a register and OverwrittenStores stores it once. Also ByteSwapIdioms and the frame
/// register set's treatment of narrow stores and bitwise arithmetic.
extension OptimizerPassTests {
    /// A block pushing two fields at `buf->pos` (offset 4096 of the value `%0`), with the
    /// index masked by `mask`, each as `buf->data[buf->pos & mask] = v; buf->pos += 1`:
    /// `pos` is loaded, the field stored, `pos` loaded again and stored plus one.
    func cursorPushes(mask: Int64, between: [Inst] = []) -> Function {
        let buf = VReg(0), posAddr = VReg(1)
        var insts: [Inst] = [.binary(.add, dst: posAddr, lhs: buf, rhs: .imm(4096), width: .w64)]
        var next = 2
        for value: Int64 in [7, 9] {
            let pos = VReg(next), idx = VReg(next + 1), at = VReg(next + 2), again = VReg(next + 3), moved = VReg(next + 4)
            next += 5
            insts += [.load(dst: pos, base: .reg(posAddr), offset: 0, width: .w64, signed: false),
                      .binary(.and, dst: idx, lhs: pos, rhs: .imm(mask), width: .w64),
                      .binary(.add, dst: at, lhs: buf, rhs: .reg(idx), width: .w64),
                      .store(base: .reg(at), offset: 0, value: .imm(value), width: .w8),
                      .load(dst: again, base: .reg(posAddr), offset: 0, width: .w64, signed: false),
                      .binary(.add, dst: moved, lhs: again, rhs: .imm(1), width: .w64),
                      .store(base: .reg(posAddr), offset: 0, value: .reg(moved), width: .w64)]
            if value == 7 { insts += between }
        }
        return fn([Block(id: BlockID(0), instructions: insts.map(ins), terminator: .ret(.imm(0)))], params: 1)
    }

    func loads(_ f: Function) -> Int {
        f.blocks[0].instructions.filter { if case .load = $0.inst { return true }; return false }.count
    }
    func storesThroughRegisters(_ f: Function, width: Width) -> Int {
        f.blocks[0].instructions.filter { if case .store(.reg, _, _, width) = $0.inst { return true }; return false }.count
    }

    @Test func cursorStaysInARegisterAcrossStoresBelowIt() throws {
        let g = DeadCodeElimination.run(ValueNumbering.run(cursorPushes(mask: 0xfff)))
        #expect(loads(g) == 1, "every later load of pos reads what is known\(show(g))")
        let h = OverwrittenStores.run(g)
        #expect(storesThroughRegisters(h, width: .w64) == 1, "only the last store of pos is left\(show(h))")
        #expect(storesThroughRegisters(h, width: .w8) == 2, "\(show(h))")
        // A mask that lets the index reach offset 4096 may overwrite pos: it is read again
        // after each field, and both stores of pos stay (the second reload reads the first).
        let wide = DeadCodeElimination.run(ValueNumbering.run(cursorPushes(mask: 0x1fff)))
        #expect(loads(wide) == 3, "\(show(wide))")
        #expect(storesThroughRegisters(OverwrittenStores.run(wide), width: .w64) == 2)
    }

    @Test func storesOverwrittenLaterInTheBlockGoUnlessSomethingMayReadThem() throws {
        // Forwarded cursor (one load), then what comes between the two stores of pos decides.
        func pushed(_ between: [Inst]) -> Function { ValueNumbering.run(cursorPushes(mask: 0xfff, between: between)) }
        #expect(storesThroughRegisters(OverwrittenStores.run(pushed([])), width: .w64) == 1)
        // A load through another pointer (a packet) may read pos; so may a call, and the
        // empty statement after a volatile store keeps what is before it.
        let other = Inst.load(dst: VReg(40), base: .reg(VReg(41)), offset: 0, width: .w32, signed: false)
        let call = Inst.call(dst: VReg(42), callee: .helper(5), args: [])
        let volatileEnd = Inst.inlineAsm(.volatileAccessEnd, inputs: [VReg(1)], outputs: [])
        for between in [[other], [call], [volatileEnd]] {
            let f = fn([Block(id: BlockID(0), instructions: pushed(between).blocks[0].instructions, terminator: .ret(.imm(0)))], params: 2)
            #expect(storesThroughRegisters(OverwrittenStores.run(f), width: .w64) == 2, "\(between)")
        }
        // A load of other bytes of the same value (below the mask's reach) reads nothing stored.
        let apart = Inst.load(dst: VReg(40), base: .reg(VReg(0)), offset: 4104, width: .w32, signed: false)
        #expect(storesThroughRegisters(OverwrittenStores.run(pushed([apart])), width: .w64) == 1)
        // Reading pos itself between keeps the first store.
        let same = Inst.load(dst: VReg(40), base: .reg(VReg(1)), offset: 0, width: .w64, signed: false)
        let f = fn([Block(id: BlockID(0), instructions: cursorPushes(mask: 0xfff, between: [same]).blocks[0].instructions,
                          terminator: .ret(.reg(VReg(40))))], params: 1)
        #expect(storesThroughRegisters(OverwrittenStores.run(f), width: .w64) == 2)
    }

    /// `g = a; if (x) <between>; g = b;` with `g` a global whose address each statement
    /// computes again (an `ld_imm64` each): the first store is overwritten on both paths.
    func globalStoredAroundBranch(between: [Inst]) -> Function {
        let g = SymbolRef(name: "g")
        return fn([
            Block(id: BlockID(0), instructions: [ins(.symbolAddr(dst: VReg(2), symbol: g)),
                                                 ins(.store(base: .reg(VReg(2)), offset: 8, value: .reg(VReg(0)), width: .w32))],
                  terminator: .branch(.ne, lhs: VReg(1), rhs: .imm(0), width: .w64, then: BlockID(1), else: BlockID(2))),
            Block(id: BlockID(1), instructions: between.map(ins), terminator: .jump(BlockID(2))),
            Block(id: BlockID(2), instructions: [ins(.symbolAddr(dst: VReg(3), symbol: g)),
                                                 ins(.store(base: .reg(VReg(3)), offset: 8, value: .reg(VReg(1)), width: .w32))],
                  terminator: .ret(.imm(0))),
        ], params: 2)
    }

    func storeCount(_ f: Function) -> Int {
        f.blocks.reduce(0) { n, b in n + b.instructions.filter { if case .store = $0.inst { return true }; return false }.count }
    }

    @Test func storeOverwrittenOnEveryPathGoesAcrossBlocks() {
        #expect(storeCount(OverwrittenStores.run(globalStoredAroundBranch(between: []))) == 1)
        // A load of another global on the way reads other bytes; a load of g's, or through
        // a pointer that may point anywhere, or a call, may read the stored bytes.
        let other = Inst.symbolAddr(dst: VReg(4), symbol: SymbolRef(name: "h"))
        let otherLoad = Inst.load(dst: VReg(5), base: .reg(VReg(4)), offset: 8, width: .w32, signed: false)
        #expect(storeCount(OverwrittenStores.run(globalStoredAroundBranch(between: [other, otherLoad]))) == 1)
        let same = Inst.symbolAddr(dst: VReg(4), symbol: SymbolRef(name: "g", offset: 8))
        let sameLoad = Inst.load(dst: VReg(5), base: .reg(VReg(4)), offset: 2, width: .w8, signed: false)
        #expect(storeCount(OverwrittenStores.run(globalStoredAroundBranch(between: [same, sameLoad]))) == 2)
        let sameApart = Inst.load(dst: VReg(5), base: .reg(VReg(4)), offset: 4, width: .w8, signed: false)
        #expect(storeCount(OverwrittenStores.run(globalStoredAroundBranch(between: [same, sameApart]))) == 1)
        let anywhere = Inst.load(dst: VReg(5), base: .reg(VReg(0)), offset: 0, width: .w8, signed: false)
        #expect(storeCount(OverwrittenStores.run(globalStoredAroundBranch(between: [anywhere]))) == 2)
        let call = Inst.call(dst: nil, callee: .helper(5), args: [])
        #expect(storeCount(OverwrittenStores.run(globalStoredAroundBranch(between: [call]))) == 2)
        // The later store on one path only (the other returns first): both stay.
        var f = globalStoredAroundBranch(between: [])
        f.blocks[1].terminator = .ret(.imm(1))
        #expect(storeCount(OverwrittenStores.run(f)) == 2)
    }

    @Test func addressRangesFollowOffsetsAndBoundedIndices() {
        // %1 = %0 + 16; %2 = load.w8; %3 = %0 + %2; %4 = %3 - 4; %5 = %6 + 1 (%6 written twice)
        // and %6 itself
        let b0 = Block(id: BlockID(0), instructions: [
            ins(.binary(.add, dst: VReg(1), lhs: VReg(0), rhs: .imm(16), width: .w64)),
            ins(.load(dst: VReg(2), base: .reg(VReg(1)), offset: 0, width: .w8, signed: false)),
            ins(.binary(.add, dst: VReg(3), lhs: VReg(0), rhs: .reg(VReg(2)), width: .w64)),
            ins(.binary(.sub, dst: VReg(4), lhs: VReg(3), rhs: .imm(4), width: .w64)),
            ins(.mov(dst: VReg(6), src: .reg(VReg(0)), width: .w64)),
            ins(.mov(dst: VReg(6), src: .reg(VReg(1)), width: .w64)),
            ins(.binary(.add, dst: VReg(5), lhs: VReg(6), rhs: .imm(1), width: .w64)),
        ], terminator: .ret(.imm(0)))
        let f = fn([b0], params: 1)
        var r = AddressRanges(f, defs: f.useDefCounts().defs)
        let r1 = r.range(of: VReg(1)), r4 = r.range(of: VReg(4)), r5 = r.range(of: VReg(5)), r6 = r.range(of: VReg(6))
        #expect(r6 == nil)
        #expect(r1 == AddressRanges.Range(root: .register(VReg(0)), lo: 16, hi: 16))
        #expect(r4 == AddressRanges.Range(root: .register(VReg(0)), lo: -4, hi: 251))
        #expect(r5 == AddressRanges.Range(root: .register(VReg(5)), lo: 0, hi: 0))   // from a register written twice: its own root
        let apart = r.disjoint(VReg(4), 0, 4, VReg(1), 256, 8)      // [-4, 255) and [272, 280)
        let meeting = r.disjoint(VReg(4), 0, 4, VReg(1), 230, 8)    // [246, 254) meets it
        let otherRoot = r.disjoint(VReg(4), 0, 4, VReg(2), 300, 8)
        #expect(apart && !meeting && !otherRoot)
    }

    @Test func byteSwapsWrittenWithShiftsBecomeOneInstruction() throws {
        // bswap16 of a 16-bit load, with the arithmetic shift a promoted `int` gets.
        let s16: [Inst] = [
            .load(dst: VReg(1), base: .slot(0), offset: 0, width: .w16, signed: false),
            .binary(.ashr, dst: VReg(2), lhs: VReg(1), rhs: .imm(8), width: .w32),
            .binary(.and, dst: VReg(3), lhs: VReg(2), rhs: .imm(0xff), width: .w32),
            .binary(.and, dst: VReg(4), lhs: VReg(1), rhs: .imm(0xff), width: .w32),
            .binary(.shl, dst: VReg(5), lhs: VReg(4), rhs: .imm(8), width: .w32),
            .binary(.or, dst: VReg(6), lhs: VReg(3), rhs: .reg(VReg(5)), width: .w32),
        ]
        // bswap32 of the parameter, glibc's four terms.
        let s32: [Inst] = [
            .binary(.and, dst: VReg(11), lhs: VReg(0), rhs: .imm(0xff00_0000), width: .w32),
            .binary(.lshr, dst: VReg(12), lhs: VReg(11), rhs: .imm(24), width: .w32),
            .binary(.and, dst: VReg(13), lhs: VReg(0), rhs: .imm(0xff_0000), width: .w32),
            .binary(.lshr, dst: VReg(14), lhs: VReg(13), rhs: .imm(8), width: .w32),
            .binary(.or, dst: VReg(15), lhs: VReg(12), rhs: .reg(VReg(14)), width: .w32),
            .binary(.and, dst: VReg(16), lhs: VReg(0), rhs: .imm(0xff00), width: .w32),
            .binary(.shl, dst: VReg(17), lhs: VReg(16), rhs: .imm(8), width: .w32),
            .binary(.or, dst: VReg(18), lhs: VReg(15), rhs: .reg(VReg(17)), width: .w32),
            .binary(.and, dst: VReg(19), lhs: VReg(0), rhs: .imm(0xff), width: .w32),
            .binary(.shl, dst: VReg(20), lhs: VReg(19), rhs: .imm(24), width: .w32),
            .binary(.or, dst: VReg(21), lhs: VReg(18), rhs: .reg(VReg(20)), width: .w32),
            .binary(.xor, dst: VReg(22), lhs: VReg(21), rhs: .reg(VReg(6)), width: .w64),
        ]
        let f = fn([Block(id: BlockID(0), instructions: [.store(base: .slot(0), offset: 0, value: .reg(VReg(0)), width: .w16)].map(ins)
                              + (s16 + s32).map(ins), terminator: .ret(.reg(VReg(22))))],
                   params: 1, slots: [StackSlot(size: 8, alignment: 8, name: "x")])
        let g = ByteSwapIdioms.run(f)
        let defs = Dictionary(uniqueKeysWithValues: g.blocks[0].instructions.compactMap { x in x.inst.singleDef.map { ($0, x.inst) } })
        #expect(defs[VReg(6)] == .bswap(dst: VReg(6), src: VReg(1), width: .w16), "\(show(g))")
        #expect(defs[VReg(21)] == .bswap(dst: VReg(21), src: VReg(0), width: .w32), "\(show(g))")
        for x: Int64 in [0, 0x1234, 0x1234_5678, -1, 0x0102_0304_0506_0708, Int64.min] {
            #expect(try IRInterpreter.run(g, args: [x]) == IRInterpreter.run(f, args: [x]))
        }
        // A mask that is not whole bytes, or two different sources, is no swap.
        var partial = s16
        partial[3] = .binary(.and, dst: VReg(4), lhs: VReg(1), rhs: .imm(0x7f), width: .w32)
        var mixed = s16
        mixed[3] = .binary(.and, dst: VReg(4), lhs: VReg(0), rhs: .imm(0xff), width: .w32)
        for insts in [partial, mixed] {
            let h = ByteSwapIdioms.run(fn([Block(id: BlockID(0), instructions: insts.map(ins), terminator: .ret(.reg(VReg(6))))],
                                          params: 1, slots: [StackSlot(size: 8, alignment: 8, name: "x")]))
            #expect(!h.blocks[0].instructions.contains { if case .bswap = $0.inst { return true }; return false }, "\(show(h))")
        }
    }

    /// `t = zext32(x); a = buf + (i & 0xff); *(u32 *)a = t`: the store takes x itself (the
    /// address computed between does not matter); not when x is written again before the
    /// store, nor when the store is wider than the extension.
    @Test func extensionsOnlyStoredNarrowlyAreDropped() throws {
        func program(rewrite: Bool, width: Width) -> Function {
            var insts: [Inst] = [
                .ext(dst: VReg(3), src: VReg(1), from: .w32, to: .w64, signed: false),
                .binary(.and, dst: VReg(4), lhs: VReg(2), rhs: .imm(0xff), width: .w64),
            ]
            if rewrite { insts.append(.binary(.add, dst: VReg(1), lhs: VReg(1), rhs: .imm(1), width: .w64)) }
            insts += [.slotAddr(dst: VReg(5), slot: 0, offset: 0),
                      .binary(.and, dst: VReg(6), lhs: VReg(4), rhs: .imm(7), width: .w64),
                      .binary(.add, dst: VReg(7), lhs: VReg(5), rhs: .reg(VReg(6)), width: .w64),
                      .store(base: .reg(VReg(7)), offset: 0, value: .reg(VReg(3)), width: width),
                      .load(dst: VReg(8), base: .slot(0), offset: 0, width: .w64, signed: false)]
            return fn([Block(id: BlockID(0), instructions: insts.map(ins), terminator: .ret(.reg(VReg(8))))],
                      params: 3, slots: [StackSlot(size: 16, alignment: 8, name: "buf")])
        }
        func folded(_ f: Function) -> Bool {
            !f.blocks[0].instructions.contains { if case .ext = $0.inst { return true }; return false }
        }
        let f = program(rewrite: false, width: .w32)
        let g = NarrowStoreFolding.run(f)
        #expect(folded(g), "\(show(g))")
        #expect(g.blocks[0].instructions.contains { $0.inst == .store(base: .reg(VReg(7)), offset: 0, value: .reg(VReg(1)), width: .w32) })
        #expect(!folded(NarrowStoreFolding.run(program(rewrite: true, width: .w32))))
        #expect(!folded(NarrowStoreFolding.run(program(rewrite: false, width: .w64))))
        for args: [Int64] in [[0, 0x1_2345_6789, 3], [0, -1, 0x1f]] {
            #expect(try IRInterpreter.run(g, args: args) == IRInterpreter.run(f, args: args))
        }
    }

    @Test func narrowStoresAndBitwiseResultsHoldNoFrameAddress() {
        // %1 = &slot; %2 = %1 & 0xfff (a number: the verifier refuses bitwise operations on
        // pointers); a 16-bit store of %1 keeps no frame address in memory, so the 64-bit
        // load %3 holds none either. A 64-bit store of %1 does make loads suspect.
        func frame(storeWidth: Width) -> RegSet {
            let b0 = Block(id: BlockID(0), instructions: [
                ins(.slotAddr(dst: VReg(1), slot: 0, offset: 0)),
                ins(.binary(.and, dst: VReg(2), lhs: VReg(1), rhs: .imm(0xfff), width: .w64)),
                ins(.store(base: .reg(VReg(0)), offset: 0, value: .reg(VReg(1)), width: storeWidth)),
                ins(.load(dst: VReg(3), base: .reg(VReg(0)), offset: 8, width: .w64, signed: false)),
            ], terminator: .ret(.imm(0)))
            return fn([b0], params: 1, slots: [StackSlot(size: 8, alignment: 8, name: "x")]).framePointerRegisters()
        }
        let narrow = frame(storeWidth: .w16)
        #expect(narrow.contains(VReg(1)) && !narrow.contains(VReg(2)) && !narrow.contains(VReg(3)))
        #expect(frame(storeWidth: .w64).contains(VReg(3)))
    }
}

/// ByteSwapIdioms.storedPieces: a value assembled from byte loads with shifts and `or`s,
/// stored a byte at a time (a packed struct's misaligned field copied), stores the loaded
/// bytes and the assembly goes; a byte that is not one register's low byte, or a value
/// also read elsewhere, is stored as it was.
extension OptimizerPassTests {
    /// Bytes 0..<4 of slot 0 loaded one by one into %10..%13, assembled into %23, stored
    /// one by one at bytes 4..<8 of the slot (`stored(k)`: the value stored at byte 4 + k),
    /// then the slot's eight bytes returned.
    private func packedCopy(_ stored: (Int) -> Inst, extra: [Inst] = []) -> Function {
        var insts: [Inst] = [.store(base: .slot(0), offset: 0, value: .reg(VReg(0)), width: .w64)]
        for k in 0..<4 { insts.append(.load(dst: VReg(10 + k), base: .slot(0), offset: k, width: .w8, signed: false)) }
        insts += [
            .binary(.shl, dst: VReg(14), lhs: VReg(11), rhs: .imm(8), width: .w64),
            .binary(.or, dst: VReg(20), lhs: VReg(10), rhs: .reg(VReg(14)), width: .w64),
            .binary(.shl, dst: VReg(15), lhs: VReg(12), rhs: .imm(16), width: .w64),
            .binary(.or, dst: VReg(21), lhs: VReg(20), rhs: .reg(VReg(15)), width: .w64),
            .binary(.shl, dst: VReg(16), lhs: VReg(13), rhs: .imm(24), width: .w64),
            .binary(.or, dst: VReg(23), lhs: VReg(21), rhs: .reg(VReg(16)), width: .w64),
        ]
        for k in 0..<4 {
            if k > 0 { insts.append(.binary(.lshr, dst: VReg(30 + k), lhs: VReg(23), rhs: .imm(Int64(8 * k)), width: .w64)) }
            insts.append(stored(k))
        }
        insts += extra + [.load(dst: VReg(40), base: .slot(0), offset: 0, width: .w64, signed: false)]
        return fn([block(insts, returning: VReg(40))], params: 1, slots: [StackSlot(size: 8, alignment: 8, name: "p")])
    }

    private func piece(_ k: Int) -> Inst {
        .store(base: .slot(0), offset: 4 + k, value: .reg(k == 0 ? VReg(23) : VReg(30 + k)), width: .w8)
    }

    @Test func storedBytesOfAnAssembledValueAreTheLoadedOnes() throws {
        let inputs: [Int64] = [0, 1, 0x1234_5678, -1, 0x0102_0304_0506_0708, Int64.min]
        let f = packedCopy(piece)
        let g = ByteSwapIdioms.storedPieces(f)
        let stored = g.blocks[0].instructions.compactMap { x -> VReg? in
            if case .store(.slot(0), let off, .reg(let v), .w8) = x.inst, off >= 4 { return v }; return nil
        }
        #expect(stored == [VReg(10), VReg(11), VReg(12), VReg(13)], "\(show(g))")
        #expect(!g.blocks[0].instructions.contains { if case .binary(.or, _, _, _, _) = $0.inst { return true }; return false }, "\(show(g))")
        for x in inputs { #expect(try IRInterpreter.run(g, args: [x]) == IRInterpreter.run(f, args: [x])) }

        // Stored as they were: 16 bits of the assembly (two sources), and any store when the
        // assembled value is also returned.
        let wide = packedCopy { k in k == 0 ? .store(base: .slot(0), offset: 4, value: .reg(VReg(23)), width: .w16) : self.piece(k) }
        let h = ByteSwapIdioms.storedPieces(wide)
        #expect(h.blocks[0].instructions.contains { $0.inst == .store(base: .slot(0), offset: 4, value: .reg(VReg(23)), width: .w16) }, "\(show(h))")
        for x in inputs { #expect(try IRInterpreter.run(h, args: [x]) == IRInterpreter.run(wide, args: [x])) }
        let alsoRead = packedCopy(piece, extra: [.store(base: .slot(0), offset: 0, value: .reg(VReg(23)), width: .w32)])
        let k = ByteSwapIdioms.storedPieces(alsoRead)
        #expect(k.blocks[0].instructions.contains { $0.inst == piece(0) }, "\(show(k))")
        for x in inputs { #expect(try IRInterpreter.run(k, args: [x]) == IRInterpreter.run(alsoRead, args: [x])) }
    }
}
