import Testing
import BPFIR
@testable import BPFCodegen

/// Value numbering (copies, repeated computations, branches a dominating branch
/// decides) and jump threading (a flag tested right after it is set).
extension OptimizerPassTests {
    func show(_ f: Function) -> String { "\n" + IRPrinter.print(Module(functions: [f])) }

    /// `p = param; e = p + 14; if (e > end) return 0; q = p; e2 = q + 14; if (e2 > end)
    /// return 1; return (int)len + (int)len` — the second bounds check is the first.
    @Test func valueNumberingSeesThroughCopiesAndRepeatedChecks() throws {
        let p = VReg(0), end = VReg(1), len = VReg(2)
        let b0 = Block(id: BlockID(0), instructions: [
            ins(.binary(.add, dst: VReg(3), lhs: p, rhs: .imm(14), width: .w64))],
            terminator: .branch(.ugt, lhs: VReg(3), rhs: .reg(end), width: .w64, then: BlockID(1), else: BlockID(2)))
        let b1 = Block(id: BlockID(1), terminator: .ret(.imm(0)))
        let b2 = Block(id: BlockID(2), instructions: [
            ins(.mov(dst: VReg(4), src: .reg(p), width: .w64)),
            ins(.binary(.add, dst: VReg(5), lhs: VReg(4), rhs: .imm(14), width: .w64))],
            terminator: .branch(.ule, lhs: VReg(5), rhs: .reg(end), width: .w64, then: BlockID(4), else: BlockID(3)))
        let b3 = Block(id: BlockID(3), terminator: .ret(.imm(1)))
        let b4 = Block(id: BlockID(4), instructions: [
            ins(.ext(dst: VReg(6), src: len, from: .w32, to: .w64, signed: true)),
            ins(.ext(dst: VReg(7), src: len, from: .w32, to: .w64, signed: true)),
            ins(.binary(.add, dst: VReg(8), lhs: VReg(6), rhs: .reg(VReg(7)), width: .w64))],
            terminator: .ret(.reg(VReg(8))))
        let f = fn([b0, b1, b2, b3, b4], params: 3)
        let g = ValueNumbering.run(f)
        // b2's check is b0's negated: always true there.
        #expect(g.blocks[2].terminator == .jump(BlockID(4)), "\(show(g))")
        #expect(g.blocks[4].instructions[2].inst == .binary(.add, dst: VReg(8), lhs: VReg(6), rhs: .reg(VReg(6)), width: .w64), "\(show(g))")
        for args: [Int64] in [[100, 200, 5], [100, 110, 5], [100, 114, -3], [7, 0, 1]] {
            #expect(try IRInterpreter.run(g, args: args) == IRInterpreter.run(f, args: args))
        }
        let o = Optimizer.run(Module(functions: [f]), level: 2).functions[0]
        #expect(o.blocks.count == 3, "\(show(o))")
    }

    /// `if (a < b) { if (c == 0) { if (b > a) ... } } else { if (b > a) ... }`: the mirror
    /// image of a dominating test is decided on both of its edges, past an unrelated test
    /// between, and a fact below one edge is gone in the other edge's subtree.
    @Test func mirroredTestsAreDecidedByTheFactOnTheirOwnPath() throws {
        let a = VReg(0), b = VReg(1), c = VReg(2)
        let mirror = Terminator.branch(.ugt, lhs: b, rhs: .reg(a), width: .w64, then: BlockID(5), else: BlockID(6))
        let blocks = [
            Block(id: BlockID(0), terminator: .branch(.ult, lhs: a, rhs: .reg(b), width: .w64, then: BlockID(1), else: BlockID(4))),
            Block(id: BlockID(1), terminator: .branch(.eq, lhs: c, rhs: .imm(0), width: .w64, then: BlockID(2), else: BlockID(3))),
            Block(id: BlockID(2), terminator: mirror),
            Block(id: BlockID(3), terminator: .ret(.imm(3))),
            Block(id: BlockID(4), terminator: mirror),
            Block(id: BlockID(5), terminator: .ret(.imm(1))),
            Block(id: BlockID(6), terminator: .ret(.imm(2))),
        ]
        let f = fn(blocks, params: 3)
        let g = ValueNumbering.run(f)
        #expect(g.blocks[2].terminator == .jump(BlockID(5)), "\(show(g))")
        #expect(g.blocks[4].terminator == .jump(BlockID(6)), "\(show(g))")
        for args: [Int64] in [[1, 2, 0], [1, 2, 7], [2, 1, 0], [5, 5, 0]] {
            #expect(try IRInterpreter.run(g, args: args) == IRInterpreter.run(f, args: args))
        }
    }

