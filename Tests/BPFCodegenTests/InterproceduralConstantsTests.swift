import Testing
@testable import BPFIR
@testable import BPFCodegen

/// ConstantArguments: a parameter every call gives one constant reads that constant.
extension OptimizerPassTests {
    /// `static long h(a, b) { if (a == 5) return b; return g(a); }` and
    /// `static long g(c) { return c + 1; }`, called from a program as `h(5, x)` and, with
    /// `secondCaller`, also as `h(six, x)` where `six = 6`. With one caller `h` reads 5
    /// for `a` (not `b`: the argument is the program's parameter), and so `g` — called
    /// from `h` with that constant — reads 5 for `c`; `h` folded returns `b`. With a
    /// second constant, `h` keeps reading `a`, and `g`, given `h`'s `a`, keeps `c`.
    @Test func aParameterEveryCallGivesOneConstantReadsIt() throws {
        func module(secondCaller: Bool) -> Module {
            let h = Function(name: "h", section: ".text", linkage: .static, parameters: [VReg(0), VReg(1)], blocks: [
                Block(id: BlockID(0), terminator: .branch(.eq, lhs: VReg(0), rhs: .imm(5), width: .w64, then: BlockID(1), else: BlockID(2))),
                Block(id: BlockID(1), terminator: .ret(.reg(VReg(1)))),
                Block(id: BlockID(2), instructions: [ins(.call(dst: VReg(3), callee: .function("g"), args: [.reg(VReg(0))]))],
                      terminator: .ret(.reg(VReg(3)))),
            ], slots: [], nextVReg: 8)
            let g = Function(name: "g", section: ".text", linkage: .static, parameters: [VReg(0)], blocks: [
                Block(id: BlockID(0), instructions: [ins(.binary(.add, dst: VReg(1), lhs: VReg(0), rhs: .imm(1), width: .w64))],
                      terminator: .ret(.reg(VReg(1)))),
            ], slots: [], nextVReg: 8)
            var calls = [ins(.call(dst: VReg(2), callee: .function("h"), args: [.imm(5), .reg(VReg(0))]))]
            if secondCaller {
                calls += [ins(.mov(dst: VReg(3), src: .imm(6), width: .w64)),
                          ins(.call(dst: VReg(4), callee: .function("h"), args: [.reg(VReg(3)), .reg(VReg(0))])),
                          ins(.binary(.add, dst: VReg(2), lhs: VReg(2), rhs: .reg(VReg(4)), width: .w64))]
            }
            let program = fn([Block(id: BlockID(0), instructions: calls, terminator: .ret(.reg(VReg(2))))])
            return Module(functions: [program, h, g])
        }
        func reads(_ f: Function, _ r: VReg) -> Bool { f.useDefCounts().uses[r] > 0 }

        let one = ConstantArguments.run(module(secondCaller: false))
        #expect(!reads(one.functions[1], VReg(0)) && reads(one.functions[1], VReg(1)), "\(show(one.functions[1]))")
        #expect(!reads(one.functions[2], VReg(0)), "the constant reaches g through h\(show(one.functions[2]))")
        #expect(try IRInterpreter.run(ConstantFolding.run(one.functions[1]), args: [0, 42]) == 42)

        let two = ConstantArguments.run(module(secondCaller: true))
        #expect(two == module(secondCaller: true), "5 and 6: nothing is one constant")
    }
}

/// ConstantReturns: a static sub-program returning one constant on every path gives its
/// callers that constant.
extension OptimizerPassTests {
    /// `static int h(x) { g = x; return x > 3 ? 7 : k; }` before `prog(x) { return h(x) * 2; }`:
    /// with `k` 7 the program returns 14 (the call stays: it stores `g`); with `k` 8, or
    /// with `h` global (a link may replace it), it multiplies the call's result.
    @Test func aConstantEveryReturnGivesIsTheCallsResult() throws {
        func module(other: Int64, linkage: Linkage = .static) -> Module {
            let h = Function(name: "h", section: ".text", linkage: linkage, parameters: [VReg(0)], blocks: [
                Block(id: BlockID(0), instructions: [ins(.symbolAddr(dst: VReg(1), symbol: SymbolRef(name: "g"))),
                                                     ins(.store(base: .reg(VReg(1)), offset: 0, value: .reg(VReg(0)), width: .w64))],
                      terminator: .branch(.ugt, lhs: VReg(0), rhs: .imm(3), width: .w64, then: BlockID(1), else: BlockID(2))),
                Block(id: BlockID(1), terminator: .ret(.imm(7))),
                Block(id: BlockID(2), terminator: .ret(.imm(other))),
            ], slots: [], nextVReg: 8)
            let program = fn([Block(id: BlockID(0), instructions: [
                ins(.call(dst: VReg(2), callee: .function("h"), args: [.reg(VReg(0))])),
                ins(.binary(.mul, dst: VReg(3), lhs: VReg(2), rhs: .imm(2), width: .w64)),
            ], terminator: .ret(.reg(VReg(3))))])
            return Module(functions: [h, program])
        }
        func calls(_ f: Function) -> Bool { f.blocks.contains { $0.instructions.contains { if case .call = $0.inst { return true }; return false } } }
        let folded = Optimizer.run(module(other: 7), level: 2).functions[1]
        #expect(calls(folded) && folded.blocks.contains { $0.terminator == .ret(.imm(14)) }, "\(show(folded))")
        for m in [module(other: 8), module(other: 7, linkage: .global)] {
            let kept = Optimizer.run(m, level: 2).functions[1]
            #expect(!kept.blocks.contains { if case .ret(.imm?) = $0.terminator { return true }; return false }, "\(show(kept))")
        }
    }
}

