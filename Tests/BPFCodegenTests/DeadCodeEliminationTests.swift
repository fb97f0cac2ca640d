import Testing
@testable import BPFIR
@testable import BPFCodegen

/// DeadCodeElimination in a function large enough for its use-count pre-pass.
extension OptimizerPassTests {
    /// A chain of values through 300 blocks, each block's value computed from the last
    /// one's; the function returns the first value (or the last, when `readLast`).
    func valueChain(readLast: Bool) -> Function {
        let n = 300
        var blocks: [Block] = []
        for k in 0..<n {
            let prev = k == 0 ? VReg(0) : VReg(k)
            blocks.append(Block(id: BlockID(k), instructions: [ins(.binary(.add, dst: VReg(k + 1), lhs: prev, rhs: .imm(Int64(k)), width: .w64))],
                                terminator: .jump(BlockID(k + 1))))
        }
        blocks.append(Block(id: BlockID(n), terminator: .ret(.reg(readLast ? VReg(n) : VReg(1)))))
        return fn(blocks, params: 1, next: n + 2)
    }

    @Test func deadChainsAcrossManyBlocksGoInOneUseCountPass() throws {
        let f = valueChain(readLast: false)
        #expect(f.blocks.count >= DeadCodeElimination.largeFunction)
        let g = DeadCodeElimination.removingUnused(f)
        #expect(g.blocks.reduce(0) { $0 + $1.instructions.count } == 1, "only the value returned stays")
        #expect(try IRInterpreter.run(g, args: [5]) == IRInterpreter.run(f, args: [5]))
        let all = valueChain(readLast: true)
        let h = DeadCodeElimination.run(all)
        #expect(h.blocks.reduce(0) { $0 + $1.instructions.count } == 300, "every link is read")
        #expect(try IRInterpreter.run(h, args: [5]) == IRInterpreter.run(all, args: [5]))
    }
}

/// DeadControlFlow: a local array whose address only indexes its own loads and stores is
/// a variable; its stores are dead when nothing live reads it.
extension OptimizerPassTests {
    /// `for (i = 0; i < 4; i++) a[p & 3] += i;` then `return read ? a[1] : p`, or with
    /// the array's address passed to a call (`escapes`).
    func localArrayLoop(read: Bool, escapes: Bool) -> Function {
        let p = VReg(0), i = VReg(1), base = VReg(2), idx = VReg(3), addr = VReg(4), v = VReg(5), r = VReg(6)
        func id(_ n: Int) -> BlockID { BlockID(n) }
        var exit: [Instruction] = []
        if escapes { exit.append(ins(.call(dst: nil, callee: .helper(99), args: OperandList([.reg(base)])))) }
        if read { exit.append(ins(.load(dst: r, base: .slot(0), offset: 8, width: .w64, signed: false))) }
        return fn([
            Block(id: id(0), instructions: [ins(.store(base: .slot(0), offset: 0, value: .imm(0), width: .w64)),
                                            ins(.store(base: .slot(0), offset: 8, value: .imm(0), width: .w64)),
                                            ins(.store(base: .slot(0), offset: 16, value: .imm(0), width: .w64)),
                                            ins(.store(base: .slot(0), offset: 24, value: .imm(0), width: .w64)),
                                            ins(.slotAddr(dst: base, slot: 0, offset: 0)),
                                            ins(.mov(dst: i, src: .imm(0), width: .w64))],
                  terminator: .jump(id(1))),
            Block(id: id(1), terminator: .branch(.ult, lhs: i, rhs: .imm(4), width: .w64, then: id(2), else: id(3))),
            Block(id: id(2), instructions: [ins(.binary(.and, dst: idx, lhs: p, rhs: .imm(3), width: .w64)),
                                            ins(.binary(.shl, dst: idx, lhs: idx, rhs: .imm(3), width: .w64)),
                                            ins(.binary(.add, dst: addr, lhs: base, rhs: .reg(idx), width: .w64)),
                                            ins(.load(dst: v, base: .reg(addr), offset: 0, width: .w64, signed: false)),
                                            ins(.binary(.add, dst: v, lhs: v, rhs: .reg(i), width: .w64)),
                                            ins(.store(base: .reg(addr), offset: 0, value: .reg(v), width: .w64)),
                                            ins(.binary(.add, dst: i, lhs: i, rhs: .imm(1), width: .w64))],
                  terminator: .jump(id(1))),
            Block(id: id(3), instructions: exit, terminator: .ret(.reg(read ? r : p))),
        ], params: 1, slots: [StackSlot(size: 32, alignment: 8, name: "a")])
    }