    /// `if (!arr[i]) break; if (arr[i] == x) ...`: `&arr[i]` computed again from another
    /// register holding `arr`'s address is the first computation, and the element read
    /// through it is the first read (nothing writes memory between).
    @Test func addressesFromOneGlobalInTwoRegistersAreOneComputation() throws {
        let i = VReg(0), x = VReg(1), arr = SymbolRef(name: "arr")
        let b0 = Block(id: BlockID(0), instructions: [
            ins(.symbolAddr(dst: VReg(2), symbol: arr)),
            ins(.binary(.add, dst: VReg(3), lhs: VReg(2), rhs: .reg(i), width: .w64)),
            ins(.load(dst: VReg(4), base: .reg(VReg(3)), offset: 0, width: .w32, signed: false))],
            terminator: .branch(.eq, lhs: VReg(4), rhs: .imm(0), width: .w32, then: BlockID(2), else: BlockID(1)))
        let b1 = Block(id: BlockID(1), instructions: [
            ins(.symbolAddr(dst: VReg(5), symbol: arr)),
            ins(.binary(.add, dst: VReg(6), lhs: VReg(5), rhs: .reg(i), width: .w64)),
            ins(.load(dst: VReg(7), base: .reg(VReg(6)), offset: 0, width: .w32, signed: false))],
            terminator: .branch(.eq, lhs: VReg(7), rhs: .reg(x), width: .w32, then: BlockID(3), else: BlockID(2)))
        let b2 = Block(id: BlockID(2), terminator: .ret(.imm(0)))
        let b3 = Block(id: BlockID(3), terminator: .ret(.imm(1)))
        let g = ValueNumbering.run(fn([b0, b1, b2, b3], params: 2))
        #expect(g.blocks[1].terminator == .branch(.eq, lhs: VReg(4), rhs: .reg(x), width: .w32, then: BlockID(3), else: BlockID(2)),
                "\(show(g))")
        // Without the global's address in common, nothing is shared.
        var other = b1
        other.instructions[0] = ins(.symbolAddr(dst: VReg(5), symbol: SymbolRef(name: "other")))
        let h = ValueNumbering.run(fn([b0, other, b2, b3], params: 2))
        #expect(h.blocks[1].terminator == other.terminator, "\(show(h))")
    }

    /// `x = i + 1; d = x + 1` at 32 bits (`++i` twice) is `d = i + 2`; `x = i - 3;
    /// d = x + 0x7fffffff` wraps in the immediate, taken modulo 2^32.
    @Test func constantOffsetsChainAt32Bits() throws {
        let insts = [
            ins(.binary(.add, dst: VReg(1), lhs: VReg(0), rhs: .imm(1), width: .w32)),
            ins(.binary(.add, dst: VReg(2), lhs: VReg(1), rhs: .imm(1), width: .w32)),
            ins(.binary(.sub, dst: VReg(3), lhs: VReg(0), rhs: .imm(-3), width: .w32)),
            ins(.binary(.add, dst: VReg(4), lhs: VReg(3), rhs: .imm(0x7fff_ffff), width: .w32)),
            ins(.binary(.xor, dst: VReg(5), lhs: VReg(2), rhs: .reg(VReg(4)), width: .w64))]
        let f = fn([Block(id: BlockID(0), instructions: insts, terminator: .ret(.reg(VReg(5))))])
        let g = ValueNumbering.run(f)
        #expect(g.blocks[0].instructions[1].inst == .binary(.add, dst: VReg(2), lhs: VReg(0), rhs: .imm(2), width: .w32), "\(show(g))")
        #expect(g.blocks[0].instructions[3].inst == .binary(.add, dst: VReg(4), lhs: VReg(0), rhs: .imm(Int64(Int32.min) + 2), width: .w32), "\(show(g))")
        for x: Int64 in [0, -1, 0x7fff_ffff, 0x1_2345_6789, Int64.min] {
            #expect(try IRInterpreter.run(g, args: [x]) == IRInterpreter.run(f, args: [x]))
        }
    }

    /// A loop counter `i` is written in several places: `i + 15` computed in b2 is reused
    /// in b3 (b2's only successor on that edge, `i` unchanged), not in b4 (which writes
    /// `i` first) nor in b5 (a merge).
    @Test func computationsOfRegistersWrittenTwiceAreReusedAlongSinglePredecessorChains() throws {
        let x = VReg(0), i = VReg(1), acc = VReg(6)
        func add(_ d: Int, _ a: VReg, _ b: Operand) -> Instruction { ins(.binary(.add, dst: VReg(d), lhs: a, rhs: b, width: .w64)) }
        let f = fn([
            Block(id: BlockID(0), instructions: [ins(.mov(dst: i, src: .imm(0), width: .w64)), ins(.mov(dst: acc, src: .imm(0), width: .w64))],
                  terminator: .jump(BlockID(1))),
            Block(id: BlockID(1), terminator: .branch(.ult, lhs: i, rhs: .imm(8), width: .w64, then: BlockID(2), else: BlockID(6))),
            Block(id: BlockID(2), instructions: [add(2, i, .imm(15))],
                  terminator: .branch(.eq, lhs: VReg(2), rhs: .reg(x), width: .w64, then: BlockID(3), else: BlockID(4))),
            Block(id: BlockID(3), instructions: [add(3, i, .imm(15)), add(6, acc, .reg(VReg(3)))], terminator: .jump(BlockID(5))),
            Block(id: BlockID(4), instructions: [add(1, i, .imm(1)), add(4, i, .imm(15)), add(6, acc, .reg(VReg(4)))],
                  terminator: .jump(BlockID(5))),
            Block(id: BlockID(5), instructions: [add(5, i, .imm(15)), add(6, acc, .reg(VReg(5))), add(1, i, .imm(1))],
                  terminator: .jump(BlockID(1))),
            Block(id: BlockID(6), terminator: .ret(.reg(acc))),
        ])
        let g = ValueNumbering.run(f)
        #expect(g.blocks[3].instructions[1].inst == .binary(.add, dst: acc, lhs: acc, rhs: .reg(VReg(2)), width: .w64), "\(show(g))")
        #expect(g.blocks[4].instructions[2].inst == .binary(.add, dst: acc, lhs: acc, rhs: .reg(VReg(4)), width: .w64), "\(show(g))")
        #expect(g.blocks[5].instructions[1].inst == .binary(.add, dst: acc, lhs: acc, rhs: .reg(VReg(5)), width: .w64), "\(show(g))")
        for v: Int64 in [0, 15, 16, 18, 19, 22, -1] {
            #expect(try IRInterpreter.run(g, args: [v]) == IRInterpreter.run(f, args: [v]), "x=\(v)")
        }
    }

    /// A truth value `t` written in both arms of a diamond (b1: 1, b2: 0) and nowhere
    /// else: after the merge no path writes it again, so a copy of it is `t` and `t ^ y`
    /// computed again after a second merge is the first. Inside a loop that writes `t`
    /// again (the second function), neither holds.
    @Test func registersNoPathWritesAgainAreCopiedAndReusedAsIfWrittenOnce() throws {
        let x = VReg(0), y = VReg(1), t = VReg(2)
        func blocks(loop: Bool) -> [Block] {
            [
                Block(id: BlockID(0), instructions: [ins(.mov(dst: VReg(9), src: .imm(0), width: .w64))], terminator: .jump(BlockID(1))),
                Block(id: BlockID(1), instructions: [ins(.mov(dst: t, src: .imm(1), width: .w64))],
                      terminator: .branch(.ult, lhs: x, rhs: .reg(y), width: .w64, then: BlockID(3), else: BlockID(2))),
                Block(id: BlockID(2), instructions: [ins(.mov(dst: t, src: .imm(0), width: .w64))], terminator: .jump(BlockID(3))),
                Block(id: BlockID(3), instructions: [ins(.binary(.xor, dst: VReg(3), lhs: t, rhs: .reg(y), width: .w64)),
                                                      ins(.binary(.add, dst: VReg(9), lhs: VReg(9), rhs: .reg(VReg(3)), width: .w64))],
                      terminator: .branch(.eq, lhs: VReg(3), rhs: .imm(5), width: .w64, then: BlockID(4), else: BlockID(5))),
                Block(id: BlockID(4), instructions: [ins(.binary(.add, dst: VReg(9), lhs: VReg(9), rhs: .imm(7), width: .w64))],
                      terminator: .jump(BlockID(5))),
                Block(id: BlockID(5), instructions: [ins(.mov(dst: VReg(4), src: .reg(t), width: .w64)),
                                                      ins(.binary(.xor, dst: VReg(5), lhs: VReg(4), rhs: .reg(y), width: .w64)),
                                                      ins(.binary(.add, dst: VReg(9), lhs: VReg(9), rhs: .reg(VReg(5)), width: .w64)),
                                                      ins(.binary(.add, dst: x, lhs: x, rhs: .imm(1), width: .w64))],
                      terminator: loop ? .branch(.ult, lhs: x, rhs: .imm(3), width: .w64, then: BlockID(1), else: BlockID(6))
                                       : .jump(BlockID(6))),
                Block(id: BlockID(6), terminator: .ret(.reg(VReg(9)))),
            ]
        }
        for loop in [false, true] {
            let f = fn(blocks(loop: loop), params: 2)
            let g = ValueNumbering.run(f)
            let shared = g.blocks[5].instructions[2].inst == .binary(.add, dst: VReg(9), lhs: VReg(9), rhs: .reg(VReg(3)), width: .w64)
            #expect(shared == !loop, "loop \(loop)\(show(g))")
            for args: [Int64] in [[0, 1], [1, 0], [4, 5], [2, 2], [-1, 7]] {
                #expect(try IRInterpreter.run(g, args: args) == IRInterpreter.run(f, args: args), "loop \(loop) \(args)")
            }
        }
    }

    /// `a = q[0]` (q: not the context) in b0; b1/b2 a diamond, b2 storing through a
    /// pointer; b3 (the merge) reads q[0] again: a write on one path → read again. b4,
    /// dominated by b0 through b1 only, reuses it; after a call, it is read again. The
    /// context's `ctx[1]`, read in b0 and b3, survives the packet store (only stores
    /// through the context, calls and asm change it).
    @Test func loadsAreReusedOnlyWhereNothingMayHaveWrittenMemory() throws {
        let ctx = VReg(0), q = VReg(1), p = VReg(2)
        func load(_ d: Int, _ base: VReg = q, _ off: Int = 0) -> Instruction {
            ins(.load(dst: VReg(d), base: .reg(base), offset: off, width: .w64, signed: false))
        }
        let b0 = Block(id: BlockID(0), instructions: [load(3), load(10, ctx, 8)],
                       terminator: .branch(.eq, lhs: VReg(3), rhs: .imm(0), width: .w64, then: BlockID(1), else: BlockID(2)))
        let b1 = Block(id: BlockID(1), instructions: [load(4)],
                       terminator: .branch(.eq, lhs: VReg(4), rhs: .imm(7), width: .w64, then: BlockID(4), else: BlockID(3)))
        let b2 = Block(id: BlockID(2), instructions: [ins(.store(base: .reg(p), offset: 0, value: .imm(5), width: .w64))],
                       terminator: .jump(BlockID(3)))
        let b3 = Block(id: BlockID(3), instructions: [load(5), load(11, ctx, 8),
                                                       ins(.binary(.add, dst: VReg(12), lhs: VReg(5), rhs: .reg(VReg(11)), width: .w64))],
                       terminator: .ret(.reg(VReg(12))))
        let b4 = Block(id: BlockID(4), instructions: [load(6), ins(.call(dst: nil, callee: .helper(5), args: [])), load(7),
                                                       ins(.binary(.add, dst: VReg(8), lhs: VReg(6), rhs: .reg(VReg(7)), width: .w64))],
                       terminator: .ret(.reg(VReg(8))))
        let g = ValueNumbering.run(fn([b0, b1, b2, b3, b4], params: 3))
        func uses(_ b: Int) -> [VReg] { g.blocks[b].instructions.flatMap(\.inst.usedRegs) + g.blocks[b].terminator.usedRegs }
        #expect(uses(1).contains(VReg(3)), "b1 reads b0's value\(show(g))")
        #expect(g.blocks[3].instructions[2].inst == .binary(.add, dst: VReg(12), lhs: VReg(5), rhs: .reg(VReg(10)), width: .w64),
                "after a packet store: q[0] read again, ctx[1] reused\(show(g))")
        #expect(g.blocks[4].instructions[3].inst == .binary(.add, dst: VReg(8), lhs: VReg(3), rhs: .reg(VReg(7)), width: .w64),
                "before the call b0's value, after it a new load\(show(g))")
    }

    /// A local struct filled by a helper, its field read in b0 and again in b1 (dominated,
    /// nothing between writes the frame): one load. After a store over the field, a store
    /// through a pointer into the slot, a call given the slot's address, or a BPF-to-BPF
    /// call when a frame address is in memory, it is read again; a volatile slot always
    /// is. A call given no stack address and a store to other bytes of the slot keep it; a
    /// map lookup given the slot as its key reloads a value a helper filled (clang does;
    /// keeping it in a register over the call cost the verifier dearly), but a constant
    /// stored there is read back as that constant across such a call (helpers whose
    /// pointers are const), as across any call not given the slot.
    @Test func stackSlotLoadsAreReusedUntilTheFrameMayChange() throws {
        func program(between: [Instruction], volatile: Bool = false) -> Function {
            var f = fn([
                Block(id: BlockID(0), instructions: [
                    ins(.slotAddr(dst: VReg(2), slot: 0, offset: 0)),
                    ins(.call(dst: VReg(3), callee: .helper(26), args: [.reg(VReg(0)), .imm(0), .reg(VReg(2)), .imm(8)])),
                    ins(.load(dst: VReg(4), base: .slot(0), offset: 6, width: .w8, signed: false))],
                      terminator: .branch(.eq, lhs: VReg(4), rhs: .imm(17), width: .w64, then: BlockID(1), else: BlockID(2))),
                Block(id: BlockID(1), terminator: .ret(.imm(0))),
                Block(id: BlockID(2), instructions: between + [
                    ins(.load(dst: VReg(5), base: .slot(0), offset: 6, width: .w8, signed: false))],
                      terminator: .ret(.reg(VReg(5)))),
            ], params: 1)
            f.slots = [StackSlot(size: 8, alignment: 8, name: "h", isVolatile: volatile)]
            return f
        }
        func reloads(_ f: Function) -> Bool {
            ValueNumbering.run(f).blocks[2].terminator != .ret(.reg(VReg(4)))
        }
        #expect(!reloads(program(between: [])), "\(show(ValueNumbering.run(program(between: []))))")
        #expect(reloads(program(between: [ins(.store(base: .slot(0), offset: 0, value: .imm(1), width: .w64))])))
        #expect(reloads(program(between: [ins(.store(base: .reg(VReg(2)), offset: 4, value: .imm(1), width: .w32))])))
        #expect(reloads(program(between: [ins(.call(dst: nil, callee: .helper(113), args: [.reg(VReg(2)), .imm(8), .reg(VReg(0))]))])))
        #expect(reloads(program(between: [ins(.store(base: .reg(VReg(0)), offset: 0, value: .reg(VReg(2)), width: .w64)),
                                          ins(.call(dst: nil, callee: .function("g"), args: []))])))
        #expect(reloads(program(between: [], volatile: true)))
        #expect(!reloads(program(between: [ins(.call(dst: nil, callee: .helper(5), args: []))])))
        #expect(reloads(program(between: [ins(.call(dst: nil, callee: .helper(1), args: [.imm(0), .reg(VReg(2))]))])))
        #expect(!reloads(program(between: [ins(.store(base: .slot(0), offset: 0, value: .imm(1), width: .w32))])))
        let constant = ValueNumbering.run(program(between: [ins(.store(base: .slot(0), offset: 6, value: .imm(9), width: .w8)),
                                                            ins(.call(dst: nil, callee: .helper(5), args: []))]))
        #expect(constant.blocks[2].instructions.last?.inst == .mov(dst: VReg(5), src: .imm(9), width: .w64), "\(show(constant))")
        let key = ValueNumbering.run(program(between: [ins(.store(base: .slot(0), offset: 6, value: .imm(9), width: .w8)),
                                                       ins(.call(dst: nil, callee: .helper(1), args: [.imm(0), .reg(VReg(2))]))]))
        #expect(key.blocks[2].instructions.last?.inst == .mov(dst: VReg(5), src: .imm(9), width: .w64), "\(show(key))")
    }

    /// Facts about a slot outlive any number of writes to other slots and to other bytes
    /// of the same slot (a 390-byte struct copied word by word next to it); a write to
    /// its bytes ends them.
    @Test func slotFactsOutliveWritesToOtherSlots() throws {
        func program(lastStoreOffset: Int) -> Function {
            let copies = (0..<300).map { k in ins(.store(base: .slot(1), offset: 8 * k, value: .imm(Int64(k)), width: .w64)) }
            var f = fn([
                Block(id: BlockID(0), instructions: [
                    ins(.load(dst: VReg(1), base: .slot(0), offset: 8, width: .w32, signed: false))] + copies + [
                    ins(.store(base: .slot(0), offset: lastStoreOffset, value: .imm(5), width: .w32)),
                    ins(.load(dst: VReg(2), base: .slot(0), offset: 8, width: .w32, signed: false))],
                      terminator: .ret(.reg(VReg(2))))], params: 1)
            f.slots = [StackSlot(size: 16, alignment: 8, name: "a"), StackSlot(size: 2400, alignment: 8, name: "b")]
            return f
        }
        let kept = ValueNumbering.run(program(lastStoreOffset: 0))
        #expect(kept.blocks[0].terminator == .ret(.reg(VReg(1))), "\(show(kept))")
        let overwritten = ValueNumbering.run(program(lastStoreOffset: 8))
        #expect(overwritten.blocks[0].instructions.last?.inst == .mov(dst: VReg(2), src: .imm(5), width: .w64), "\(show(overwritten))")
        let partly = ValueNumbering.run(program(lastStoreOffset: 10))
        #expect(partly.blocks[0].instructions.last?.inst == .load(dst: VReg(2), base: .slot(0), offset: 8, width: .w32, signed: false),
                "\(show(partly))")
    }

    /// `v->a = 0x1ff (u8); v->b = x; if (...) ...; return v->a + v->b`: both loads read what
    /// the stores wrote (the byte as a load would see it); after a call, memory again.
    @Test func storesThroughRegistersForwardToDominatedLoads() throws {
        let v = VReg(0), x = VReg(1)
        let b0 = Block(id: BlockID(0), instructions: [
            ins(.store(base: .reg(v), offset: 0, value: .imm(0x1ff), width: .w8)),
            ins(.store(base: .reg(v), offset: 8, value: .reg(x), width: .w64))],
            terminator: .branch(.eq, lhs: x, rhs: .imm(0), width: .w64, then: BlockID(1), else: BlockID(2)))
        let b1 = Block(id: BlockID(1), instructions: [
            ins(.load(dst: VReg(2), base: .reg(v), offset: 0, width: .w8, signed: false)),
            ins(.load(dst: VReg(3), base: .reg(v), offset: 8, width: .w64, signed: false)),
            ins(.binary(.add, dst: VReg(4), lhs: VReg(2), rhs: .reg(VReg(3)), width: .w64))], terminator: .ret(.reg(VReg(4))))
        let b2 = Block(id: BlockID(2), instructions: [
            ins(.call(dst: nil, callee: .helper(5), args: [])),
            ins(.load(dst: VReg(5), base: .reg(v), offset: 8, width: .w64, signed: false))], terminator: .ret(.reg(VReg(5))))
        let g = ValueNumbering.run(fn([b0, b1, b2], params: 2))
        #expect(g.blocks[1].instructions[0].inst == .mov(dst: VReg(2), src: .imm(0xff), width: .w64), "\(show(g))")
        #expect(g.blocks[1].instructions[1].inst == .mov(dst: VReg(3), src: .reg(x), width: .w64), "\(show(g))")
        #expect(g.blocks[2].instructions[1].inst == .load(dst: VReg(5), base: .reg(v), offset: 8, width: .w64, signed: false), "\(show(g))")
    }

    /// `pos = data; e = pos + 14; if (...) pos += 4; return pos`: the uses only the copy
    /// reaches (`pos + 14`, `pos + 4`) read `data` itself; the return sees both.
    @Test func usesOnlyACopyReachesReadTheCopiedRegister() throws {
        let data = VReg(0), pos = VReg(1)
        let b0 = Block(id: BlockID(0), instructions: [ins(.mov(dst: pos, src: .reg(data), width: .w64)),
                                                       ins(.binary(.add, dst: VReg(2), lhs: pos, rhs: .imm(14), width: .w64))],
                       terminator: .branch(.ugt, lhs: VReg(2), rhs: .imm(100), width: .w64, then: BlockID(1), else: BlockID(2)))
        let b1 = Block(id: BlockID(1), instructions: [ins(.binary(.add, dst: pos, lhs: pos, rhs: .imm(4), width: .w64))],
                       terminator: .jump(BlockID(2)))
        let b2 = Block(id: BlockID(2), terminator: .ret(.reg(pos)))
        let f = fn([b0, b1, b2])
        let g = WebSplitting.run(f)
        #expect(g.blocks[0].instructions[1].inst == .binary(.add, dst: VReg(2), lhs: data, rhs: .imm(14), width: .w64), "\(show(g))")
        #expect(g.blocks[1].instructions[0].inst.usedRegs == [data] && g.blocks[2].terminator == .ret(.reg(pos)), "\(show(g))")
        for x: Int64 in [0, 90, 200] { #expect(try IRInterpreter.run(g, args: [x]) == IRInterpreter.run(f, args: [x])) }
    }

    /// Slot 0 (private) written three times at offset 0: only the last stays; the
    /// partial write at offset 4 stays (nothing overwrites it whole). Slot 1 (its address
    /// passed to a helper): the write before the call stays, the one overwritten before
    /// it goes.
    @Test func overwrittenStackStoresGo() throws {
        func store(_ s: Int, _ o: Int, _ v: Int64, _ w: Width) -> Instruction { ins(.store(base: .slot(s), offset: o, value: .imm(v), width: w)) }
        let b = Block(id: BlockID(0), instructions: [
            store(0, 0, 1, .w64), store(0, 4, 2, .w32), store(0, 0, 3, .w32), store(0, 0, 4, .w32),
            store(1, 0, 5, .w32), store(1, 0, 6, .w32),
            ins(.slotAddr(dst: VReg(1), slot: 1, offset: 0)),
            ins(.call(dst: VReg(2), callee: .helper(1), args: [.reg(VReg(1))])),
            store(1, 0, 7, .w32),
            ins(.load(dst: VReg(3), base: .slot(0), offset: 0, width: .w64, signed: false))],
            terminator: .ret(.reg(VReg(3))))
        let f = fn([b], slots: [StackSlot(size: 8, alignment: 8, name: "a"), StackSlot(size: 4, alignment: 4, name: "k")])
        var g = f
        StackForwarding.removeOverwritten(in: &g.blocks[0], escaped: [1], volatile: [], frame: g.framePointerRegisters())
        let stores = g.blocks[0].instructions.compactMap { i -> [Int64]? in
            if case .store(.slot(let s), let o, .imm(let v), _) = i.inst { return [Int64(s), Int64(o), v] }
            return nil
        }
        #expect(stores == [[0, 0, 1], [0, 4, 2], [0, 0, 4], [1, 0, 6], [1, 0, 7]], "\(show(g))")
    }

    /// `ok = (h == 0x81 || h == 0xa888); if (ok) ... else ...`: the flag's two
    /// assignments jump straight to the two arms.
    @Test func flagsTestedAfterTheyAreSetAreThreaded() throws {
        let h = VReg(0), flag = VReg(1)
        let b0 = Block(id: BlockID(0), terminator: .branch(.eq, lhs: h, rhs: .imm(0x81), width: .w32, then: BlockID(2), else: BlockID(1)))
        let b1 = Block(id: BlockID(1), terminator: .branch(.eq, lhs: h, rhs: .imm(0xa888), width: .w32, then: BlockID(2), else: BlockID(3)))
        let b2 = Block(id: BlockID(2), instructions: [ins(.mov(dst: flag, src: .imm(1), width: .w64))], terminator: .jump(BlockID(4)))
        let b3 = Block(id: BlockID(3), instructions: [ins(.mov(dst: flag, src: .imm(0), width: .w64))], terminator: .jump(BlockID(4)))
        let b4 = Block(id: BlockID(4), instructions: [ins(.mov(dst: VReg(2), src: .reg(flag), width: .w64))],
                       terminator: .branch(.ne, lhs: VReg(2), rhs: .imm(0), width: .w32, then: BlockID(5), else: BlockID(6)))
        let b5 = Block(id: BlockID(5), terminator: .ret(.imm(10)))
        let b6 = Block(id: BlockID(6), terminator: .ret(.imm(20)))
        let f = fn([b0, b1, b2, b3, b4, b5, b6])
        let g = JumpThreading.run(f)
        #expect(!g.blocks.contains { if case .branch(_, VReg(2), _, _, _, _) = $0.terminator { return true }; return false },
                "the flag's test is bypassed\(show(g))")
        for x: Int64 in [0x81, 0xa888, 0, 0x1_0000_0081] {
            #expect(try IRInterpreter.run(g, args: [x]) == IRInterpreter.run(f, args: [x]))
        }
        let o = Optimizer.run(Module(functions: [f]), level: 2).functions[0]
        #expect(o.blocks.flatMap(\.instructions).isEmpty, "only the two compares and two returns stay\(show(o))")
    }

    /// `static bool same_cpu() { return targ == cpu; }` inlined and tested in a block a
    /// second path also reaches (`targ < 0` sets the flag to 1 directly): the 1 and 0 the
    /// predicate's arms set reach the test through a block that only copies the result,
    /// and each arm jumps straight to its side.
    @Test func flagsSetTwoBlocksBeforeTheirTestAreThreaded() throws {
        let c = VReg(0), t = VReg(1), r = VReg(2), flag = VReg(3)
        let f = fn([
            Block(id: BlockID(0), terminator: .branch(.slt, lhs: c, rhs: .imm(0), width: .w64, then: BlockID(1), else: BlockID(2))),
            Block(id: BlockID(1), instructions: [ins(.mov(dst: flag, src: .imm(1), width: .w64))], terminator: .jump(BlockID(6))),
            Block(id: BlockID(2), terminator: .branch(.eq, lhs: c, rhs: .imm(7), width: .w64, then: BlockID(3), else: BlockID(4))),
            Block(id: BlockID(3), instructions: [ins(.mov(dst: t, src: .imm(1), width: .w64))], terminator: .jump(BlockID(5))),
            Block(id: BlockID(4), instructions: [ins(.mov(dst: t, src: .imm(0), width: .w64))], terminator: .jump(BlockID(5))),
            Block(id: BlockID(5), instructions: [ins(.mov(dst: r, src: .reg(t), width: .w64)), ins(.mov(dst: flag, src: .reg(r), width: .w32))],
                  terminator: .jump(BlockID(6))),
            Block(id: BlockID(6), terminator: .branch(.ne, lhs: flag, rhs: .imm(0), width: .w64, then: BlockID(7), else: BlockID(8))),
            Block(id: BlockID(7), terminator: .ret(.imm(10))),
            Block(id: BlockID(8), terminator: .ret(.imm(20))),
        ], params: 1)
        let g = JumpThreading.run(f)
        #expect(!g.blocks.contains { if case .branch(_, flag, _, _, _, _) = $0.terminator { return true }; return false },
                "the flag's test is bypassed\(show(g))")
        for x: Int64 in [-3, 7, 8] { #expect(try IRInterpreter.run(g, args: [x]) == IRInterpreter.run(f, args: [x])) }
    }

    /// `e = i << y; t = (e != z)` as a diamond (b0, b1), then `i << y` again at the merge
    /// b2: `i` is written again further down (b4), but neither arm writes it, so the
    /// merge continues b0's chain and reuses `e` (`a[k] = (x << n) != y` unrolled, `x`
    /// incremented later). When an arm writes `i` (b1, `armWrites`), or a path back into
    /// the merge does (b4 looping back, `loopBack`), the merge computes it again.
    @Test func mergesNoArmOfWhichWritesAnOperandReuseItsComputations() throws {
        let i = VReg(0), y = VReg(1), z = VReg(2), t = VReg(3)
        func shl(_ d: Int) -> Instruction { ins(.binary(.shl, dst: VReg(d), lhs: i, rhs: .reg(y), width: .w64)) }
        func program(armWrites: Bool, loopBack: Bool) -> Function {
            fn([
                Block(id: BlockID(0), instructions: [shl(4), ins(.mov(dst: t, src: .imm(1), width: .w64))],
                      terminator: .branch(.ne, lhs: VReg(4), rhs: .reg(z), width: .w64, then: BlockID(2), else: BlockID(1))),
                Block(id: BlockID(1), instructions: [ins(.mov(dst: t, src: .imm(0), width: .w64))]
                        + (armWrites ? [ins(.binary(.add, dst: i, lhs: i, rhs: .imm(3), width: .w64))] : []),
                      terminator: .jump(BlockID(2))),
                Block(id: BlockID(2), instructions: [shl(5), ins(.binary(.add, dst: VReg(6), lhs: VReg(5), rhs: .reg(t), width: .w64))],
                      terminator: .branch(.eq, lhs: z, rhs: .imm(0), width: .w64, then: BlockID(3), else: BlockID(4))),
                Block(id: BlockID(3), terminator: .ret(.reg(VReg(6)))),
                Block(id: BlockID(4), instructions: [ins(.binary(.add, dst: i, lhs: i, rhs: .imm(1), width: .w64)),
                                                      ins(.binary(.add, dst: VReg(7), lhs: i, rhs: .reg(VReg(6)), width: .w64))],
                      terminator: loopBack ? .branch(.ult, lhs: VReg(7), rhs: .imm(100), width: .w64, then: BlockID(2), else: BlockID(5))
                                           : .jump(BlockID(5))),
                Block(id: BlockID(5), terminator: .ret(.reg(VReg(7)))),
            ], params: 3)
        }
        for (armWrites, loopBack) in [(false, false), (true, false), (false, true)] {
            let f = program(armWrites: armWrites, loopBack: loopBack)
            let g = ValueNumbering.run(f)
            let reused = g.blocks[2].instructions[1].inst == .binary(.add, dst: VReg(6), lhs: VReg(4), rhs: .reg(t), width: .w64)
            #expect(reused == (!armWrites && !loopBack), "arm writes \(armWrites), loop \(loopBack)\(show(g))")
            for args: [Int64] in [[1, 2, 4], [1, 2, 5], [3, 0, 0], [7, 1, 14], [0, 5, 0]] {
                #expect(try IRInterpreter.run(g, args: args) == IRInterpreter.run(f, args: args), "\(armWrites) \(loopBack) \(args)")
            }
        }
    }

    /// A truth value `t` (1, or 0 on one arm) stored to a slot after the arms merge, read
    /// back in a later block: no path writes `t` again, so the load reads `t` (the
    /// verifier then knows it is 0 or 1; a 32-bit stack spill of it is unknown bytes). In
    /// a loop that writes `t` again, the slot is read.
    @Test func storedValuesNoPathWritesAgainAreForwarded() throws {
        let x = VReg(0), y = VReg(1), t = VReg(2)
        func program(loop: Bool) -> Function {
            var f = fn([
                Block(id: BlockID(0), instructions: [ins(.mov(dst: VReg(9), src: .imm(0), width: .w64))], terminator: .jump(BlockID(1))),
                Block(id: BlockID(1), instructions: [ins(.mov(dst: t, src: .imm(1), width: .w64))],
                      terminator: .branch(.ult, lhs: x, rhs: .reg(y), width: .w64, then: BlockID(3), else: BlockID(2))),
                Block(id: BlockID(2), instructions: [ins(.mov(dst: t, src: .imm(0), width: .w64))], terminator: .jump(BlockID(3))),
                Block(id: BlockID(3), instructions: [ins(.store(base: .slot(0), offset: 4, value: .reg(t), width: .w32))],
                      terminator: .branch(.eq, lhs: y, rhs: .imm(9), width: .w64, then: BlockID(4), else: BlockID(5))),
                Block(id: BlockID(4), terminator: .ret(.imm(0))),
                Block(id: BlockID(5), instructions: [ins(.load(dst: VReg(3), base: .slot(0), offset: 4, width: .w32, signed: false)),
                                                      ins(.binary(.add, dst: VReg(9), lhs: VReg(9), rhs: .reg(VReg(3)), width: .w64)),
                                                      ins(.binary(.add, dst: x, lhs: x, rhs: .imm(1), width: .w64))],
                      terminator: loop ? .branch(.ult, lhs: x, rhs: .imm(3), width: .w64, then: BlockID(1), else: BlockID(6))
                                       : .jump(BlockID(6))),
                Block(id: BlockID(6), terminator: .ret(.reg(VReg(9)))),
            ], params: 2)
            f.slots = [StackSlot(size: 8, alignment: 8, name: "a")]
            return f
        }
        for loop in [false, true] {
            let f = program(loop: loop)
            let g = ValueNumbering.run(f)
            let forwarded = g.blocks[5].instructions[0].inst == .mov(dst: VReg(3), src: .reg(t), width: .w32)
            #expect(forwarded == !loop, "loop \(loop)\(show(g))")
            for args: [Int64] in [[0, 1], [1, 0], [4, 5], [2, 2], [-1, 7]] {
                #expect(try IRInterpreter.run(g, args: args) == IRInterpreter.run(f, args: args), "loop \(loop) \(args)")
            }
        }
    }
}
