import Testing
import BPFIR
@testable import BPFCodegen

/// FullUnrolling of loops whose iterations are decided while paths inside them are not.
extension OptimizerPassTests {
    /// `for (i = 0; i < trips; i++) acc = p ? f(acc, i) : g(acc, i)`, where f and g each
    /// switch on i over four cases (the shape of falco's `extract__syscall_argument`
    /// inside `extract__network_args`). The test of `p` is open, but each iteration knows
    /// `i`: the loop becomes its iterations, each with both sides of the test and one
    /// case of each switch, smaller than the loop. With 40 trips the copies would be
    /// larger than the loop, which stays.
    func switchInLoop(trips: Int64) -> Function {
        let p = VReg(0), i = VReg(1), acc = VReg(2)
        func id(_ n: Int) -> BlockID { BlockID(n) }
        func update(_ mul: Int64, _ add: Int64) -> [Instruction] {
            [ins(.binary(.mul, dst: acc, lhs: acc, rhs: .imm(mul), width: .w64)),
             ins(.binary(.add, dst: acc, lhs: acc, rhs: .imm(add), width: .w64))]
        }
        var blocks = [
            Block(id: id(0), instructions: [ins(.mov(dst: i, src: .imm(0), width: .w64)), ins(.mov(dst: acc, src: .imm(1), width: .w64))],
                  terminator: .jump(id(1))),
            Block(id: id(1), terminator: .branch(.ult, lhs: i, rhs: .imm(trips), width: .w64, then: id(2), else: id(99))),
            Block(id: id(2), terminator: .branch(.eq, lhs: p, rhs: .imm(0), width: .w64, then: id(10), else: id(20))),
        ]
        // Two switches on i: blocks 10..13 test, 30..33 / 40..43 the cases.
        for (tests, cases, mul) in [(10, 30, Int64(3)), (20, 40, Int64(5))] {
            for k in 0..<3 {
                blocks.append(Block(id: id(tests + k), terminator: .branch(.eq, lhs: i, rhs: .imm(Int64(k)), width: .w64,
                                                                          then: id(cases + k), else: id(tests + k + 1))))
            }
            blocks.append(Block(id: id(tests + 3), terminator: .jump(id(cases + 3))))
            for k in 0..<4 { blocks.append(Block(id: id(cases + k), instructions: update(mul, Int64(k + 1)), terminator: .jump(id(50)))) }
        }
        blocks.append(Block(id: id(50), instructions: [ins(.binary(.add, dst: i, lhs: i, rhs: .imm(1), width: .w64))], terminator: .jump(id(1))))
        blocks.append(Block(id: id(99), terminator: .ret(.reg(acc))))
        return fn(blocks, params: 1)
    }

    @Test func loopsWhoseIterationsAreDecidedUnrollAroundOpenBranches() throws {
        let f = switchInLoop(trips: 2)
        let g = FullUnrolling.run(f)
        #expect(FullUnrolling.loopHeaders(g).isEmpty, "\(show(g))")
        let size = g.blocks.reduce(0) { $0 + $1.instructions.count }
        #expect(size <= 2 + 2 * (2 + 2 + 1), "two iterations of one case on each side plus the counter:\(show(g))")
        for p: Int64 in [0, 1, -5] {
            #expect(try IRInterpreter.run(g, args: [p]) == IRInterpreter.run(f, args: [p]))
        }
        let long = switchInLoop(trips: 40)
        #expect(!FullUnrolling.loopHeaders(FullUnrolling.run(long)).isEmpty)
    }
}

