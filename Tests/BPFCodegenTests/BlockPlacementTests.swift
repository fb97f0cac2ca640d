import Testing
@testable import BPFIR

/// BlockPlacement: a branch falls through to its likely side.
extension OptimizerPassTests {
    /// `if (p == q) { r = 1; } else { r = 2; if (p > 9) r = 3; } return r + 4` in lowering's
    /// order: the rare equal side first.
    func pointerTest(markRare: Bool) -> Function {
        let r = VReg(3), s = VReg(4)
        var rare = Block(id: BlockID(1), instructions: [ins(.mov(dst: r, src: .imm(1), width: .w64))], terminator: .jump(BlockID(5)))
        rare.unlikely = markRare
        return fn([
            Block(id: BlockID(0), terminator: .branch(.eq, lhs: VReg(0), rhs: .reg(VReg(1)), width: .w64, then: BlockID(1), else: BlockID(2))),
            rare,
            Block(id: BlockID(2), instructions: [ins(.mov(dst: r, src: .imm(2), width: .w64))],
                  terminator: .branch(.ugt, lhs: VReg(0), rhs: .imm(9), width: .w64, then: BlockID(4), else: BlockID(5))),
            Block(id: BlockID(4), instructions: [ins(.mov(dst: r, src: .imm(3), width: .w64))], terminator: .jump(BlockID(5))),
            Block(id: BlockID(5), instructions: [ins(.binary(.add, dst: s, lhs: r, rhs: .imm(4), width: .w64))], terminator: .ret(.reg(s))),
        ], params: 2)
    }

    @Test func likelySideOfAPointerTestFallsThrough() throws {
        let f = pointerTest(markRare: true)
        let g = BlockPlacement.run(f)
        // The usual side and what falls through from it follow the test; the rare block
        // goes after them. The entry stays first; every block is kept once.
        #expect(g.blocks.map(\.id.id) == [0, 2, 4, 5, 1], "\(show(g))")
        #expect(Set(g.blocks.map(\.id)) == Set(f.blocks.map(\.id)))
        for (p, q): (Int64, Int64) in [(1, 1), (1, 2), (12, 12), (12, 3)] {
            #expect(try IRInterpreter.run(g, args: [p, q]) == IRInterpreter.run(f, args: [p, q]))
        }
        // Without a hint, lowering's order stays.
        let plain = pointerTest(markRare: false)
        #expect(BlockPlacement.run(plain) == plain)
    }
}

/// BlockPlacement: a loop's early exit on its counter falls through.
extension OptimizerPassTests {
    /// `off = 0; sum = 0; for (i = 0; i < 16; i++) { if (off + 4 > len) break; sum += off; off += step; } return sum`,
    /// `step` 4 (a counter) or the parameter `x` (not one).
    func countedEarlyExit(constantStep: Bool) -> Function {
        let len = VReg(0), x = VReg(1), off = VReg(2), sum = VReg(3), i = VReg(4), t = VReg(5)
        let step: [Instruction] = constantStep ? [ins(.mov(dst: off, src: .reg(t), width: .w64))]
                                               : [ins(.binary(.add, dst: off, lhs: off, rhs: .reg(x), width: .w64))]
        return fn([
            Block(id: BlockID(0), instructions: [ins(.mov(dst: off, src: .imm(0), width: .w64)), ins(.mov(dst: sum, src: .imm(0), width: .w64)),
                                                 ins(.mov(dst: i, src: .imm(0), width: .w64))], terminator: .jump(BlockID(1))),
            Block(id: BlockID(1), instructions: [ins(.binary(.add, dst: t, lhs: off, rhs: .imm(4), width: .w64))],
                  terminator: .branch(.ugt, lhs: t, rhs: .reg(len), width: .w64, then: BlockID(3), else: BlockID(2))),
            Block(id: BlockID(2), instructions: [ins(.binary(.add, dst: sum, lhs: sum, rhs: .reg(off), width: .w64))] + step
                    + [ins(.binary(.add, dst: i, lhs: i, rhs: .imm(1), width: .w64))],
                  terminator: .branch(.ult, lhs: i, rhs: .imm(16), width: .w64, then: BlockID(1), else: BlockID(3))),
            Block(id: BlockID(3), terminator: .ret(.reg(sum))),
        ], params: 2)
    }

    @Test func earlyExitOnALoopCounterFallsThrough() throws {
        let f = countedEarlyExit(constantStep: true)
        let g = BlockPlacement.run(f)
        // The exit follows the test that leaves on the counter; the body moves after it.
        #expect(g.blocks.map(\.id.id) == [0, 1, 3, 2], "\(show(g))")
        for (len, x): (Int64, Int64) in [(0, 0), (9, 0), (70, 0), (1000, 0)] {
            #expect(try IRInterpreter.run(g, args: [len, x]) == IRInterpreter.run(f, args: [len, x]))
        }
        // A register the loop steps by a variable amount is no counter: the order stays.
        let varying = countedEarlyExit(constantStep: false)
        #expect(BlockPlacement.run(varying) == varying)
    }
}