    @Test func localArraysOnlyIndexedByThemselvesAreVariables() throws {
        func stores(_ g: Function) -> Int {
            g.blocks.flatMap(\.instructions).filter { if case .store = $0.inst { return true }; return false }.count
        }
        let dead = localArrayLoop(read: false, escapes: false)
        let g = DeadControlFlow.run(dead)
        #expect(stores(g) == 0, "\(show(g))")
        #expect(FullUnrolling.loopHeaders(g).isEmpty, "the loop went with its stores:\(show(g))")
        #expect(try IRInterpreter.run(g, args: [6]) == IRInterpreter.run(dead, args: [6]))
        let read = localArrayLoop(read: true, escapes: false)
        let h = DeadControlFlow.run(read)
        #expect(stores(h) == 5, "\(show(h))")
        for p: Int64 in [0, 1, 5, -3] { #expect(try IRInterpreter.run(h, args: [p]) == IRInterpreter.run(read, args: [p])) }
        #expect(stores(DeadControlFlow.run(localArrayLoop(read: false, escapes: true))) == 5)
    }
}

/// DeadControlFlow: a `static` only one function names is a variable of that function:
/// stores to it that no live load reads go, with the loop that computed them.
extension OptimizerPassTests {
    /// `for (i = 0; i < 4; i++) g = g * 31 + i;` then `return read ? g : p`, or with g's
    /// address passed to a call (`escapes`).
    func staticLoop(read: Bool, escapes: Bool) -> Function {
        let p = VReg(0), i = VReg(1), base = VReg(2), v = VReg(5), r = VReg(6)
        func id(_ n: Int) -> BlockID { BlockID(n) }
        var exit: [Instruction] = []
        if escapes { exit.append(ins(.call(dst: nil, callee: .helper(99), args: OperandList([.reg(base)])))) }
        if read { exit.append(ins(.load(dst: r, base: .reg(base), offset: 0, width: .w64, signed: false))) }
        return fn([
            Block(id: id(0), instructions: [ins(.symbolAddr(dst: base, symbol: SymbolRef(name: "g", offset: 0))),
                                            ins(.mov(dst: i, src: .imm(0), width: .w64))],
                  terminator: .jump(id(1))),
            Block(id: id(1), terminator: .branch(.ult, lhs: i, rhs: .imm(4), width: .w64, then: id(2), else: id(3))),
            Block(id: id(2), instructions: [ins(.load(dst: v, base: .reg(base), offset: 0, width: .w64, signed: false)),
                                            ins(.binary(.mul, dst: v, lhs: v, rhs: .imm(31), width: .w64)),
                                            ins(.binary(.add, dst: v, lhs: v, rhs: .reg(i), width: .w64)),
                                            ins(.store(base: .reg(base), offset: 0, value: .reg(v), width: .w64)),
                                            ins(.binary(.add, dst: i, lhs: i, rhs: .imm(1), width: .w64))],
                  terminator: .jump(id(1))),
            Block(id: id(3), instructions: exit, terminator: .ret(.reg(read ? r : p))),
        ], params: 1)
    }

    @Test func staticsOnlyOneFunctionNamesAreItsVariables() {
        func stores(_ g: Function) -> Int {
            g.blocks.flatMap(\.instructions).filter { if case .store = $0.inst { return true }; return false }.count
        }
        let dead = DeadControlFlow.run(staticLoop(read: false, escapes: false), privateStatics: ["g"])
        #expect(stores(dead) == 0, "\(show(dead))")
        #expect(FullUnrolling.loopHeaders(dead).isEmpty, "the loop went with its stores:\(show(dead))")
        // Kept: g read at the end, g's address passed to a helper, g named elsewhere too.
        #expect(stores(DeadControlFlow.run(staticLoop(read: true, escapes: false), privateStatics: ["g"])) == 1)
        #expect(stores(DeadControlFlow.run(staticLoop(read: false, escapes: true), privateStatics: ["g"])) == 1)
        #expect(stores(DeadControlFlow.run(staticLoop(read: false, escapes: false))) == 1)
    }
}
