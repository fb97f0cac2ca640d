import Testing
import BPFIR

/// `SteadyStatics`: a `static` whose every write runs only once it has changed keeps its
/// initializer (random seed 55155, reduced: a static toggled in a `switch` case its own
/// initial value never selects, in a 7-round loop the verifier then walked past its limit).
extension OptimizerPassTests {
    private func sym(_ name: String) -> SymbolRef { SymbolRef(name: name, offset: 0) }

    /// Straight-line code returning `k`: no load, no branch.
    private func returnsConstant(_ f: Function, _ k: Int64) -> Bool {
        !hasLoad(f) && f.blocks.allSatisfy { if case .branch = $0.terminator { return false }; return true }
            && f.blocks.contains { $0.terminator == .ret(.imm(k)) }
    }

    private func hasLoad(_ f: Function) -> Bool {
        f.blocks.contains { $0.instructions.contains { if case .load = $0.inst { return true }; return false } }
    }

    /// `v = a; if (v <cond> k) a = <stored>; return a + b` over statics `a` (initial 0, the
    /// candidate) and `b` (initial 3); `cond` tests the static or the parameter.
    private func guardedWrite(testsParameter: Bool = false, stored: Operand = .reg(VReg(0))) -> Function {
        fn([
            Block(id: BlockID(0), instructions: [
                ins(.symbolAddr(dst: VReg(1), symbol: sym("a"))),
                ins(.load(dst: VReg(2), base: .reg(VReg(1)), offset: 0, width: .w32, signed: false)),
            ], terminator: .branch(.ne, lhs: testsParameter ? VReg(0) : VReg(2), rhs: .imm(0), width: .w64, then: BlockID(1), else: BlockID(2))),
            Block(id: BlockID(1), instructions: [
                ins(.store(base: .reg(VReg(1)), offset: 0, value: stored, width: .w32)),
            ], terminator: .jump(BlockID(2))),
            Block(id: BlockID(2), instructions: [
                ins(.load(dst: VReg(3), base: .reg(VReg(1)), offset: 0, width: .w32, signed: false)),
                ins(.symbolAddr(dst: VReg(4), symbol: sym("b"))),
                ins(.load(dst: VReg(5), base: .reg(VReg(4)), offset: 0, width: .w32, signed: false)),
                ins(.binary(.add, dst: VReg(6), lhs: VReg(3), rhs: .reg(VReg(5)), width: .w64)),
            ], terminator: .ret(.reg(VReg(6)))),
        ])
    }

    private func statics(_ functions: [Function], written: [String] = ["a"]) -> Module {
        var m = Module(functions: functions, readOnlyData: ["a": [0, 0, 0, 0], "b": [3, 0, 0, 0]])
        for name in written { m.writtenBytes[name] = [0..<4] }
        return m
    }

    @Test func aStaticWrittenOnlyOnceChangedKeepsItsInitializer() {
        let o = Optimizer.run(statics([guardedWrite()]), level: 2)
        #expect(returnsConstant(o.functions[0], 3), "\(show(o.functions[0]))")
        #expect(o.writtenBytes["a"] == nil)
        // A write of the bytes it already holds changes nothing either, and goes.
        let same = Optimizer.run(statics([guardedWrite(testsParameter: true, stored: .imm(0))]), level: 2)
        #expect(returnsConstant(same.functions[0], 3) && same.writtenBytes["a"] == nil, "\(show(same.functions[0]))")
        #expect(!same.functions[0].blocks.contains { $0.instructions.contains { if case .store = $0.inst { return true }; return false } })
    }

    @Test func aStaticAWriteThatRunsChangesIsLoaded() {
        for (what, f) in [("the parameter tested", guardedWrite(testsParameter: true)),
                          ("another constant", guardedWrite(testsParameter: true, stored: .imm(5)))] {
            let o = Optimizer.run(statics([f]), level: 2)
            #expect(hasLoad(o.functions[0]) && o.writtenBytes["a"] == [0..<4], "\(what): \(show(o.functions[0]))")
        }
    }

