import Testing
import BPFIR

/// DeadControlFlow: loops and branches that decide nothing live go.
extension OptimizerPassTests {
    /// A counted loop (r2 from 0 to 10) summing into r3, and storing it into slot 0. What
    /// the loop leaves is returned, read back from the slot, or read by nothing (then the
    /// loop goes, and the stores into the slot nothing reads with it).
    func countedLoop(returnsSum: Bool, storesToSlot: Bool, readsSlot: Bool) -> Function {
        let r = { VReg($0) }
        var body: [Instruction] = [ins(.binary(.add, dst: r(3), lhs: r(3), rhs: .reg(r(2)), width: .w64))]
        if storesToSlot { body.append(ins(.store(base: .slot(0), offset: 0, value: .reg(r(3)), width: .w64))) }
        body.append(ins(.binary(.add, dst: r(2), lhs: r(2), rhs: .imm(1), width: .w64)))
        var exit: [Instruction] = [ins(.store(base: .slot(1), offset: 0, value: .reg(r(0)), width: .w64))]
        if readsSlot { exit.append(ins(.load(dst: r(4), base: .slot(0), offset: 0, width: .w64, signed: false))) }
        let blocks = [
            Block(id: BlockID(0), instructions: [ins(.mov(dst: r(2), src: .imm(0), width: .w64)),
                                                  ins(.mov(dst: r(3), src: .imm(5), width: .w64)),
                                                  ins(.store(base: .slot(0), offset: 0, value: .imm(0), width: .w64))],
                  terminator: .jump(BlockID(1))),
            Block(id: BlockID(1), instructions: body,
                  terminator: .branch(.ult, lhs: r(2), rhs: .imm(10), width: .w64, then: BlockID(1), else: BlockID(2))),
            Block(id: BlockID(2), instructions: exit,
                  terminator: .ret(returnsSum ? .reg(r(3)) : readsSlot ? .reg(r(4)) : .imm(7))),
        ]
        return fn(blocks, slots: [StackSlot(size: 8, alignment: 8, name: "acc"), StackSlot(size: 8, alignment: 8, name: "out")])
    }

    func hasLoop(_ f: Function) -> Bool {
        f.blocks.contains { b in
            switch b.terminator {
            case .branch(_, _, _, _, let t, let e): return t == b.id || e == b.id
            case .jump(let t): return t == b.id
            default: return false
            }
        }
    }

    @Test func loopsWhoseResultsNothingReadsGo() throws {
        for (sum, store, read) in [(false, false, false), (false, true, false), (true, false, false), (false, true, true)] {
            let f = countedLoop(returnsSum: sum, storesToSlot: store, readsSlot: read)
            let g = CFGSimplify.run(DeadControlFlow.run(f))
            #expect(hasLoop(g) == (sum || read), "returns \(sum), stores \(store), reads \(read)\(show(g))")
            #expect(try IRInterpreter.run(g, args: [3]) == IRInterpreter.run(f, args: [3]))
        }
    }

    /// A register read before a loop and then reused by the loop for values nothing reads
    /// after it: the definitions in the loop reach no live use, so the loop goes; when
    /// the register is returned after the loop, they do, and it stays.
    @Test func loopsReusingARegisterReadBeforeThemGo() throws {
        let r = { VReg($0) }
        for returnsReused in [false, true] {
            let f = fn([
                Block(id: BlockID(0), instructions: [ins(.mov(dst: r(2), src: .imm(0), width: .w64)),
                                                      ins(.binary(.add, dst: r(3), lhs: r(0), rhs: .imm(1), width: .w64)),
                                                      ins(.binary(.mul, dst: r(5), lhs: r(3), rhs: .imm(2), width: .w64))],
                      terminator: .jump(BlockID(1))),
                Block(id: BlockID(1), instructions: [ins(.binary(.add, dst: r(3), lhs: r(3), rhs: .reg(r(2)), width: .w64)),
                                                      ins(.binary(.add, dst: r(2), lhs: r(2), rhs: .imm(1), width: .w64))],
                      terminator: .branch(.ult, lhs: r(2), rhs: .imm(10), width: .w64, then: BlockID(1), else: BlockID(2))),
                Block(id: BlockID(2), instructions: [], terminator: .ret(.reg(returnsReused ? r(3) : r(5)))),
            ])
            let g = CFGSimplify.run(DeadControlFlow.run(f))
            #expect(hasLoop(g) == returnsReused, "returns the reused register: \(returnsReused)\(show(g))")
            for v: Int64 in [0, 3, -1] {
                #expect(try IRInterpreter.run(g, args: [v]) == IRInterpreter.run(f, args: [v]))
            }
        }
    }