/// BlockPlacement: in a loop walked hundreds of times, a branch falls through to the side
/// that reaches the next round over fewer branches.
extension OptimizerPassTests {
    /// `s = 0; for (i = 0; i < rounds; i++) { if (x != 0) { if (y > 9) s += 1; s += 2; } } return s`
    /// (x = %0, y = %1), the body laid out first.
    func roundsWithASkip(_ rounds: Int64) -> Function {
        let x = VReg(0), y = VReg(1), s = VReg(2), i = VReg(3)
        return fn([
            Block(id: BlockID(0), instructions: [ins(.mov(dst: s, src: .imm(0), width: .w64)), ins(.mov(dst: i, src: .imm(0), width: .w64))],
                  terminator: .jump(BlockID(1))),
            Block(id: BlockID(1), terminator: .branch(.ne, lhs: x, rhs: .imm(0), width: .w64, then: BlockID(2), else: BlockID(5))),
            Block(id: BlockID(2), terminator: .branch(.ugt, lhs: y, rhs: .imm(9), width: .w64, then: BlockID(3), else: BlockID(4))),
            Block(id: BlockID(3), instructions: [ins(.binary(.add, dst: s, lhs: s, rhs: .imm(1), width: .w64))], terminator: .jump(BlockID(4))),
            Block(id: BlockID(4), instructions: [ins(.binary(.add, dst: s, lhs: s, rhs: .imm(2), width: .w64))], terminator: .jump(BlockID(5))),
            Block(id: BlockID(5), instructions: [ins(.binary(.add, dst: i, lhs: i, rhs: .imm(1), width: .w64))],
                  terminator: .branch(.ult, lhs: i, rhs: .imm(rounds), width: .w64, then: BlockID(1), else: BlockID(6))),
            Block(id: BlockID(6), terminator: .ret(.reg(s))),
        ], params: 2)
    }

    @Test func aLongLoopWalksItsShortestWayRoundFirst() throws {
        let f = roundsWithASkip(600)
        let g = BlockPlacement.run(f)
        // The skip to the latch (and what falls through from it) follows the test.
        #expect(g.blocks.map(\.id.id) == [0, 1, 5, 6, 2, 3, 4], "\(show(g))")
        for (x, y): (Int64, Int64) in [(0, 0), (1, 3), (1, 30)] {
            #expect(try IRInterpreter.run(g, args: [x, y]) == IRInterpreter.run(f, args: [x, y]))
        }
        // A loop of 60 rounds keeps lowering's order.
        let short = roundsWithASkip(60)
        #expect(BlockPlacement.run(short) == short)
    }
}

/// AddressReuse: a global's address computed again reads the dominating computation,
/// unless a call may come between.
extension OptimizerPassTests {
    func addressTwice(callBetween: Bool) -> Function {
        let a = VReg(2), x = VReg(3), b = VReg(4), y = VReg(5), s = VReg(6)
        let lim = SymbolRef(name: "lim")
        let between: [Instruction] = callBetween ? [ins(.call(dst: nil, callee: .helper(5), args: []))] : []
        return fn([
            Block(id: BlockID(0), instructions: [ins(.symbolAddr(dst: a, symbol: lim)),
                                                 ins(.load(dst: x, base: .reg(a), offset: 0, width: .w16, signed: false))],
                  terminator: .branch(.ugt, lhs: VReg(0), rhs: .reg(x), width: .w64, then: BlockID(1), else: BlockID(2))),
            Block(id: BlockID(1), instructions: between, terminator: .jump(BlockID(2))),
            Block(id: BlockID(2), instructions: [ins(.symbolAddr(dst: b, symbol: lim)),
                                                 ins(.load(dst: y, base: .reg(b), offset: 2, width: .w16, signed: false)),
                                                 ins(.binary(.add, dst: s, lhs: x, rhs: .reg(y), width: .w64))],
                  terminator: .ret(.reg(s))),
        ], params: 1)
    }

    @Test func dominatingAddressIsReusedWhenNoCallIsBetween() {
        let g = AddressReuse.run(addressTwice(callBetween: false))
        // The second computation goes; its load reads the first register (no copy).
        #expect(g.blocks[2].instructions[0].inst == .load(dst: VReg(5), base: .reg(VReg(2)), offset: 2, width: .w16, signed: false), "\(show(g))")
        #expect(g.blocks[2].instructions.count == 2)
        // A call on one path between them: the address is computed again.
        let h = addressTwice(callBetween: true)
        #expect(AddressReuse.run(h) == h)
    }
}