    /// `if (a != 0) b = x; if (b != 3) a = 1; return a + b`: neither changes first, so
    /// neither ever does — found together (each alone is not: the other's write then
    /// may run).
    @Test func staticsWrittenOnlyOnceTheOtherChangedKeepTheirInitializers() {
        func f(secondWriteRuns: Bool) -> Function {
            fn([
                Block(id: BlockID(0), instructions: [
                    ins(.symbolAddr(dst: VReg(1), symbol: sym("a"))),
                    ins(.symbolAddr(dst: VReg(4), symbol: sym("b"))),
                    ins(.load(dst: VReg(2), base: .reg(VReg(1)), offset: 0, width: .w32, signed: false)),
                ], terminator: .branch(.ne, lhs: VReg(2), rhs: .imm(0), width: .w64, then: BlockID(1), else: BlockID(2))),
                Block(id: BlockID(1), instructions: [
                    ins(.store(base: .reg(VReg(4)), offset: 0, value: .reg(VReg(0)), width: .w32)),
                ], terminator: .jump(BlockID(2))),
                Block(id: BlockID(2), instructions: [
                    ins(.load(dst: VReg(5), base: .reg(VReg(4)), offset: 0, width: .w32, signed: false)),
                ], terminator: .branch(.ne, lhs: secondWriteRuns ? VReg(0) : VReg(5), rhs: .imm(3), width: .w64, then: BlockID(3), else: BlockID(4))),
                Block(id: BlockID(3), instructions: [
                    ins(.store(base: .reg(VReg(1)), offset: 0, value: .imm(1), width: .w32)),
                ], terminator: .jump(BlockID(4))),
                Block(id: BlockID(4), instructions: [
                    ins(.load(dst: VReg(3), base: .reg(VReg(1)), offset: 0, width: .w32, signed: false)),
                    ins(.load(dst: VReg(6), base: .reg(VReg(4)), offset: 0, width: .w32, signed: false)),
                    ins(.binary(.add, dst: VReg(7), lhs: VReg(3), rhs: .reg(VReg(6)), width: .w64)),
                ], terminator: .ret(.reg(VReg(7)))),
            ])
        }
        let o = Optimizer.run(statics([f(secondWriteRuns: false)], written: ["a", "b"]), level: 2)
        #expect(returnsConstant(o.functions[0], 3), "\(show(o.functions[0]))")
        #expect(o.writtenBytes.isEmpty)
        // `a = 1` on the parameter's say: `a` changes, then `b` may.
        let kept = Optimizer.run(statics([f(secondWriteRuns: true)], written: ["a", "b"]), level: 2)
        #expect(kept.writtenBytes["a"] != nil && kept.writtenBytes["b"] != nil && hasLoad(kept.functions[0]), "\(show(kept.functions[0]))")
    }

    /// Another function reading the static folds its load too.
    @Test func theStaticsReadersFoldItsLoads() {
        let reader = fn([Block(id: BlockID(0), instructions: [
            ins(.symbolAddr(dst: VReg(1), symbol: sym("a"))),
            ins(.load(dst: VReg(2), base: .reg(VReg(1)), offset: 0, width: .w32, signed: false)),
            ins(.binary(.add, dst: VReg(3), lhs: VReg(2), rhs: .imm(9), width: .w64)),
        ], terminator: .ret(.reg(VReg(3))))])
        let o = Optimizer.run(statics([guardedWrite(), reader]), level: 2)
        #expect(returnsConstant(o.functions[1], 9), "\(show(o.functions[1]))")
        let kept = Optimizer.run(statics([guardedWrite(testsParameter: true), reader]), level: 2)
        #expect(hasLoad(kept.functions[1]), "\(show(kept.functions[1]))")
    }