extension OptimizerPassTests {
    /// `i = 0; while (i < 2) { i++; acc = acc * 3 + 1; if ((p >> i) & 1) continue; acc += 7; }`:
    /// data decides whether a round goes on to the header, but the header's own test,
    /// decided in every round, says whether there is another: unrolled (two rounds, as
    /// clang unrolls it). With `dataRepeats` the data test's edge back goes to a header
    /// that tests no exit (`do { ... } while ((p >> i) & 1)` around the counted part):
    /// data decides how often the loop goes round, and it stays a loop.
    @Test func aContinueInACountedLoopLeavesItsTripsDecided() throws {
        let p = VReg(0), i = VReg(1), acc = VReg(2), t = VReg(3), u = VReg(4)
        func id(_ n: Int) -> BlockID { BlockID(n) }
        func program(dataRepeats: Bool) -> Function {
            let body = [ins(.binary(.add, dst: i, lhs: i, rhs: .imm(1), width: .w64)),
                        ins(.binary(.mul, dst: acc, lhs: acc, rhs: .imm(3), width: .w64)),
                        ins(.binary(.add, dst: acc, lhs: acc, rhs: .imm(1), width: .w64)),
                        ins(.binary(.lshr, dst: t, lhs: p, rhs: .reg(i), width: .w64)),
                        ins(.binary(.and, dst: u, lhs: t, rhs: .imm(1), width: .w64))]
            let start = Block(id: id(0), instructions: [ins(.mov(dst: i, src: .imm(0), width: .w64)), ins(.mov(dst: acc, src: .imm(1), width: .w64))],
                              terminator: .jump(id(1)))
            let end = Block(id: id(9), terminator: .ret(.reg(acc)))
            if dataRepeats {
                return fn([start,
                           Block(id: id(1), instructions: body, terminator: .branch(.ne, lhs: u, rhs: .imm(0), width: .w64, then: id(1), else: id(3))),
                           Block(id: id(3), instructions: [ins(.binary(.add, dst: acc, lhs: acc, rhs: .imm(7), width: .w64))],
                                 terminator: .branch(.ult, lhs: i, rhs: .imm(2), width: .w64, then: id(1), else: id(9))),
                           end], params: 1)
            }
            return fn([start,
                       Block(id: id(1), terminator: .branch(.ult, lhs: i, rhs: .imm(2), width: .w64, then: id(2), else: id(9))),
                       Block(id: id(2), instructions: body, terminator: .branch(.ne, lhs: u, rhs: .imm(0), width: .w64, then: id(1), else: id(3))),
                       Block(id: id(3), instructions: [ins(.binary(.add, dst: acc, lhs: acc, rhs: .imm(7), width: .w64))], terminator: .jump(id(1))),
                       end], params: 1)
        }
        let f = program(dataRepeats: false), g = FullUnrolling.run(f)
        #expect(FullUnrolling.loopHeaders(g).isEmpty, "\(show(g))")
        for v: Int64 in [0, 2, 4, 6, -1] { #expect(try IRInterpreter.run(g, args: [v]) == IRInterpreter.run(f, args: [v]), "\(v)") }
        let repeats = program(dataRepeats: true)
        #expect(!FullUnrolling.loopHeaders(FullUnrolling.run(repeats)).isEmpty, "\(show(FullUnrolling.run(repeats)))")
    }
}

/// FullUnrolling of loops that a count bounds while data may leave them early, and of
/// loops whose exit reads constant data.
extension OptimizerPassTests {
    enum EarlyExit { case data, dataInHeader, variableBound }

    /// `for (i = 0; i < 6; i++) { if ((p >> i) == 0) break; acc = acc * 3 + i; }`;
    /// `.dataInHeader`: `while ((p >> i) != 0 && i < 6)`, the data test in the header;
    /// `.variableBound`: `if (p <u i) break;`, a second bound that clang folds into the
    /// loop's test. Clang keeps the last two rolled.
    func earlyExitLoop(_ kind: EarlyExit) -> Function {
        let p = VReg(0), i = VReg(1), acc = VReg(2), t = VReg(3)
        func id(_ n: Int) -> BlockID { BlockID(n) }
        let counted: Terminator = .branch(.ult, lhs: i, rhs: .imm(6), width: .w64, then: id(2), else: id(99))
        let shifted = [ins(.binary(.lshr, dst: t, lhs: p, rhs: .reg(i), width: .w64))]
        let dataTest: Terminator = .branch(.eq, lhs: t, rhs: .imm(0), width: .w64, then: id(99), else: id(3))
        var blocks = [Block(id: id(0), instructions: [ins(.mov(dst: i, src: .imm(0), width: .w64)), ins(.mov(dst: acc, src: .imm(1), width: .w64))],
                            terminator: .jump(id(1)))]
        switch kind {
        case .data:
            blocks += [Block(id: id(1), terminator: counted), Block(id: id(2), instructions: shifted, terminator: dataTest)]
        case .dataInHeader:
            blocks += [Block(id: id(1), instructions: shifted, terminator: .branch(.eq, lhs: t, rhs: .imm(0), width: .w64, then: id(99), else: id(2))),
                       Block(id: id(2), terminator: .branch(.ult, lhs: i, rhs: .imm(6), width: .w64, then: id(3), else: id(99)))]
        case .variableBound:
            blocks += [Block(id: id(1), terminator: counted),
                       Block(id: id(2), terminator: .branch(.ult, lhs: p, rhs: .reg(i), width: .w64, then: id(99), else: id(3)))]
        }
        blocks += [
            Block(id: id(3), instructions: [ins(.binary(.mul, dst: acc, lhs: acc, rhs: .imm(3), width: .w64)),
                                            ins(.binary(.add, dst: acc, lhs: acc, rhs: .reg(i), width: .w64)),
                                            ins(.binary(.add, dst: i, lhs: i, rhs: .imm(1), width: .w64))],
                  terminator: .jump(id(1))),
            Block(id: id(99), terminator: .ret(.reg(acc))),
        ]
        return fn(blocks, params: 1)
    }