    /// A loop with no way out leaves nothing to jump to: the function stays as it is.
    @Test func endlessLoopsStay() throws {
        let r = { VReg($0) }
        let f = fn([
            Block(id: BlockID(0), instructions: [ins(.mov(dst: r(2), src: .imm(0), width: .w64))], terminator: .jump(BlockID(1))),
            Block(id: BlockID(1), instructions: [ins(.binary(.add, dst: r(2), lhs: r(2), rhs: .imm(1), width: .w64))],
                  terminator: .jump(BlockID(1))),
        ])
        #expect(DeadControlFlow.run(f).blocks == f.blocks)
    }
}

/// PureFunctions, and DeadControlFlow dropping the calls of pure functions whose results
/// nothing reads.
extension OptimizerPassTests {
    @Test func callsOfPureFunctionsWithUnusedResultsGo() throws {
        let r = { VReg($0) }
        func sub(_ name: String, _ body: [Inst]) -> Function {
            Function(name: name, section: ".text", linkage: .static, parameters: [r(0)],
                     blocks: [Block(id: BlockID(0), instructions: body.map(ins), terminator: .ret(.reg(r(0))))],
                     slots: [StackSlot(size: 8, alignment: 8, name: "t")], nextVReg: 16)
        }
        let loads = sub("loads", [.load(dst: r(1), base: .reg(r(0)), offset: 0, width: .w32, signed: false),
                                  .store(base: .slot(0), offset: 0, value: .reg(r(1)), width: .w64),
                                  .binary(.add, dst: r(0), lhs: r(1), rhs: .imm(3), width: .w64)])
        let writes = sub("writes", [.store(base: .reg(r(0)), offset: 0, value: .imm(1), width: .w32)])
        // An atomic operation on its own frame is no effect; one through a pointer is.
        let ownAtomic = sub("ownAtomic", [.atomic(.xor, base: .slot(0), offset: 0, value: r(0), width: .w64, fetch: nil),
                                          .cmpxchg(dst: r(2), base: .slot(0), offset: 0, expected: r(0), new: r(0), width: .w64)])
        let atomicThrough = sub("atomicThrough", [.atomic(.add, base: .reg(r(0)), offset: 0, value: r(0), width: .w64, fetch: nil)])
        let callsWrites = sub("callsWrites", [.call(dst: r(0), callee: .function("writes"), args: [.reg(r(0))])])
        let callsLoads = sub("callsLoads", [.call(dst: r(0), callee: .function("loads"), args: [.reg(r(0))])])
        let helper = sub("helper", [.call(dst: r(0), callee: .helper(5), args: [])])
        let caller = fn([Block(id: BlockID(0), instructions: [
            ins(.call(dst: r(1), callee: .function("callsLoads"), args: [.reg(r(0))])),
            ins(.call(dst: r(2), callee: .function("callsWrites"), args: [.reg(r(0))])),
            ins(.call(dst: r(3), callee: .function("loads"), args: [.reg(r(0))])),
            ins(.call(dst: r(4), callee: .function("helper"), args: [])),
        ], terminator: .ret(.reg(r(3))))])
        let m = Module(functions: [loads, writes, callsWrites, callsLoads, helper, caller, ownAtomic, atomicThrough])
        let pure = PureFunctions.find(m)
        #expect(pure == [SymbolName("loads"), SymbolName("callsLoads"), SymbolName("ownAtomic")])
        let g = DeadControlFlow.run(caller, pureFunctions: pure)
        let called = g.blocks[0].instructions.compactMap { i -> String? in
            if case .call(_, .function(let n), _) = i.inst { return n.string }
            return nil
        }
        #expect(called == ["callsWrites", "loads", "helper"], "\(show(g))")
        // Without the set every call is an effect.
        #expect(DeadControlFlow.run(caller).blocks == caller.blocks)
    }