/// LoadSinking: loads used only after a diamond move to their uses.
extension OptimizerPassTests {
    /// `m[1] = 7; m[2] = 30; a = m[1]; b = m[2]; c = x ? 9 : 4; return a + b + c` with m a
    /// stack slot, and optionally a store to it on one side of the diamond.
    func loadsBeforeDiamond(storeInside: Bool) -> Function {
        let a = VReg(2), b = VReg(3), c = VReg(4), s = VReg(5), t = VReg(6)
        let side: [Instruction] = storeInside ? [ins(.store(base: .slot(0), offset: 1, value: .imm(0), width: .w8))] : []
        return fn([
            Block(id: BlockID(0), instructions: [ins(.store(base: .slot(0), offset: 1, value: .imm(7), width: .w8)),
                                                 ins(.store(base: .slot(0), offset: 2, value: .imm(30), width: .w8)),
                                                 ins(.load(dst: a, base: .slot(0), offset: 1, width: .w8, signed: false)),
                                                 ins(.load(dst: b, base: .slot(0), offset: 2, width: .w8, signed: false)),
                                                 ins(.mov(dst: c, src: .imm(9), width: .w64))],
                  terminator: .branch(.eq, lhs: VReg(0), rhs: .imm(0), width: .w64, then: BlockID(1), else: BlockID(2))),
            Block(id: BlockID(1), instructions: side + [ins(.mov(dst: c, src: .imm(4), width: .w64))], terminator: .jump(BlockID(2))),
            Block(id: BlockID(2), instructions: [ins(.binary(.add, dst: s, lhs: a, rhs: .reg(b), width: .w64)),
                                                 ins(.binary(.add, dst: t, lhs: s, rhs: .reg(c), width: .w64))],
                  terminator: .ret(.reg(t))),
        ], params: 1, slots: [StackSlot(size: 8, alignment: 8, name: "m")])
    }

    @Test func loadsMoveToTheirUsesAfterADiamond() throws {
        let f = loadsBeforeDiamond(storeInside: false)
        let g = LoadSinking.run(f)
        #expect(!g.blocks[0].instructions.contains { if case .load = $0.inst { return true }; return false }, "\(show(g))")
        // Both loads now come right before the addition that reads them.
        let moved = g.blocks[2].instructions.prefix(2).compactMap { i -> VReg? in
            if case .load(let d, _, _, _, _) = i.inst { return d }; return nil
        }
        #expect(Set(moved) == [VReg(2), VReg(3)], "\(show(g))")
        for p: Int64 in [0, 1] {
            #expect(try IRInterpreter.run(g, args: [p]) == IRInterpreter.run(f, args: [p]))
        }
        #expect(try IRInterpreter.run(g, args: [0]) == 41)
        // A store on a path between them: the loads stay where they were.
        let h = loadsBeforeDiamond(storeInside: true)
        #expect(LoadSinking.run(h) == h)
    }
}

/// BlockPlacement: the first exit of a loop FullUnrolling copied falls through.
extension OptimizerPassTests {
    /// `for (i = 0; i < 4; i++) { if (i >= n) break; acc += s[i]; if (s[i] == 0) break; } return acc`
    /// copied per iteration (each copy tests the same `n`), or with `sharedBound` false,
    /// an unrolled memcmp: a fresh byte against a constant in each copy.
    func unrolledChain(sharedBound: Bool) -> Function {
        let n = VReg(0), s = VReg(1), acc = VReg(2)
        var blocks = [Block(id: BlockID(0), instructions: [ins(.mov(dst: acc, src: .imm(0), width: .w64))], terminator: .jump(BlockID(1)))]
        for k in 0..<4 {
            let c = VReg(10 + k), test = BlockID(1 + 2 * k), body = BlockID(2 + 2 * k), next = BlockID(3 + 2 * k)
            let bound: Terminator = sharedBound
                ? .branch(.ule, lhs: n, rhs: .imm(Int64(k)), width: .w64, then: BlockID(99), else: body)
                : .branch(.ne, lhs: VReg(20 + k), rhs: .imm(Int64(0x61 + k)), width: .w64, then: BlockID(99), else: body)
            blocks.append(Block(id: test, instructions: sharedBound ? [] : [ins(.load(dst: VReg(20 + k), base: .reg(s), offset: 8 + k, width: .w8, signed: false))],
                                terminator: bound))
            blocks.append(Block(id: body, instructions: [ins(.load(dst: c, base: .reg(s), offset: k, width: .w8, signed: false)),
                                                         ins(.binary(.add, dst: acc, lhs: acc, rhs: .reg(c), width: .w64))],
                                terminator: .branch(.eq, lhs: c, rhs: .imm(0), width: .w64, then: BlockID(99), else: next)))
        }
        blocks.append(Block(id: BlockID(9), terminator: .jump(BlockID(99))))
        blocks.append(Block(id: BlockID(99), instructions: [ins(.binary(.add, dst: acc, lhs: acc, rhs: .imm(1), width: .w64))], terminator: .ret(.reg(acc))))
        return fn(blocks, params: 2)
    }