    @Test func countedLoopsWithEarlyExitsUnrollWithinTheBudget() throws {
        let f = earlyExitLoop(.data)
        let g = FullUnrolling.run(f)
        #expect(FullUnrolling.loopHeaders(g).isEmpty, "\(show(g))")
        for p: Int64 in [0, 1, 5, 40, 63, 64, -1] {
            #expect(try IRInterpreter.run(g, args: [p]) == IRInterpreter.run(f, args: [p]))
        }
        // The copies are larger than the loop, which stays.
        for kind in [EarlyExit.dataInHeader, .variableBound] {
            #expect(!FullUnrolling.loopHeaders(FullUnrolling.run(earlyExitLoop(kind))).isEmpty, "\(kind)")
        }
    }

    /// `for (i = 0; i < 64; i++) { c = s[i]; if (!c) return 1; if (c != p) return 0; }`,
    /// `s` (register 2) set by `pointer` before the loop.
    func stringCompareLoop(_ pointer: [Instruction]) -> Function {
        let p = VReg(0), i = VReg(1), s = VReg(2), a = VReg(3), c = VReg(4)
        func id(_ n: Int) -> BlockID { BlockID(n) }
        return fn([
            Block(id: id(0), instructions: [ins(.mov(dst: i, src: .imm(0), width: .w64))] + pointer, terminator: .jump(id(1))),
            Block(id: id(1), terminator: .branch(.ult, lhs: i, rhs: .imm(64), width: .w64, then: id(2), else: id(97))),
            Block(id: id(2), instructions: [ins(.binary(.add, dst: a, lhs: s, rhs: .reg(i), width: .w64)),
                                            ins(.load(dst: c, base: .reg(a), offset: 0, width: .w8, signed: false))],
                  terminator: .branch(.eq, lhs: c, rhs: .imm(0), width: .w64, then: id(98), else: id(3))),
            Block(id: id(3), terminator: .branch(.ne, lhs: c, rhs: .reg(p), width: .w64, then: id(97), else: id(4))),
            Block(id: id(4), instructions: [ins(.binary(.add, dst: i, lhs: i, rhs: .imm(1), width: .w64))], terminator: .jump(id(1))),
            Block(id: id(97), terminator: .ret(.imm(0))),
            Block(id: id(98), terminator: .ret(.imm(1))),
        ], params: 1)
    }

    /// The loop over the string "ab": the bytes decide the third iteration's exit.
    @Test func loopsLeftByAConstantStringsBytesUnroll() throws {
        let f = stringCompareLoop([ins(.symbolAddr(dst: VReg(2), symbol: SymbolRef(name: ".rodata.str1.1", offset: 2)))])
        // Unknown bytes: 64 iterations would be larger than the budget.
        #expect(!FullUnrolling.loopHeaders(FullUnrolling.run(f)).isEmpty)
        let memory = ReadOnlyMemory(data: [".rodata.str1.1": Array("x\0ab\0".utf8)])
        let g = FullUnrolling.run(f, memory: memory)
        #expect(FullUnrolling.loopHeaders(g).isEmpty, "\(show(g))")
        let loads = g.blocks.flatMap(\.instructions).filter { if case .load = $0.inst { return true }; return false }
        #expect(loads.count == 3, "s[0], s[1] and the NUL:\(show(g))")
    }