    /// `a %= x; return a;` of `a` 0: 0 % x is 0, so the store writes what `a` holds (the
    /// remainder's 0 known through the extension after it, a register holding it stored:
    /// random seeds 58725 and 46282, over the verifier's limit before).
    @Test func aStaticKeptAtZeroByARemainderIsSteady() {
        let f = fn([Block(id: BlockID(0), instructions: [
            ins(.symbolAddr(dst: VReg(1), symbol: sym("a"))),
            ins(.load(dst: VReg(2), base: .reg(VReg(1)), offset: 0, width: .w32, signed: false)),
            ins(.binary(.urem, dst: VReg(3), lhs: VReg(2), rhs: .reg(VReg(0)), width: .w64)),
            ins(.ext(dst: VReg(4), src: VReg(3), from: .w16, to: .w32, signed: false)),
            ins(.store(base: .reg(VReg(1)), offset: 0, value: .reg(VReg(4)), width: .w32)),
        ], terminator: .ret(.reg(VReg(4))))])
        let o = Optimizer.run(statics([f]), level: 2)
        #expect(returnsConstant(o.functions[0], 0) && o.writtenBytes["a"] == nil, "\(show(o.functions[0]))")
    }

    /// `UnwrittenGlobals.writes`: a store of a register written once with a constant
    /// writes that constant.
    @Test func aRegisterHoldingAConstantStoresTheConstant() {
        let f = fn([Block(id: BlockID(0), instructions: [
            ins(.symbolAddr(dst: VReg(1), symbol: sym("a"))),
            ins(.mov(dst: VReg(2), src: .imm(7), width: .w64)),
            ins(.store(base: .reg(VReg(1)), offset: 1, value: .reg(VReg(2)), width: .w8)),
            ins(.store(base: .reg(VReg(1)), offset: 2, value: .reg(VReg(0)), width: .w8)),
        ], terminator: .ret(.imm(0)))])
        let w = UnwrittenGlobals.writes(["a"], in: [f], bigEndian: false)["a"]
        #expect(w?.constants == [1: [7]] && w?.ranges == [1..<2, 2..<3])
    }
}

extension OptimizerPassTests {
    /// `a + b` into VReg(6) (the block then returns it), `a`'s address in `a`: the loads of
    /// two statics the programs below add.
    private func returningSum(a: VReg, b: SymbolRef) -> [Instruction] {
        [ins(.load(dst: VReg(3), base: .reg(a), offset: 0, width: .w32, signed: false)),
         ins(.symbolAddr(dst: VReg(4), symbol: b)),
         ins(.load(dst: VReg(5), base: .reg(VReg(4)), offset: 0, width: .w32, signed: false)),
         ins(.binary(.add, dst: VReg(6), lhs: VReg(3), rhs: .reg(VReg(5)), width: .w64))]
    }