    @Test func firstExitOfAnUnrolledLoopFallsThrough() throws {
        let f = unrolledChain(sharedBound: true)
        let g = BlockPlacement.run(f)
        // The exit block follows the first copy's test; the copies follow it, in order.
        #expect(g.blocks.map(\.id.id) == [0, 1, 99, 2, 3, 4, 5, 6, 7, 8, 9], "\(show(g))")
        #expect(BlockPlacement.unrolledExits(f) == [BlockID(1): BlockID(99)])
        // An unrolled memcmp's exits know no more than the first: lowering's order stays.
        let memcmp = unrolledChain(sharedBound: false)
        #expect(BlockPlacement.unrolledExits(memcmp).isEmpty)
        #expect(BlockPlacement.run(memcmp) == memcmp)
        // A switch's chain of compares has no code between its exits.
        let x = VReg(0)
        var chain: [Block] = (0..<4).map { k in
            Block(id: BlockID(k), terminator: .branch(.eq, lhs: x, rhs: .imm(Int64(k)), width: .w64, then: BlockID(99), else: BlockID(k + 1)))
        }
        chain.append(Block(id: BlockID(4), terminator: .ret(.imm(0))))
        chain.append(Block(id: BlockID(99), terminator: .ret(.imm(1))))
        #expect(BlockPlacement.unrolledExits(fn(chain, params: 1)).isEmpty)
    }
}

/// BlockPlacement: an arm that zeroes frame memory goes after the code it joins.
extension OptimizerPassTests {
    /// `k = {x, y}; if (x & 8) { k.lo = k.hi; memset(&k, 0, 8); } return k.lo ^ k.hi`, in
    /// lowering's order (the arm falls through); with `setsRegister` the arm also sets a
    /// register, which is not memory only.
    func zeroingArm(setsRegister: Bool = false) -> Function {
        var arm: [Instruction] = [ins(.load(dst: VReg(5), base: .slot(0), offset: 8, width: .w64, signed: false)),
                                  ins(.store(base: .slot(0), offset: 16, value: .reg(VReg(5)), width: .w64)),
                                  ins(.store(base: .slot(0), offset: 0, value: .imm(0), width: .w64))]
        if setsRegister { arm.append(ins(.mov(dst: VReg(6), src: .imm(1), width: .w64))) }
        return fn([
            Block(id: BlockID(0), instructions: [ins(.store(base: .slot(0), offset: 0, value: .reg(VReg(0)), width: .w64)),
                                                 ins(.store(base: .slot(0), offset: 8, value: .reg(VReg(1)), width: .w64)),
                                                 ins(.store(base: .slot(0), offset: 16, value: .reg(VReg(1)), width: .w64)),
                                                 ins(.mov(dst: VReg(6), src: .imm(0), width: .w64)),
                                                 ins(.binary(.and, dst: VReg(2), lhs: VReg(0), rhs: .imm(8), width: .w64))],
                  terminator: .branch(.ne, lhs: VReg(2), rhs: .imm(0), width: .w64, then: BlockID(1), else: BlockID(2))),
            Block(id: BlockID(1), instructions: arm, terminator: .jump(BlockID(2))),
            Block(id: BlockID(2), instructions: [ins(.load(dst: VReg(3), base: .slot(0), offset: 0, width: .w64, signed: false)),
                                                 ins(.load(dst: VReg(4), base: .slot(0), offset: 16, width: .w64, signed: false)),
                                                 ins(.binary(.xor, dst: VReg(7), lhs: VReg(3), rhs: .reg(VReg(4)), width: .w64)),
                                                 ins(.binary(.add, dst: VReg(8), lhs: VReg(7), rhs: .reg(VReg(6)), width: .w64))],
                  terminator: .ret(.reg(VReg(8)))),
        ], params: 2, slots: [StackSlot(size: 24, alignment: 8, name: "k")])
    }

    @Test func anArmZeroingTheFrameGoesAfterTheJoin() throws {
        let f = zeroingArm(), g = BlockPlacement.run(f)
        // The join follows the branch: the verifier walks the path that leaves the bytes
        // unknown first, and prunes the zeroed path's state against it.
        #expect(g.blocks.map(\.id.id) == [0, 2, 1], "\(show(g))")
        for (x, y): (Int64, Int64) in [(0, 5), (8, 5), (9, -1), (-1, 3)] {
            #expect(try IRInterpreter.run(g, args: [x, y]) == IRInterpreter.run(f, args: [x, y]))
        }
        // An arm that also sets a register stays where lowering put it.
        let setting = zeroingArm(setsRegister: true)
        #expect(BlockPlacement.run(setting) == setting)
    }
}
