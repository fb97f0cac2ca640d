import Testing
import BPFIR

/// A store through a register of what its bytes already hold (`g.f ^= 0` once folded)
/// goes in `ValueNumbering`; once such stores are gone, a `static` they were the only
/// writes of keeps its initializer, and the optimizer folds its loads (random seeds
/// 47476, 46213, 50532, reduced).
extension OptimizerPassTests {
    private var g: SymbolRef { SymbolRef(name: "g", offset: 0) }

    private func storesThroughRegisters(in f: Function) -> Int {
        f.blocks.reduce(0) { n, b in
            n + b.instructions.filter { if case .store(.reg, _, _, _) = $0.inst { return true }; return false }.count
        }
    }

    /// `g`'s address in %1, its bytes 4..<8 loaded into %2, `middle`, then `g + 4` returned.
    private func storeBack(_ middle: [Inst]) -> Function {
        fn([block([
            .symbolAddr(dst: VReg(1), symbol: g),
            .load(dst: VReg(2), base: .reg(VReg(1)), offset: 4, width: .w32, signed: false),
        ] + middle + [
            .load(dst: VReg(9), base: .reg(VReg(1)), offset: 4, width: .w32, signed: false),
        ], returning: VReg(9))])
    }

    @Test func aStoreOfWhatTheBytesHoldGoes() {
        let cases: [(String, [Inst])] = [
            ("the loaded register", [.store(base: .reg(VReg(1)), offset: 4, value: .reg(VReg(2)), width: .w32)]),
            // A 32-bit copy, and an extension from 16 bits stored as 16 bits, keep the bytes.
            ("a copy", [.mov(dst: VReg(3), src: .reg(VReg(2)), width: .w32),
                        .store(base: .reg(VReg(1)), offset: 4, value: .reg(VReg(3)), width: .w32)]),
            ("an extension", [.load(dst: VReg(4), base: .reg(VReg(1)), offset: 0, width: .w16, signed: true),
                              .ext(dst: VReg(5), src: VReg(4), from: .w16, to: .w64, signed: true),
                              .store(base: .reg(VReg(1)), offset: 0, value: .reg(VReg(5)), width: .w16)]),
            // What a store wrote, stored again with nothing between.
            ("stored twice", [.store(base: .reg(VReg(1)), offset: 8, value: .imm(3), width: .w16),
                              .store(base: .reg(VReg(1)), offset: 8, value: .imm(3), width: .w16)]),
        ]
        for (what, middle) in cases {
            let f = storeBack(middle)
            let o = ValueNumbering.run(f)
            #expect(storesThroughRegisters(in: o) == storesThroughRegisters(in: f) - 1, "\(what): \(show(o))")
        }
    }

    @Test func storesThatMayChangeTheBytesStay() {
        let cases: [(String, [Inst])] = [
            // Another store to the bytes between the load and the store back.
            ("written between", [.store(base: .reg(VReg(1)), offset: 4, value: .imm(7), width: .w32),
                                 .store(base: .reg(VReg(1)), offset: 4, value: .reg(VReg(2)), width: .w32)]),
            // A helper call may write `g` (as far as the optimizer knows).
            ("a call between", [.call(dst: nil, callee: .helper(6), args: []),
                                .store(base: .reg(VReg(1)), offset: 4, value: .reg(VReg(2)), width: .w32)]),
            // Another offset, another width.
            ("elsewhere", [.store(base: .reg(VReg(1)), offset: 0, value: .reg(VReg(2)), width: .w32)]),
            ("wider", [.store(base: .reg(VReg(1)), offset: 4, value: .reg(VReg(2)), width: .w64)]),
            // An extension from 8 bits keeps one byte of the two stored.
            ("narrowed", [.ext(dst: VReg(3), src: VReg(2), from: .w8, to: .w32, signed: false),
                          .store(base: .reg(VReg(1)), offset: 4, value: .reg(VReg(3)), width: .w16)]),
            // A volatile store (lowering follows it with an empty statement) is done as written.
            ("volatile", [.store(base: .reg(VReg(1)), offset: 4, value: .reg(VReg(2)), width: .w32),
                          .inlineAsm(.volatileAccessEnd, inputs: [VReg(1)], outputs: [])]),
        ]
        for (what, middle) in cases {
            let f = storeBack(middle)
            let o = ValueNumbering.run(f)
            #expect(storesThroughRegisters(in: o) == storesThroughRegisters(in: f), "\(what): \(show(o))")
        }
    }