/// ReturnBounds: a static sub-program whose every return is bounded bounds its calls'
/// results in its callers.
extension OptimizerPassTests {
    /// `static u64 h(x) { return x & 255; }` (or, with `unbounded`, `x > 9 ? x & 255 : x`)
    /// before `prog(x) { return h(x) > 1000 ? 1 : 2; }`: bounded, the program returns 2 and
    /// the call (of a pure function) goes; unbounded, or with `h` global, the test stays.
    @Test func aBoundEveryReturnKeepsBoundsTheCallsResult() throws {
        func module(unbounded: Bool = false, linkage: Linkage = .static) -> Module {
            let masked = Block(id: BlockID(1), instructions: [ins(.binary(.and, dst: VReg(1), lhs: VReg(0), rhs: .imm(255), width: .w64))],
                               terminator: .ret(.reg(VReg(1))))
            let h = Function(name: "h", section: ".text", linkage: linkage, parameters: [VReg(0)], blocks: unbounded ? [
                Block(id: BlockID(0), terminator: .branch(.ugt, lhs: VReg(0), rhs: .imm(9), width: .w64, then: BlockID(1), else: BlockID(2))),
                masked,
                Block(id: BlockID(2), terminator: .ret(.reg(VReg(0)))),
            ] : [Block(id: BlockID(0), terminator: .jump(BlockID(1))), masked], slots: [], nextVReg: 8)
            let program = fn([
                Block(id: BlockID(0), instructions: [ins(.call(dst: VReg(2), callee: .function("h"), args: [.reg(VReg(0))]))],
                      terminator: .branch(.ugt, lhs: VReg(2), rhs: .imm(1000), width: .w64, then: BlockID(1), else: BlockID(2))),
                Block(id: BlockID(1), terminator: .ret(.imm(1))),
                Block(id: BlockID(2), terminator: .ret(.imm(2))),
            ])
            return Module(functions: [h, program])
        }
        func calls(_ f: Function) -> Bool { f.blocks.contains { $0.instructions.contains { if case .call = $0.inst { return true }; return false } } }
        #expect(ReturnBounds.bound(of: module().functions[0]) == 255)
        #expect(ReturnBounds.bound(of: module(unbounded: true).functions[0]) == nil)
        #expect(ReturnBounds.bound(of: module(linkage: .global).functions[0]) == nil)

        let optimized = Optimizer.run(module(), level: 2).functions
        let folded = try #require(optimized.last)
        #expect(optimized.count == 1, "h, no longer called, is gone")
        #expect(!calls(folded) && folded.blocks.allSatisfy { [.ret(.imm(2)), .jump(BlockID(1))].contains($0.terminator) }, "\(show(folded))")
        for m in [module(unbounded: true), module(linkage: .global)] {
            let kept = try #require(Optimizer.run(m, level: 2).functions.last)
            #expect(calls(kept) && kept.blocks.contains { if case .branch = $0.terminator { return true }; return false }, "\(show(kept))")
        }
    }

    /// `h(x) >> 8` where `h` returns at most 255 (`returnBounds`): 0 (`KnownBits`); where
    /// it returns at most 256, not known.
    @Test func bitsAboveWhatACallReturnsAreClear() {
        func program(bound: UInt64) -> Function {
            var f = fn([Block(id: BlockID(0), instructions: [
                ins(.call(dst: VReg(1), callee: .function("h"), args: [.reg(VReg(0))])),
                ins(.binary(.lshr, dst: VReg(2), lhs: VReg(1), rhs: .imm(8), width: .w64)),
            ], terminator: .ret(.reg(VReg(2))))])
            f.returnBounds = [SymbolName("h"): bound]
            return f
        }
        let folded = KnownBits.run(program(bound: 255))
        #expect(folded.blocks[0].instructions.last?.inst == .mov(dst: VReg(2), src: .imm(0), width: .w64), "\(show(folded))")
        #expect(KnownBits.run(program(bound: 256)) == program(bound: 256))
    }
}