    /// Without a loop: a local array indexed by a register, whose loads only feed its own
    /// stores (`a[x & 1] += 1; a[1] ^= a[0] + 3;`, random seed 34736: 1,734 instructions
    /// where clang's build has 516) goes whole; returned, its element keeps everything.
    @Test func localArraysFeedingOnlyThemselvesGoWithoutALoop() throws {
        let r = { VReg($0) }
        func program(returnsElement: Bool) -> Function {
            fn([Block(id: BlockID(0), instructions: [
                .store(base: .slot(0), offset: 0, value: .imm(0), width: .w64),
                .store(base: .slot(0), offset: 8, value: .imm(0), width: .w64),
                .binary(.and, dst: r(1), lhs: r(0), rhs: .imm(1), width: .w64),
                .binary(.shl, dst: r(1), lhs: r(1), rhs: .imm(3), width: .w64),
                .slotAddr(dst: r(2), slot: 0, offset: 0),
                .binary(.add, dst: r(3), lhs: r(2), rhs: .reg(r(1)), width: .w64),
                .load(dst: r(4), base: .reg(r(3)), offset: 0, width: .w64, signed: false),
                .binary(.add, dst: r(4), lhs: r(4), rhs: .imm(1), width: .w64),
                .store(base: .reg(r(3)), offset: 0, value: .reg(r(4)), width: .w64),
                .load(dst: r(5), base: .slot(0), offset: 0, width: .w64, signed: false),
                .binary(.add, dst: r(5), lhs: r(5), rhs: .imm(3), width: .w64),
                .load(dst: r(6), base: .slot(0), offset: 8, width: .w64, signed: false),
                .binary(.xor, dst: r(6), lhs: r(6), rhs: .reg(r(5)), width: .w64),
                .store(base: .slot(0), offset: 8, value: .reg(r(6)), width: .w64),
            ].map(ins), terminator: .ret(.reg(returnsElement ? r(6) : r(0))))],
               slots: [StackSlot(size: 16, alignment: 8, name: "a")])
        }
        let dead = program(returnsElement: false)
        let g = DeadControlFlow.run(dead)
        #expect(g.blocks[0].instructions.isEmpty, "\(show(g))")
        let read = program(returnsElement: true)
        let h = DeadControlFlow.run(read)
        #expect(h.blocks[0].instructions.count == read.blocks[0].instructions.count, "\(show(h))")
        for p: Int64 in [0, 1, 6] {
            #expect(try IRInterpreter.run(g, args: [p]) == IRInterpreter.run(dead, args: [p]))
            #expect(try IRInterpreter.run(h, args: [p]) == IRInterpreter.run(read, args: [p]))
        }
    }

    /// An atomic operation on a local whose address is never taken is a store to it: with
    /// nothing reading the local or the fetched value, the loop doing it goes (random seed
    /// 34654: `__atomic_fetch_or(&a2, ...)` in an inlined function returning a constant).
    /// A volatile local's stores are effects: that loop stays.
    @Test func atomicsOnPrivateLocalsAreStoresAndVolatileStoresStay() throws {
        let r = { VReg($0) }
        func loop(_ body: Inst, readsSlot: Bool, volatile: Bool = false) -> Function {
            var slot = StackSlot(size: 8, alignment: 8, name: "a")
            slot.isVolatile = volatile
            var exit: [Instruction] = []
            if readsSlot { exit.append(ins(.load(dst: r(4), base: .slot(0), offset: 0, width: .w64, signed: false))) }
            return fn([
                Block(id: BlockID(0), instructions: [ins(.mov(dst: r(2), src: .imm(0), width: .w64)),
                                                      ins(.store(base: .slot(0), offset: 0, value: .imm(0), width: .w64))],
                      terminator: .jump(BlockID(1))),
                Block(id: BlockID(1), instructions: [ins(body), ins(.binary(.add, dst: r(2), lhs: r(2), rhs: .imm(1), width: .w64))],
                      terminator: .branch(.ult, lhs: r(2), rhs: .reg(r(0)), width: .w64, then: BlockID(1), else: BlockID(2))),
                Block(id: BlockID(2), instructions: exit, terminator: .ret(readsSlot ? .reg(r(4)) : .imm(7))),
            ], slots: [slot])
        }
        let atomic = Inst.atomic(.or, base: .slot(0), offset: 0, value: r(2), width: .w64, fetch: nil)
        let cases: [(String, Function, Bool)] = [
            ("atomic, unread", loop(atomic, readsSlot: false), false),
            ("atomic, read after", loop(atomic, readsSlot: true), true),
            ("volatile store", loop(.store(base: .slot(0), offset: 0, value: .reg(r(2)), width: .w64), readsSlot: false, volatile: true), true),
        ]
        for (name, f, stays) in cases {
            let g = CFGSimplify.run(DeadControlFlow.run(f))
            #expect(hasLoop(g) == stays, "\(name)\(show(g))")
            for p: Int64 in [0, 3] { #expect(try IRInterpreter.run(g, args: [p]) == IRInterpreter.run(f, args: [p]), "\(name)") }
        }
    }
}