    /// A module whose `static g` (bytes 4..<8 written, as lowering found before folding)
    /// is only written back: after the pipeline `g` is listed as unwritten and the function
    /// returns its initializer's bytes, a constant. With a second function storing a
    /// run-time value there, the load stays.
    @Test func aStaticOnlyWrittenBackKeepsItsInitializer() {
        let writesBack = storeBack([.binary(.xor, dst: VReg(3), lhs: VReg(2), rhs: .imm(0), width: .w32),
                                    .store(base: .reg(VReg(1)), offset: 4, value: .reg(VReg(3)), width: .w32)])
        let initializer: [UInt8] = [1, 0, 0, 0, 0x2a, 0, 0, 0]
        func module(_ functions: [Function]) -> Module {
            Module(functions: functions, readOnlyData: ["g": initializer], writtenBytes: ["g": [4..<8]])
        }
        let o = Optimizer.run(module([writesBack]), level: 2).functions[0]
        #expect(o.blocks.count == 1 && o.blocks[0].instructions.isEmpty && o.blocks[0].terminator == .ret(.imm(0x2a)), "\(show(o))")

        var other = storeBack([.store(base: .reg(VReg(1)), offset: 4, value: .reg(VReg(0)), width: .w32)])
        other.name = "other"
        let both = Optimizer.run(module([writesBack, other]), level: 2).functions[0]
        #expect(both.blocks.contains { $0.instructions.contains { if case .load = $0.inst { return true }; return false } }, "\(show(both))")
    }

    /// A `static g` that lowering found written at a place not known (so not in
    /// `readOnlyData`: `Module.unknownlyWritten`): `g[x] = 5` in a branch on a constant
    /// that folding decides, and in a static function that only that branch called. Once
    /// both are gone, `g` keeps its initializer and the load of `g + 4` is a constant; where
    /// the branch is on the parameter, the store and the load stay.
    @Test func aStaticWhoseUnknownWritesFoldingRemovesKeepsItsInitializer() {
        let initializer: [UInt8] = [1, 0, 0, 0, 0x2a, 0, 0, 0]
        /// `if (flag == 0) { g[x] = 5; writer(x); } return g[1];` with `flag` 1 or the parameter.
        func reader(flagIsConstant: Bool) -> Function {
            let entry = Block(id: BlockID(0), instructions: [
                ins(.symbolAddr(dst: VReg(1), symbol: g)),
                ins(.mov(dst: VReg(2), src: flagIsConstant ? .imm(1) : .reg(VReg(0)), width: .w64)),
            ], terminator: .branch(.eq, lhs: VReg(2), rhs: .imm(0), width: .w64, then: BlockID(1), else: BlockID(2)))
            let write = Block(id: BlockID(1), instructions: [
                ins(.binary(.shl, dst: VReg(3), lhs: VReg(0), rhs: .imm(2), width: .w64)),
                ins(.binary(.add, dst: VReg(4), lhs: VReg(1), rhs: .reg(VReg(3)), width: .w64)),
                ins(.store(base: .reg(VReg(4)), offset: 0, value: .imm(5), width: .w32)),
                ins(.call(dst: nil, callee: .function("writer"), args: [.reg(VReg(0))])),
            ], terminator: .jump(BlockID(2)))
            let read = Block(id: BlockID(2), instructions: [
                ins(.load(dst: VReg(9), base: .reg(VReg(1)), offset: 4, width: .w32, signed: false)),
            ], terminator: .ret(.reg(VReg(9))))
            return fn([entry, write, read], params: 1)
        }
        // `writer(x)`: `g[x] = 7`, static, called only by the reader.
        var writer = fn([Block(id: BlockID(0), instructions: [
            ins(.symbolAddr(dst: VReg(1), symbol: g)),
            ins(.binary(.add, dst: VReg(2), lhs: VReg(1), rhs: .reg(VReg(0)), width: .w64)),
            ins(.store(base: .reg(VReg(2)), offset: 0, value: .imm(7), width: .w8)),
        ], terminator: .ret(.imm(0)))], params: 1)
        writer.name = "writer"
        writer.linkage = .static
        writer.section = ".text"
        func optimized(flagIsConstant: Bool) -> Module {
            var m = Module(functions: [reader(flagIsConstant: flagIsConstant), writer])
            m.unknownlyWritten = ["g": initializer]
            return Optimizer.run(m, level: 2)
        }
        let folded = optimized(flagIsConstant: true)
        let o = folded.functions[0]
        #expect(folded.functions.count == 1 && o.blocks.count == 1 && o.blocks[0].terminator == .ret(.imm(0x2a)), "\(show(o))")
        #expect(folded.readOnlyData["g"] == initializer && folded.unknownlyWritten.isEmpty)

        let kept = optimized(flagIsConstant: false)
        #expect(kept.functions.count == 2 && kept.unknownlyWritten["g"] == initializer && kept.readOnlyData["g"] == nil)
        #expect(kept.functions[0].blocks.contains { $0.instructions.contains { if case .load = $0.inst { return true }; return false } },
                "\(show(kept.functions[0]))")
    }
}