    /// `if (a != 0) bump(); return a + b` with `bump` a static sub-program storing 1 to `a`:
    /// supposing `a` keeps its 0, the call goes with its branch, `bump` never runs, and its
    /// write does not count — `a` is steady and the program returns 3 (random seed 64617:
    /// 34,672 verified instructions → 175; clang 162). Were `bump` a global function, or
    /// also called where `a` does not decide, its write would run.
    @Test func aWriteOnlyAnUncalledSubProgramMakesLeavesTheStaticSteady() {
        let a = SymbolRef(name: "a", offset: 0), b = SymbolRef(name: "b", offset: 0)
        func module(bumpLinkage: Linkage, calledAlways: Bool) -> Module {
            let bump = Function(name: "bump", section: ".text", linkage: bumpLinkage, parameters: [], blocks: [
                Block(id: BlockID(0), instructions: [
                    ins(.symbolAddr(dst: VReg(1), symbol: a)),
                    ins(.store(base: .reg(VReg(1)), offset: 0, value: .imm(1), width: .w32)),
                ], terminator: .ret(.imm(0))),
            ], slots: [], nextVReg: 8)
            let program = fn([
                Block(id: BlockID(0), instructions: [
                    ins(.symbolAddr(dst: VReg(1), symbol: a)),
                    ins(.load(dst: VReg(2), base: .reg(VReg(1)), offset: 0, width: .w32, signed: false)),
                ], terminator: .branch(.ne, lhs: calledAlways ? VReg(0) : VReg(2), rhs: .imm(0), width: .w64,
                                       then: BlockID(1), else: BlockID(2))),
                Block(id: BlockID(1), instructions: [ins(.call(dst: VReg(7), callee: .function("bump"), args: []))],
                      terminator: .jump(BlockID(2))),
                Block(id: BlockID(2), instructions: returningSum(a: VReg(1), b: b), terminator: .ret(.reg(VReg(6)))),
            ])
            var m = Module(functions: [bump, program], readOnlyData: ["a": [0, 0, 0, 0], "b": [3, 0, 0, 0]])
            m.writtenBytes["a"] = [0..<4]
            return m
        }
        let steady = Optimizer.run(module(bumpLinkage: .static, calledAlways: false), level: 2)
        #expect(steady.writtenBytes["a"] == nil)
        #expect(steady.functions.map(\.name) == ["f"], "bump is dropped once no call reaches it")
        #expect(steady.functions.last.map { returnsConstant($0, 3) } == true, "\(steady.functions.map(show))")

        for (what, m) in [("a global function", module(bumpLinkage: .global, calledAlways: false)),
                          ("a call the parameter decides", module(bumpLinkage: .static, calledAlways: true))] {
            let o = Optimizer.run(m, level: 2)
            #expect(o.writtenBytes["a"] == [0..<4], "\(what)")
            #expect(o.functions.last.map(hasLoad) == true, "\(what): \(o.functions.map(show))")
        }
    }
    /// `if (get() == 7) a = 5; return a + b` where the static sub-program `get` returns
    /// `a`: on the supposition that `a` keeps its 0, `get` returns 0, its caller reads that
    /// (random seed 65214, reduced: a `switch` on such a call whose case decrementing the
    /// static never ran; 2,057 verified, clang 47). A global `get` may be replaced when
    /// objects are linked: the static stays loaded.
    @Test func aSubProgramReturningTheStaticGivesItsCallersTheInitializer() {
        let a = SymbolRef(name: "a", offset: 0), b = SymbolRef(name: "b", offset: 0)
        func module(getLinkage: Linkage) -> Module {
            let get = Function(name: "get", section: ".text", linkage: getLinkage, parameters: [], blocks: [
                Block(id: BlockID(0), instructions: [
                    ins(.symbolAddr(dst: VReg(1), symbol: a)),
                    ins(.load(dst: VReg(2), base: .reg(VReg(1)), offset: 0, width: .w32, signed: false)),
                ], terminator: .ret(.reg(VReg(2)))),
            ], slots: [], nextVReg: 8)
            let program = fn([
                Block(id: BlockID(0), instructions: [ins(.call(dst: VReg(2), callee: .function("get"), args: []))],
                      terminator: .branch(.eq, lhs: VReg(2), rhs: .imm(7), width: .w64, then: BlockID(1), else: BlockID(2))),
                Block(id: BlockID(1), instructions: [
                    ins(.symbolAddr(dst: VReg(1), symbol: a)),
                    ins(.store(base: .reg(VReg(1)), offset: 0, value: .imm(5), width: .w32)),
                ], terminator: .jump(BlockID(2))),
                Block(id: BlockID(2), instructions: [
                    ins(.symbolAddr(dst: VReg(8), symbol: a)),
                ] + returningSum(a: VReg(8), b: b), terminator: .ret(.reg(VReg(6)))),
            ])
            var m = Module(functions: [get, program], readOnlyData: ["a": [0, 0, 0, 0], "b": [3, 0, 0, 0]])
            m.writtenBytes["a"] = [0..<4]
            return m
        }
        let steady = Optimizer.run(module(getLinkage: .static), level: 2)
        #expect(steady.writtenBytes["a"] == nil)
        #expect(steady.functions.last.map { !hasLoad($0) } == true, "\(steady.functions.map(show))")
        let global = Optimizer.run(module(getLinkage: .global), level: 2)
        #expect(global.writtenBytes["a"] == [0..<4])
        #expect(global.functions.last.map(hasLoad) == true, "\(global.functions.map(show))")
    }
}