    /// The same loop over `table[1]` of `static const char *const table[]`: the pointer
    /// word the load reads is the string's address, whose bytes then decide the exits.
    @Test func loopsOverAStringFromAPointerTableUnroll() throws {
        let t = VReg(5)
        let f = stringCompareLoop([ins(.symbolAddr(dst: t, symbol: SymbolRef(name: "table", offset: 0))),
                                   ins(.load(dst: VReg(2), base: .reg(t), offset: 8, width: .w64, signed: false))])
        let strings = ".rodata.str1.1"
        var memory = ReadOnlyMemory(data: [strings: Array("x\0abc\0".utf8), "table": Array(repeating: 0, count: 16)],
                                    addresses: ["table": [0: SymbolRef(name: strings, offset: 0), 8: SymbolRef(name: strings, offset: 2)]])
        let g = FullUnrolling.run(f, memory: memory)
        #expect(FullUnrolling.loopHeaders(g).isEmpty, "\(show(g))")
        let loads = g.blocks.flatMap(\.instructions).filter { if case .load(_, .reg(let b), _, .w8, _) = $0.inst { return b != t }; return false }
        #expect(loads.count == 4, "s[0], s[1], s[2] and the NUL:\(show(g))")
        // A pointer word whose target is not constant data tells nothing.
        memory = ReadOnlyMemory(data: memory.data, addresses: ["table": [8: SymbolRef(name: "elsewhere", offset: 0)]])
        #expect(!FullUnrolling.loopHeaders(FullUnrolling.run(f, memory: memory)).isEmpty)
    }
}

/// FullUnrolling of a loop nested in another: the inner loop is its own blocks (its
/// natural loop), not every block on a cycle through its header, which took in the outer
/// loop and kept every inner loop rolled.
extension OptimizerPassTests {
    /// `for (o = 0; o < p; o++) { i = 0; do { i++; acc = q ? acc * 5 + i : acc * 3 + i; } while (i < 2); }`:
    /// the inner loop is a do-while whose first block (its header) tests data, a test
    /// that stays inside the loop; each of its two rounds is decided.
    func innerDoWhile() -> Function {
        let p = VReg(0), q = VReg(1), o = VReg(2), i = VReg(3), acc = VReg(4)
        func id(_ n: Int) -> BlockID { BlockID(n) }
        func update(_ mul: Int64) -> [Instruction] {
            [ins(.binary(.mul, dst: acc, lhs: acc, rhs: .imm(mul), width: .w64)),
             ins(.binary(.add, dst: acc, lhs: acc, rhs: .reg(i), width: .w64))]
        }
        let blocks = [
            Block(id: id(0), instructions: [ins(.mov(dst: o, src: .imm(0), width: .w64)), ins(.mov(dst: acc, src: .imm(1), width: .w64))],
                  terminator: .jump(id(1))),
            Block(id: id(1), terminator: .branch(.slt, lhs: o, rhs: .reg(p), width: .w64, then: id(2), else: id(99))),
            Block(id: id(2), instructions: [ins(.mov(dst: i, src: .imm(0), width: .w64))], terminator: .jump(id(3))),
            Block(id: id(3), instructions: [ins(.binary(.add, dst: i, lhs: i, rhs: .imm(1), width: .w64))],
                  terminator: .branch(.eq, lhs: q, rhs: .imm(0), width: .w64, then: id(4), else: id(5))),
            Block(id: id(4), instructions: update(3), terminator: .jump(id(6))),
            Block(id: id(5), instructions: update(5), terminator: .jump(id(6))),
            Block(id: id(6), terminator: .branch(.slt, lhs: i, rhs: .imm(2), width: .w64, then: id(3), else: id(7))),
            Block(id: id(7), instructions: [ins(.binary(.add, dst: o, lhs: o, rhs: .imm(1), width: .w64))], terminator: .jump(id(1))),
            Block(id: id(99), terminator: .ret(.reg(acc))),
        ]
        return fn(blocks, params: 2)
    }

    @Test func innerLoopsOfANestUnrollOnTheirOwn() throws {
        let f = innerDoWhile()
        #expect(FullUnrolling.loopHeaders(f).count == 2)
        let g = FullUnrolling.run(f)
        // The outer loop, bounded by data, stays; the inner one is its two rounds.
        #expect(FullUnrolling.loopHeaders(g).count == 1, "\(show(g))")
        for (p, q): (Int64, Int64) in [(0, 0), (1, 0), (3, 1), (4, 0), (2, 7)] {
            #expect(try IRInterpreter.run(g, args: [p, q]) == IRInterpreter.run(f, args: [p, q]))
        }
    }
}
