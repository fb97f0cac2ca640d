import Testing
@testable import BPFIR
@testable import BPFCodegen

/// DeadParameters: parameters a static sub-program never reads are not passed.
extension OptimizerPassTests {
    /// `static int h(a, b, c) { return a + 1; }` called as `h(x, x * 3, 7)`: `h` takes
    /// only `a` and the call passes only `x`; the same function with its address taken
    /// (a callback) keeps its parameters, and so does a program.
    @Test func unreadParametersOfStaticFunctionsAreNotPassed() throws {
        func module(addressTaken: Bool, section: String = ".text") -> Module {
            var callee = Function(name: "h", section: section, linkage: .static, parameters: [VReg(0), VReg(1), VReg(2)],
                                  blocks: [Block(id: BlockID(0), instructions: [ins(.binary(.add, dst: VReg(3), lhs: VReg(0), rhs: .imm(1), width: .w64))],
                                                 terminator: .ret(.reg(VReg(3))))],
                                  slots: [], nextVReg: 8)
            callee.exclusiveParameters = [VReg(1)]
            let caller = fn([Block(id: BlockID(0), instructions: [
                ins(.binary(.mul, dst: VReg(1), lhs: VReg(0), rhs: .imm(3), width: .w64)),
                ins(.call(dst: VReg(2), callee: .function("h"), args: [.reg(VReg(0)), .reg(VReg(1)), .imm(7)])),
            ], terminator: .ret(.reg(VReg(2))))])
            return Module(functions: [caller, callee], addressTaken: addressTaken ? ["h"] : [])
        }
        let (pruned, callers) = DeadParameters.run(module(addressTaken: false))
        #expect(pruned.functions[1].parameters == [VReg(0)] && pruned.functions[1].exclusiveParameters.isEmpty)
        #expect(pruned.functions[0].blocks[0].instructions[1].inst == .call(dst: VReg(2), callee: .function("h"), args: [.reg(VReg(0))]))
        #expect(callers == [0])
        let caller = DeadCodeElimination.run(pruned.functions[0])
        #expect(caller.blocks[0].instructions.count == 1, "the multiplication feeding the dropped argument dies")
        #expect(DeadParameters.run(module(addressTaken: true)).module == module(addressTaken: true))
        #expect(DeadParameters.run(module(addressTaken: false, section: "xdp")).module == module(addressTaken: false, section: "xdp"))
    }
}

/// DeadReturns: a static sub-program whose result no call reads returns 0.
extension OptimizerPassTests {
    /// `static long h(a) { g = a; return a * 3 + 1; }` called as `h(x)` for its store alone:
    /// `h` returns 0 and its arithmetic dies; read by a caller (`return h(x)`), or a global
    /// function, it keeps its result.
    @Test func resultsNoCallReadsAreNotComputed() throws {
        func module(readsResult: Bool, linkage: Linkage = .static) -> Module {
            let callee = Function(name: "h", section: ".text", linkage: linkage, parameters: [VReg(0)], blocks: [
                Block(id: BlockID(0), instructions: [
                    ins(.symbolAddr(dst: VReg(1), symbol: SymbolRef(name: "g", offset: 0))),
                    ins(.store(base: .reg(VReg(1)), offset: 0, value: .reg(VReg(0)), width: .w64)),
                    ins(.binary(.mul, dst: VReg(2), lhs: VReg(0), rhs: .imm(3), width: .w64)),
                    ins(.binary(.add, dst: VReg(3), lhs: VReg(2), rhs: .imm(1), width: .w64)),
                ], terminator: .ret(.reg(VReg(3)))),
            ], slots: [], nextVReg: 8)
            let caller = fn([Block(id: BlockID(0), instructions: [
                ins(.call(dst: VReg(2), callee: .function("h"), args: [.reg(VReg(0))])),
            ], terminator: .ret(readsResult ? .reg(VReg(2)) : .imm(7)))])
            return Module(functions: [caller, callee])
        }
        let (dropped, changed) = DeadReturns.run(module(readsResult: false))
        #expect(changed == [1] && dropped.functions[1].blocks[0].terminator == .ret(.imm(0)))
        let callee = DeadCodeElimination.run(dropped.functions[1])
        #expect(callee.blocks[0].instructions.count == 2, "only the store is left: \(show(callee))")
        #expect(DeadReturns.run(module(readsResult: true)).module == module(readsResult: true))
        #expect(DeadReturns.run(module(readsResult: false, linkage: .global)).module == module(readsResult: false, linkage: .global))
    }
}
