import Testing
import BPFIR
@testable import BPFCodegen

/// The IR passes on small hand-written functions (their effect) and on the random
/// programs of RandomProgramTests (the optimized function computes what the input did).
@Suite struct OptimizerPassTests {
    func fn(_ blocks: [Block], params: Int = 1, slots: [StackSlot] = [], next: Int = 64) -> Function {
        Function(name: "f", section: "xdp", linkage: .global, parameters: (0..<params).map { VReg($0) },
                 blocks: blocks, slots: slots, nextVReg: next)
    }

    /// The pipeline of Optimizer.run, pass by pass, to name the pass that breaks a program.
    static let passes: [(String, (Function) -> Function)] = [
        ("CFGSimplify", CFGSimplify.run), ("ReturnMerging", { CFGSimplify.run(ReturnMerging.run($0)) }),
        ("JoinStraightLines", CFGSimplify.joinStraightLines), ("FullUnrolling", { FullUnrolling.run($0) }),
        ("WebSplitting", WebSplitting.run),
        ("AddressFolding", AddressFolding.foldSlots), ("SlotCopyForwarding", SlotCopyForwarding.run), ("StoreSinking", StoreSinking.run),
        ("StackForwarding", StackForwarding.run),
        ("DeadStoreElimination", DeadStoreElimination.run), ("OverwrittenStores", OverwrittenStores.run),
        ("LoadElimination", LoadElimination.run), ("ZeroSlots", ZeroSlots.run), ("QuotientCompares", QuotientCompares.run), ("KnownBits", KnownBits.run), ("ConstantFolding", ConstantFolding.run),
        ("OffsetFolding", AddressFolding.foldOffsets), ("CopyWidening", CopyWidening.run), ("StoreWidening", StoreWidening.run), ("SlotPromotion", SlotPromotion.run), ("ValueNumbering", { ValueNumbering.run($0) }),
        ("NarrowCompares", NarrowCompares.run), ("BoolTests", BoolTests.run),
        ("ConstantPredicates", ConstantPredicates.run), ("StoredValueThreading", StoredValueThreading.run),
        ("JumpThreading", { CFGSimplify.joinStraightLines(JumpThreading.run($0)) }),
        ("NarrowOperandFolding", NarrowOperandFolding.run),
        ("RedundancyElimination", RedundancyElimination.run), ("ByteSwapIdioms", ByteSwapIdioms.run), ("DemandedBits", DemandedBits.run), ("TruncatedOperations", DemandedBits.truncatedOperations), ("FieldInserts", FieldInserts.run), ("MaskAlgebra", MaskAlgebra.run), ("PointerOffsets", PointerOffsets.run),
        ("SwitchOrder", SwitchOrder.run), ("XorForms", XorForms.run), ("LinearForms", LinearForms.run),
        ("MoveFolding", MoveFolding.run), ("NarrowStoreFolding", NarrowStoreFolding.run),
        ("DeadCodeElimination", DeadCodeElimination.run), ("DeadControlFlow", { CFGSimplify.run(DeadControlFlow.run($0)) }), ("LoadSinking", LoadSinking.run), ("AddressReuse", AddressReuse.run), ("ConditionalBits", ConditionalBits.run), ("WrapChecks", WrapChecks.run),
        ("SignedBranches", SignedBranches.run), ("SwitchArithmetic", SwitchArithmetic.run), ("BitValues", BitValues.run), ("SelectFormation", SelectFormation.run), ("TruthArithmetic", TruthArithmetic.run),
        ("CallArgumentSinking", CallArgumentSinking.run), ("CommonCodeHoisting", CommonCodeHoisting.run), ("FillLoops", FillLoops.run),
        ("TailMerging", { CFGSimplify.run(TailMerging.run($0)) }),
        ("CommonTargetBranches", CommonTargetBranches.run), ("BitTestBranches", BitTestBranches.run),
    ]

    @Test func optimizedRandomProgramsComputeTheSame() throws {
        var inputs = SplitMix(state: 7)
        for seed in 0..<300 {
            let (f, o) = RandomProgram.optimized(seed: UInt64(seed) &* 104729 &+ 3, cpu: 4)
            for _ in 0..<6 {
                let args = (0..<f.parameters.count).map { _ in inputs.constant() }
                let expected = try IRInterpreter.run(f, args: args)
                let got = try IRInterpreter.run(o, args: args)
                if got != expected {
                    var cur = f, culprit = "?"
                    for (name, pass) in Self.passes {
                        let next = pass(cur)
                        if try IRInterpreter.run(next, args: args) != expected {
                            culprit = name + "\nbefore:\n" + IRPrinter.print(Module(functions: [cur]))
                                + "after:\n" + IRPrinter.print(Module(functions: [next]))
                            break
                        }
                        cur = next
                    }
                    Issue.record("seed \(seed) args \(args): optimized \(got), input \(expected); first wrong after \(culprit)")
                    return
                }
                let c = try Codegen.compile(o, options: CodegenOptions(cpu: 4))
                let run = try Interpreter.run(c.instructions, args: args)
                if run != expected { Issue.record("seed \(seed): compiled optimized program gives \(run), expected \(expected)"); return }
            }
        }
    }

    /// `(long)((b + 1) * 8)` of a byte b: the sign extension cannot change the value (below
    /// 2^31), so it is a copy. Of an unknown value, or of one that may reach 2^31, it stays.
    @Test func extensionsOfSmallValuesBecomeCopies() throws {
        func program(mask: Int64) -> Function {
            fn([Block(id: BlockID(0), instructions: [
                Instruction(.binary(.and, dst: VReg(1), lhs: VReg(0), rhs: .imm(mask), width: .w64)),
                Instruction(.binary(.add, dst: VReg(2), lhs: VReg(1), rhs: .imm(1), width: .w32)),
                Instruction(.binary(.mul, dst: VReg(3), lhs: VReg(2), rhs: .imm(8), width: .w32)),
                Instruction(.ext(dst: VReg(4), src: VReg(3), from: .w32, to: .w64, signed: true)),
                Instruction(.ext(dst: VReg(5), src: VReg(0), from: .w32, to: .w64, signed: true)),
                Instruction(.binary(.add, dst: VReg(6), lhs: VReg(4), rhs: .reg(VReg(5)), width: .w64)),
            ], terminator: .ret(.reg(VReg(6))))])
        }
        func extensions(_ f: Function) -> [Inst] {
            f.blocks.flatMap(\.instructions).map(\.inst).filter { if case .ext = $0 { return true }; return false }
        }
        let small = program(mask: 0xff)
        let g = RedundancyElimination.run(small)
        #expect(extensions(g) == [.ext(dst: VReg(5), src: VReg(0), from: .w32, to: .w64, signed: true)],
                "only the extension of the unknown parameter stays\n\(IRPrinter.print(Module(functions: [g])))")
        // (0x0fffffff + 1) * 8 = 2^31: the extension makes it negative and must stay.
        let large = program(mask: 0x0fff_ffff)
        let h = RedundancyElimination.run(large)
        #expect(extensions(h).count == 2, "\(IRPrinter.print(Module(functions: [h])))")
        for p: Int64 in [0, 0xff, 0x1234_5678_9abc, -1, 0x0fff_ffff, 0x7fff_ffff] {
            #expect(try IRInterpreter.run(g, args: [p]) == IRInterpreter.run(small, args: [p]))
            #expect(try IRInterpreter.run(h, args: [p]) == IRInterpreter.run(large, args: [p]))
        }
    }

    /// A bitfield store clears its bits in a word whose other fields are known: where the
    /// cleared bits cannot be set (the word holds a 4-bit field), the mask is a copy; a
    /// mask that clears a bit the value may have stays, as does a 32-bit zero-extension
    /// of a value that may not fit 32 bits.
    @Test func masksKeepingEveryPossibleBitBecomeCopies() throws {
        func program(mask: Int64) -> Function {
            fn([Block(id: BlockID(0), instructions: [
                Instruction(.binary(.and, dst: VReg(1), lhs: VReg(0), rhs: .imm(0xf), width: .w64)),
                Instruction(.binary(.and, dst: VReg(2), lhs: VReg(1), rhs: .imm(mask), width: .w64)),
                Instruction(.mov(dst: VReg(3), src: .reg(VReg(2)), width: .w32)),
                Instruction(.mov(dst: VReg(4), src: .reg(VReg(0)), width: .w32)),
                Instruction(.binary(.add, dst: VReg(5), lhs: VReg(3), rhs: .reg(VReg(4)), width: .w64)),
            ], terminator: .ret(.reg(VReg(5))))])
        }
        func ands(_ f: Function) -> Int { f.blocks[0].instructions.filter { if case .binary(.and, _, _, _, _) = $0.inst { return true }; return false }.count }
        func narrowCopies(_ f: Function) -> Int { f.blocks[0].instructions.filter { if case .mov(_, _, .w32) = $0.inst { return true }; return false }.count }
        let clearing = program(mask: 0xffff_f80f)
        let g = RedundancyElimination.run(clearing)
        #expect(ands(g) == 1 && narrowCopies(g) == 1, "\n\(IRPrinter.print(Module(functions: [g])))")
        let keeping = program(mask: 0xffff_fff7)
        let h = RedundancyElimination.run(keeping)
        #expect(ands(h) == 2, "bit 3 may be set\n\(IRPrinter.print(Module(functions: [h])))")
        for p: Int64 in [0, 0xf, 0x1234_5678_9abc_def7, -1] {
            #expect(try IRInterpreter.run(g, args: [p]) == IRInterpreter.run(clearing, args: [p]))
            #expect(try IRInterpreter.run(h, args: [p]) == IRInterpreter.run(keeping, args: [p]))
        }
    }

    /// `int r; if (p) r = 2; else r = -1; return (long)r;`: the constants are written
    /// sign-extended and the extension goes (clang materializes `r = -1` as 64 bits).
    @Test func signExtensionOfConstantsMovesIntoThem() throws {
        let f = fn([
            Block(id: BlockID(0), terminator: .branch(.eq, lhs: VReg(0), rhs: .imm(0), width: .w64, then: BlockID(1), else: BlockID(2))),
            Block(id: BlockID(1), instructions: [Instruction(.mov(dst: VReg(1), src: .imm(2), width: .w64))], terminator: .jump(BlockID(3))),
            Block(id: BlockID(2), instructions: [Instruction(.mov(dst: VReg(1), src: .imm(-1), width: .w32))], terminator: .jump(BlockID(3))),
            Block(id: BlockID(3), instructions: [Instruction(.ext(dst: VReg(2), src: VReg(1), from: .w32, to: .w64, signed: true))],
                  terminator: .ret(.reg(VReg(2)))),
        ])
        let g = RedundancyElimination.run(f)
        let insts = g.blocks.flatMap(\.instructions).map(\.inst)
        #expect(!insts.contains { if case .ext = $0 { return true }; return false }, "\(IRPrinter.print(Module(functions: [g])))")
        #expect(insts.contains(.mov(dst: VReg(1), src: .imm(-1), width: .w64)))
        for p: Int64 in [0, 1] { #expect(try IRInterpreter.run(g, args: [p]) == IRInterpreter.run(f, args: [p])) }
        #expect(try IRInterpreter.run(g, args: [1]) == -1)
        // A second reader of the 32-bit value keeps the constants (and the extension) as they were.
        var two = f
        two.blocks[3].instructions.append(Instruction(.binary(.add, dst: VReg(3), lhs: VReg(1), rhs: .imm(1), width: .w64)))
        two.blocks[3].terminator = .ret(.reg(VReg(3)))
        let k = RedundancyElimination.run(two)
        #expect(k.blocks.flatMap(\.instructions).map(\.inst).contains(.mov(dst: VReg(1), src: .imm(-1), width: .w32)))
        for p: Int64 in [0, 1] { #expect(try IRInterpreter.run(k, args: [p]) == IRInterpreter.run(two, args: [p])) }
    }

    /// `for (int i = 0; ...; i++) a[(long)i]`: the counter starts at 0 and only grows by a
    /// 32-bit add C's signed arithmetic may not overflow, so its sign extension is a copy;
    /// without the no-overflow flag (unsigned arithmetic) the extension stays.
    @Test func signExtensionsOfCountersFromZeroAreCopies() throws {
        func loop(_ nsw: Bool) -> Function {
            let i = VReg(1), wide = VReg(2), sum = VReg(3)
            return fn([
                Block(id: BlockID(0), instructions: [Instruction(.mov(dst: i, src: .imm(0), width: .w64)),
                                                     Instruction(.mov(dst: sum, src: .imm(0), width: .w64))], terminator: .jump(BlockID(1))),
                Block(id: BlockID(1), instructions: [
                    Instruction(.ext(dst: wide, src: i, from: .w32, to: .w64, signed: true)),
                    Instruction(.binary(.add, dst: sum, lhs: sum, rhs: .reg(wide), width: .w64)),
                    Instruction(.binary(.add, dst: i, lhs: i, rhs: .imm(1), width: .w32), noSignedWrap: nsw)],
                      terminator: .branch(.ult, lhs: i, rhs: .reg(VReg(0)), width: .w32, then: BlockID(1), else: BlockID(2))),
                Block(id: BlockID(2), terminator: .ret(.reg(sum))),
            ])
        }
        for nsw in [true, false] {
            let f = loop(nsw)
            let g = RedundancyElimination.run(f)
            let copied = g.blocks[1].instructions[0].inst == .mov(dst: VReg(2), src: .reg(VReg(1)), width: .w64)
            #expect(copied == nsw, "\(IRPrinter.print(Module(functions: [g])))")
            for n: Int64 in [0, 1, 5, 40] { #expect(try IRInterpreter.run(g, args: [n]) == IRInterpreter.run(f, args: [n])) }
        }
    }

    @Test func returnsOfOneConstantShareOneExitBlockPlacedLast() throws {
        // if p == 1 return 0; if p == 2 return 0; return p == 3 ? 7 : 0
        let b0 = Block(id: BlockID(0), terminator: .branch(.eq, lhs: VReg(0), rhs: .imm(1), width: .w64, then: BlockID(1), else: BlockID(2)))
        let b1 = Block(id: BlockID(1), terminator: .ret(.imm(0)))
        let b2 = Block(id: BlockID(2), terminator: .branch(.eq, lhs: VReg(0), rhs: .imm(2), width: .w64, then: BlockID(3), else: BlockID(4)))
        let b3 = Block(id: BlockID(3), terminator: .ret(.imm(0)))
        let b4 = Block(id: BlockID(4), terminator: .branch(.eq, lhs: VReg(0), rhs: .imm(3), width: .w64, then: BlockID(5), else: BlockID(6)))
        let b5 = Block(id: BlockID(5), terminator: .ret(.imm(7)))
        let b6 = Block(id: BlockID(6), instructions: [Instruction(.mov(dst: VReg(1), src: .reg(VReg(0)), width: .w64))],
                       terminator: .ret(.imm(0)))
        let f = fn([b0, b1, b2, b3, b4, b5, b6])
        let g = CFGSimplify.run(ReturnMerging.run(f))
        let zeroReturns = g.blocks.filter { $0.terminator == .ret(.imm(0)) }
        #expect(zeroReturns.count == 1 && g.blocks.last?.terminator == .ret(.imm(0)), "\n\(IRPrinter.print(Module(functions: [g])))")
        #expect(g.blocks.filter { $0.terminator == .ret(.imm(7)) }.count == 1)
        for p: Int64 in [0, 1, 2, 3, 4] { #expect(try IRInterpreter.run(g, args: [p]) == IRInterpreter.run(f, args: [p])) }
        // After allocation the 7 goes into r0 above its branch (ReturnHoisting): one exit.
        let c = try Codegen.compile(g, options: CodegenOptions())
        #expect(c.instructions.filter { $0 == .exit }.count == 1, "\n\(c.disassembly)")
        for p: Int64 in [0, 1, 2, 3, 4] { #expect(try Interpreter.run(c.instructions, args: [p]) == IRInterpreter.run(f, args: [p])) }
    }

    @Test func storedStackValuesAreForwardedAndUnreadStoresGo() throws {
        // slot 0 (never escapes): store p; store.w8 0x1ff; load.w8 → 0xff; load.w32 after the
        // byte store is not forwarded (different width). slot 1: written, never read.
        // slot 2 escapes: a helper call in between forgets what was stored.
        let b = Block(id: BlockID(0), instructions: [
            Instruction(.store(base: .slot(0), offset: 0, value: .reg(VReg(0)), width: .w32)),
            Instruction(.load(dst: VReg(1), base: .slot(0), offset: 0, width: .w32, signed: false)),
            Instruction(.store(base: .slot(0), offset: 4, value: .imm(0x1ff), width: .w8)),
            Instruction(.load(dst: VReg(2), base: .slot(0), offset: 4, width: .w8, signed: false)),
            Instruction(.store(base: .slot(1), offset: 0, value: .reg(VReg(0)), width: .w64)),
            Instruction(.store(base: .slot(2), offset: 0, value: .imm(7), width: .w64)),
            Instruction(.slotAddr(dst: VReg(3), slot: 2, offset: 0)),
            Instruction(.call(dst: nil, callee: .helper(99), args: [.reg(VReg(3)), .imm(1)])),
            Instruction(.load(dst: VReg(4), base: .slot(2), offset: 0, width: .w64, signed: false)),
            Instruction(.binary(.add, dst: VReg(5), lhs: VReg(1), rhs: .reg(VReg(2)), width: .w64)),
            Instruction(.binary(.add, dst: VReg(6), lhs: VReg(5), rhs: .reg(VReg(4)), width: .w64))],
                      terminator: .ret(.reg(VReg(6))))
        let slots = (0..<3).map { StackSlot(size: 8, alignment: 8, name: "s\($0)") }
        let f = fn([b], slots: slots)
        let g = StackForwarding.run(f)
        let loads = g.blocks[0].instructions.filter { if case .load = $0.inst { return true }; return false }
        #expect(loads.count == 1, "only the load after the call stays\n\(IRPrinter.print(Module(functions: [g])))")
        #expect(!g.blocks[0].instructions.contains { if case .store(.slot(1), _, _, _) = $0.inst { return true }; return false })
        #expect(g.blocks[0].instructions.contains { if case .mov(VReg(2), .imm(0xff), _) = $0.inst { return true }; return false })
        // The values (the IR interpreter has no escaping slots: the part without slot 2).
        let plain = fn([Block(id: BlockID(0), instructions: Array(b.instructions.prefix(5)) + [
            Instruction(.binary(.add, dst: VReg(6), lhs: VReg(1), rhs: .reg(VReg(2)), width: .w64))], terminator: .ret(.reg(VReg(6))))],
                       slots: slots)
        for p: Int64 in [3, -1, 0x1_0000_0005] {
            #expect(try IRInterpreter.run(StackForwarding.run(plain), args: [p]) == IRInterpreter.run(plain, args: [p]))
        }
    }

    @Test func privateSlotsBecomeRegisters() throws {
        // Slot 0 (a cursor: one 8-byte piece written in b0 and b1, read in b2) and slot 1
        // (two u16 pieces and a signed byte) become registers; slot 2 escapes (slotAddr)
        // and slot 3 is read with two overlapping widths: both stay memory.
        let p = VReg(0), c = VReg(1)
        let b0 = Block(id: BlockID(0), instructions: [
            Instruction(.store(base: .slot(0), offset: 0, value: .reg(p), width: .w64)),
            Instruction(.store(base: .slot(1), offset: 0, value: .imm(0x12345), width: .w16)),
            Instruction(.store(base: .slot(1), offset: 2, value: .reg(p), width: .w16)),
            Instruction(.store(base: .slot(1), offset: 4, value: .imm(0xf0), width: .w8)),
            Instruction(.store(base: .slot(3), offset: 0, value: .reg(p), width: .w64)),
            Instruction(.slotAddr(dst: VReg(9), slot: 2, offset: 0)),
            Instruction(.store(base: .reg(VReg(9)), offset: 0, value: .imm(4), width: .w64))],
            terminator: .branch(.ugt, lhs: p, rhs: .imm(10), width: .w64, then: BlockID(1), else: BlockID(2)))
        let b1 = Block(id: BlockID(1), instructions: [
            Instruction(.binary(.add, dst: c, lhs: p, rhs: .imm(3), width: .w64)),
            Instruction(.store(base: .slot(0), offset: 0, value: .reg(c), width: .w64))], terminator: .jump(BlockID(2)))
        let b2 = Block(id: BlockID(2), instructions: [
            Instruction(.load(dst: VReg(2), base: .slot(0), offset: 0, width: .w64, signed: false)),
            Instruction(.load(dst: VReg(3), base: .slot(1), offset: 0, width: .w16, signed: false)),
            Instruction(.load(dst: VReg(4), base: .slot(1), offset: 2, width: .w16, signed: false)),
            Instruction(.load(dst: VReg(5), base: .slot(1), offset: 4, width: .w8, signed: true)),
            Instruction(.load(dst: VReg(6), base: .slot(3), offset: 0, width: .w32, signed: false)),
            Instruction(.load(dst: VReg(7), base: .slot(2), offset: 0, width: .w64, signed: false)),
            Instruction(.binary(.add, dst: VReg(10), lhs: VReg(2), rhs: .reg(VReg(3)), width: .w64)),
            Instruction(.binary(.add, dst: VReg(11), lhs: VReg(10), rhs: .reg(VReg(4)), width: .w64)),
            Instruction(.binary(.add, dst: VReg(12), lhs: VReg(11), rhs: .reg(VReg(5)), width: .w64)),
            Instruction(.binary(.add, dst: VReg(13), lhs: VReg(12), rhs: .reg(VReg(6)), width: .w64)),
            Instruction(.binary(.add, dst: VReg(14), lhs: VReg(13), rhs: .reg(VReg(7)), width: .w64))],
            terminator: .ret(.reg(VReg(14))))
        let f = fn([b0, b1, b2], slots: (0..<4).map { StackSlot(size: 8, alignment: 8, name: "s\($0)") })
        let g = SlotPromotion.run(f)
        var accessed: Set<Int> = []
        for b in g.blocks {
            for i in b.instructions {
                switch i.inst {
                case .load(_, .slot(let s), _, _, _), .store(.slot(let s), _, _, _): accessed.insert(s)
                default: break
                }
            }
        }
        #expect(accessed == [2, 3], "\(IRPrinter.print(Module(functions: [g])))")
        // Same results (the interpreter's slots: the program without the escaping slot).
        let plainBlocks = [b0, b1, b2].map { b -> Block in
            var b = b
            b.instructions.removeAll { i in
                switch i.inst {
                case .slotAddr, .store(.reg, _, _, _), .load(_, .slot(2), _, _, _): return true
                default: return false
                }
            }
            b.instructions = b.instructions.map { i in
                if case .binary(.add, VReg(14), _, _, _) = i.inst { return Instruction(.mov(dst: VReg(14), src: .reg(VReg(13)), width: .w64)) }
                return i
            }
            return b
        }
        let plain = fn(plainBlocks, slots: f.slots)
        for x: Int64 in [3, 11, -1, 0x1_0000_8005] {
            #expect(try IRInterpreter.run(SlotPromotion.run(plain), args: [x]) == IRInterpreter.run(plain, args: [x]))
        }
    }

    @Test func repeatedLoadsAreReusedUntilMemoryMayChange() throws {
        // ctx[0] twice → one load; after a helper call it is read again; a redefined base
        // is a different address.
        let b = Block(id: BlockID(0), instructions: [
            Instruction(.load(dst: VReg(1), base: .reg(VReg(0)), offset: 0, width: .w64, signed: false)),
            Instruction(.load(dst: VReg(2), base: .reg(VReg(0)), offset: 0, width: .w64, signed: false)),
            Instruction(.load(dst: VReg(3), base: .reg(VReg(0)), offset: 0, width: .w32, signed: false)),
            Instruction(.store(base: .slot(0), offset: 0, value: .imm(1), width: .w64)),
            Instruction(.load(dst: VReg(4), base: .reg(VReg(0)), offset: 0, width: .w64, signed: false)),
            Instruction(.call(dst: nil, callee: .helper(99), args: [.imm(1), .imm(2)])),
            Instruction(.load(dst: VReg(5), base: .reg(VReg(0)), offset: 0, width: .w64, signed: false))],
                      terminator: .ret(.reg(VReg(5))))
        let g = LoadElimination.run(fn([b], slots: [StackSlot(size: 8, alignment: 8, name: "s")]))
        let kinds = g.blocks[0].instructions.map { ins -> String in
            switch ins.inst { case .load: return "load"; case .mov: return "mov"; case .store: return "store"; default: return "other" }
        }
        #expect(kinds == ["load", "mov", "load", "store", "mov", "other", "load"], "\(kinds)")
    }

    @Test func constantsFoldAsTheMachineComputes() throws {
        // Every operation, width and a spread of operands: the folded function returns
        // what the unfolded one computes when compiled and run on the eBPF interpreter (an
        // implementation of the arithmetic independent of the folding), and holds no operation.
        let values: [Int64] = [0, 1, -1, 7, -8, 31, 32, 63, 64, 0x7fff_ffff, -0x8000_0000, 0xffff_ffff, Int64.min, 0x1234_5678_9abc_def0]
        let ops: [BinOp] = [.add, .sub, .mul, .udiv, .sdiv, .urem, .srem, .and, .or, .xor, .shl, .lshr, .ashr]
        var rng = SplitMix(state: 99)
        for _ in 0..<400 {
            let a = rng.pick(values), b = rng.pick(values), op = rng.pick(ops)
            let w: Width = rng.chance(50) ? .w64 : .w32
            let cc = rng.pick([CondCode.eq, .ne, .ugt, .uge, .ult, .ule, .sgt, .sge, .slt, .sle, .set])
            let insts = [
                Instruction(.mov(dst: VReg(1), src: .imm(a), width: .w64)),
                Instruction(.mov(dst: VReg(2), src: .imm(b), width: .w64)),
                Instruction(.binary(op, dst: VReg(3), lhs: VReg(1), rhs: .reg(VReg(2)), width: w)),
                Instruction(.ext(dst: VReg(4), src: VReg(3), from: rng.pick([.w8, .w16, .w32]), to: .w64, signed: rng.chance(50))),
                Instruction(.bswap(dst: VReg(5), src: VReg(4), width: rng.pick([.w16, .w32, .w64]))),
                Instruction(.neg(dst: VReg(6), src: VReg(5), width: w)),
                Instruction(.binary(.xor, dst: VReg(7), lhs: VReg(6), rhs: .reg(VReg(3)), width: .w64)),
            ]
            let b0 = Block(id: BlockID(0), instructions: insts,
                           terminator: .branch(cc, lhs: VReg(3), rhs: .reg(VReg(2)), width: w, then: BlockID(1), else: BlockID(2)))
            let f = fn([b0, Block(id: BlockID(1), terminator: .ret(.reg(VReg(7)))),
                        Block(id: BlockID(2), terminator: .ret(.reg(VReg(3))))], params: 0)
            let g = ConstantFolding.run(f)
            let expected = try Interpreter.run(try Codegen.compile(f, options: CodegenOptions(cpu: 4)).instructions, args: [])
            let got = try IRInterpreter.run(g, args: [])
            #expect(got == expected, "\(op) \(w) \(a), \(b): folded \(got), expected \(expected)\n\(IRPrinter.print(Module(functions: [g])))")
            #expect(g.blocks.allSatisfy { b in b.instructions.allSatisfy { if case .mov(_, .imm, _) = $0.inst { return true }; return false } })
            #expect(g.blocks.count == 2, "the constant branch became a jump")
        }
    }

    @Test func byteCopiesBetweenAlignedEndsBecomeWide() throws {
        // %1 = bpf_ringbuf_reserve(...) (8-aligned); bytes 0..7 of slot $0 (8-aligned)
        // copied one by one to %1 + 16, then 4 bytes to %1 + 28 (4-aligned there).
        func copy(from so: Int, to dOff: Int, _ n: Int, dst: Address, firstReg: Int) -> [Instruction] {
            (0..<n).flatMap { k in [
                Instruction(.load(dst: VReg(firstReg + k), base: .slot(0), offset: so + k, width: .w8, signed: false)),
                Instruction(.store(base: dst, offset: dOff + k, value: .reg(VReg(firstReg + k)), width: .w8)),
            ] }
        }
        let call = Instruction(.call(dst: VReg(1), callee: .helper(131), args: [.reg(VReg(0)), .imm(32), .imm(0)]))
        let insts = [call] + copy(from: 0, to: 16, 8, dst: .reg(VReg(1)), firstReg: 10) + copy(from: 8, to: 28, 4, dst: .reg(VReg(1)), firstReg: 20)
        let f = fn([Block(id: BlockID(0), instructions: insts, terminator: .ret(.imm(0)))],
                   slots: [StackSlot(size: 16, alignment: 8, name: "v")])
        let g = CopyWidening.run(f)
        let accesses = g.blocks[0].instructions.dropFirst().map { i -> String in
            switch i.inst {
            case .load(_, let b, let o, let w, _): return "load \(b)+\(o) \(w.bytes)"
            case .store(let b, let o, _, let w): return "store \(b)+\(o) \(w.bytes)"
            default: return "other"
            }
        }
        #expect(accesses == ["load $0+0 8", "store %1+16 8", "load $0+8 4", "store %1+28 4"])
        // The same copies to a register of unknown alignment (a parameter), or within one
        // slot with overlapping ranges, stay byte by byte.
        let unknown = fn([Block(id: BlockID(0), instructions: copy(from: 0, to: 16, 8, dst: .reg(VReg(0)), firstReg: 10), terminator: .ret(.imm(0)))],
                         slots: [StackSlot(size: 16, alignment: 8, name: "v")])
        #expect(CopyWidening.run(unknown) == unknown)
        let overlapping = fn([Block(id: BlockID(0), instructions: copy(from: 0, to: 8, 16, dst: .slot(0), firstReg: 10), terminator: .ret(.imm(0)))],
                             slots: [StackSlot(size: 32, alignment: 8, name: "v")])
        #expect(CopyWidening.run(overlapping) == overlapping)
        // A volatile local is read exactly as written.
        let volatile = fn([Block(id: BlockID(0), instructions: insts, terminator: .ret(.imm(0)))],
                          slots: [StackSlot(size: 16, alignment: 8, name: "v", isVolatile: true)])
        #expect(CopyWidening.run(volatile) == volatile)
    }

    @Test func fieldsOfOneWordGatheredBackAreThatWord() throws {
        // %1 = x & 7 | ((x >> 3) & 0x1f) << 3 | ((x >> 8) & 0xffffff) << 8: the low 32
        // bits of x (a bitfield struct filled from x). %2 = x & 7 | ((x >> 3) & 3) << 3
        // is x & 0x1f; %3 = x & 7 | ((x >> 4) & 1) << 4, with a gap, is x & 0x17. The
        // rewritten function computes what the original did.
        func i(_ inst: Inst) -> Instruction { Instruction(inst) }
        func field(_ x: Int, shift: Int64, mask: Int64, into acc: Int, dst: Int, temp: Int) -> [Instruction] {
            [i(.binary(.lshr, dst: VReg(temp), lhs: VReg(x), rhs: .imm(shift), width: .w64)),
             i(.binary(.and, dst: VReg(temp + 1), lhs: VReg(temp), rhs: .imm(mask), width: .w64)),
             i(.binary(.shl, dst: VReg(temp + 2), lhs: VReg(temp + 1), rhs: .imm(shift), width: .w64)),
             i(.binary(.or, dst: VReg(dst), lhs: VReg(acc), rhs: .reg(VReg(temp + 2)), width: .w64))]
        }
        let insts = [i(.binary(.and, dst: VReg(10), lhs: VReg(0), rhs: .imm(7), width: .w64))]
            + field(0, shift: 3, mask: 0x1f, into: 10, dst: 11, temp: 20)
            + field(0, shift: 8, mask: 0xff_ffff, into: 11, dst: 1, temp: 30)
            + field(0, shift: 3, mask: 3, into: 10, dst: 2, temp: 40)
            + field(0, shift: 4, mask: 1, into: 10, dst: 3, temp: 50)
            // %6: the low two bytes read back one by one (32-bit masks): x & 0xffff.
            + [i(.binary(.and, dst: VReg(60), lhs: VReg(0), rhs: .imm(0xff), width: .w32)),
               i(.binary(.lshr, dst: VReg(61), lhs: VReg(0), rhs: .imm(8), width: .w64)),
               i(.binary(.and, dst: VReg(62), lhs: VReg(61), rhs: .imm(0xff), width: .w32)),
               i(.binary(.shl, dst: VReg(63), lhs: VReg(62), rhs: .imm(8), width: .w64)),
               i(.binary(.or, dst: VReg(6), lhs: VReg(60), rhs: .reg(VReg(63)), width: .w64))]
            + [i(.binary(.xor, dst: VReg(4), lhs: VReg(1), rhs: .reg(VReg(2)), width: .w64)),
               i(.binary(.xor, dst: VReg(7), lhs: VReg(4), rhs: .reg(VReg(3)), width: .w64)),
               i(.binary(.add, dst: VReg(5), lhs: VReg(7), rhs: .reg(VReg(6)), width: .w64))]
        let f = fn([Block(id: BlockID(0), instructions: insts, terminator: .ret(.reg(VReg(5))))], next: 70)
        let g = MaskAlgebra.run(f)
        let defs = Dictionary(uniqueKeysWithValues: g.blocks[0].instructions.compactMap { x in x.inst.singleDef.map { ($0, x.inst) } })
        #expect(defs[VReg(1)] == .mov(dst: VReg(1), src: .reg(VReg(0)), width: .w32))
        #expect(defs[VReg(2)] == .binary(.and, dst: VReg(2), lhs: VReg(0), rhs: .imm(0x1f), width: .w64))
        #expect(defs[VReg(3)] == .binary(.and, dst: VReg(3), lhs: VReg(0), rhs: .imm(0x17), width: .w64))
        #expect(defs[VReg(6)] == .binary(.and, dst: VReg(6), lhs: VReg(0), rhs: .imm(0xffff), width: .w64))
        for x: Int64 in [0, 1, 0xff, 0x1234_5678_9abc_def0, -1, Int64.min + 1] {
            #expect(try IRInterpreter.run(g, args: [x]) == IRInterpreter.run(f, args: [x]))
        }
    }

    @Test func branchOnAValueAndItsCopyIsDecided() throws {
        // b0: r2 = r1 (a 64-bit copy); `r2 != r1` is never taken, `r2 <= r1` always is.
        // A 32-bit copy compared at 64 bits, or a copy whose source is written after it,
        // decides nothing.
        func run(_ insts: [Inst], _ cc: CondCode, width: Width = .w64) -> Terminator {
            let b0 = Block(id: BlockID(0), instructions: insts.map { Instruction($0) },
                           terminator: .branch(cc, lhs: VReg(2), rhs: .reg(VReg(1)), width: width, then: BlockID(1), else: BlockID(2)))
            let f = fn([b0, Block(id: BlockID(1), terminator: .ret(.imm(1))), Block(id: BlockID(2), terminator: .ret(.imm(2)))], params: 2)
            let g = ConstantFolding.run(f)
            // A decided branch: the terminator of the block it now always jumps to.
            if case .jump(let target) = g.blocks[0].terminator, let b = g.blocks.first(where: { $0.id == target }) { return b.terminator }
            return g.blocks[0].terminator
        }
        let copy = Inst.mov(dst: VReg(2), src: .reg(VReg(1)), width: .w64)
        #expect(run([copy], .ne) == .ret(.imm(2)))
        #expect(run([copy], .ule) == .ret(.imm(1)))
        #expect(run([.mov(dst: VReg(2), src: .reg(VReg(1)), width: .w32)], .eq, width: .w32) == .ret(.imm(1)))
        if case .branch = run([.mov(dst: VReg(2), src: .reg(VReg(1)), width: .w32)], .eq) {} else {
            Issue.record("a 32-bit copy equals its source only in the low half")
        }
        if case .branch = run([copy, .binary(.add, dst: VReg(1), lhs: VReg(1), rhs: .imm(1), width: .w64)], .eq) {} else {
            Issue.record("the source changed after the copy")
        }
        if case .branch = run([copy], .set) {} else { Issue.record("x & x depends on x") }
    }

    @Test func loadsAvailableAtAnOnlyPredecessorCarryOver() throws {
        // b0 loads ctx[0] and branches; b1 (only predecessor b0) reuses it; b2 (two
        // predecessors) loads again.
        func load(_ d: Int) -> Instruction { Instruction(.load(dst: VReg(d), base: .reg(VReg(0)), offset: 0, width: .w64, signed: false)) }
        let b0 = Block(id: BlockID(0), instructions: [load(1)],
                       terminator: .branch(.eq, lhs: VReg(1), rhs: .imm(0), width: .w64, then: BlockID(1), else: BlockID(2)))
        let b1 = Block(id: BlockID(1), instructions: [load(2)], terminator: .jump(BlockID(2)))
        let b2 = Block(id: BlockID(2), instructions: [load(3)], terminator: .ret(.reg(VReg(3))))
        let g = LoadElimination.run(fn([b0, b1, b2]))
        #expect(g.blocks[1].instructions[0].inst == .mov(dst: VReg(2), src: .reg(VReg(1)), width: .w64))
        if case .load = g.blocks[2].instructions[0].inst {} else { Issue.record("b2 has two predecessors: it must load") }
    }

    @Test func straightLineBlocksAreJoined() throws {
        let b0 = Block(id: BlockID(0), instructions: [Instruction(.mov(dst: VReg(1), src: .imm(1), width: .w64))], terminator: .jump(BlockID(1)))
        let b1 = Block(id: BlockID(1), instructions: [Instruction(.binary(.add, dst: VReg(1), lhs: VReg(1), rhs: .reg(VReg(0)), width: .w64))],
                       terminator: .branch(.eq, lhs: VReg(1), rhs: .imm(5), width: .w64, then: BlockID(2), else: BlockID(3)))
        let b2 = Block(id: BlockID(2), terminator: .jump(BlockID(3)))
        let b3 = Block(id: BlockID(3), terminator: .ret(.reg(VReg(1))))    // two predecessors: stays
        let f = fn([b0, b1, b2, b3])
        let g = CFGSimplify.joinStraightLines(f)
        #expect(g.blocks.count == 3 && g.blocks[0].instructions.count == 2)
        for p: Int64 in [4, 9] { #expect(try IRInterpreter.run(g, args: [p]) == IRInterpreter.run(f, args: [p])) }
    }

    @Test func forwardingBlocksAndUnreachableBlocksGo() throws {
        let b0 = Block(id: BlockID(0), terminator: .jump(BlockID(2)))
        let b1 = Block(id: BlockID(1), terminator: .ret(.imm(9)))          // unreachable
        let b2 = Block(id: BlockID(2), terminator: .jump(BlockID(3)))      // forwarding
        let b3 = Block(id: BlockID(3), terminator: .ret(.reg(VReg(0))))
        let g = CFGSimplify.run(fn([b0, b1, b2, b3]))
        #expect(g.blocks.count == 2 && g.blocks[0].terminator == .jump(BlockID(1)))
        #expect(try IRInterpreter.run(g, args: [5]) == 5)
    }

    @Test func valuesOverwrittenBeforeAnyReadAreRemoved() throws {
        // i = 0; i = 1; i = 2 (an unrolled loop's variable), read only after the last; in
        // b1 a value read on one path only stays.
        let b0 = Block(id: BlockID(0), instructions: [
            Instruction(.mov(dst: VReg(1), src: .imm(0), width: .w64)),
            Instruction(.mov(dst: VReg(1), src: .imm(1), width: .w64)),
            Instruction(.mov(dst: VReg(2), src: .imm(7), width: .w64)),
            Instruction(.mov(dst: VReg(1), src: .imm(2), width: .w64))],
                       terminator: .branch(.eq, lhs: VReg(0), rhs: .imm(0), width: .w64, then: BlockID(1), else: BlockID(2)))
        let b1 = Block(id: BlockID(1), terminator: .ret(.reg(VReg(2))))
        let b2 = Block(id: BlockID(2), terminator: .ret(.reg(VReg(1))))
        let f = fn([b0, b1, b2])
        let g = DeadCodeElimination.run(f)
        #expect(g.blocks[0].instructions.count == 2, "\n\(IRPrinter.print(Module(functions: [g])))")
        for p: Int64 in [0, 1] { #expect(try IRInterpreter.run(g, args: [p]) == IRInterpreter.run(f, args: [p])) }
    }

    @Test func deadValuesAreRemovedButSideEffectsStay() throws {
        let b = Block(id: BlockID(0), instructions: [
            Instruction(.binary(.mul, dst: VReg(1), lhs: VReg(0), rhs: .imm(3), width: .w64)),      // dead
            Instruction(.store(base: .slot(0), offset: 0, value: .reg(VReg(0)), width: .w64)),       // side effect
            Instruction(.load(dst: VReg(2), base: .slot(0), offset: 0, width: .w64, signed: false))],
                      terminator: .ret(.reg(VReg(2))))
        let g = DeadCodeElimination.run(fn([b], slots: [StackSlot(size: 8, alignment: 8, name: "s")]))
        #expect(g.blocks[0].instructions.count == 2)
        #expect(!g.blocks[0].instructions.contains { if case .binary = $0.inst { return true }; return false })
    }

    @Test func diamondsOfTwoCopiesBecomeSelects() throws {
        // x = p > 5 ? 8 : 3; return x + p. The branch on x itself, or an arm doing
        // arithmetic, keeps its diamond.
        func diamond(_ thenInst: Inst, cond: VReg = VReg(0)) -> Function {
            let b0 = Block(id: BlockID(0), terminator: .branch(.ugt, lhs: cond, rhs: .imm(5), width: .w64, then: BlockID(1), else: BlockID(2)))
            let b1 = Block(id: BlockID(1), instructions: [Instruction(thenInst)], terminator: .jump(BlockID(3)))
            let b2 = Block(id: BlockID(2), instructions: [Instruction(.mov(dst: VReg(1), src: .imm(3), width: .w64))], terminator: .jump(BlockID(3)))
            let b3 = Block(id: BlockID(3), instructions: [Instruction(.binary(.add, dst: VReg(2), lhs: VReg(1), rhs: .reg(VReg(0)), width: .w64))],
                           terminator: .ret(.reg(VReg(2))))
            return fn([b0, b1, b2, b3])
        }
        let f = diamond(.mov(dst: VReg(1), src: .imm(8), width: .w64))
        let g = SelectFormation.run(f)
        #expect(g.blocks.count == 3 && g.blocks[0].instructions.count == 1, "\n\(IRPrinter.print(Module(functions: [g])))")
        for p: Int64 in [0, 5, 6, 100] { #expect(try IRInterpreter.run(g, args: [p]) == IRInterpreter.run(f, args: [p])) }
        let c = try Codegen.compile(g, options: CodegenOptions())
        #expect(c.instructions.filter { $0.opcode == 0x05 }.isEmpty, "no unconditional jump left\n\(c.disassembly)")
        let onItself = diamond(.mov(dst: VReg(1), src: .imm(8), width: .w64), cond: VReg(1))
        #expect(SelectFormation.run(onItself) == onItself)
        // An arm doing arithmetic stays behind the branch; the constant arm's copy moves up.
        let arithmetic = diamond(.binary(.add, dst: VReg(1), lhs: VReg(0), rhs: .imm(8), width: .w64))
        let h = SelectFormation.run(arithmetic)
        #expect(h.blocks[0].instructions.map(\.inst) == [.mov(dst: VReg(1), src: .imm(3), width: .w64)], "\n\(IRPrinter.print(Module(functions: [h])))")
        #expect(h.blocks.contains { $0.instructions.map(\.inst) == [.binary(.add, dst: VReg(1), lhs: VReg(0), rhs: .imm(8), width: .w64)] })
        for p: Int64 in [0, 5, 6, 100] { #expect(try IRInterpreter.run(h, args: [p]) == IRInterpreter.run(arithmetic, args: [p])) }
    }

    /// `x = a cc k ? a : constant; return x`, lowered as a diamond of two copies.
    func registerOrConstant(_ cc: CondCode, _ k: Int64, width: Width, constant: Int64) -> Function {
        let a = VReg(0), x = VReg(1)
        return fn([
            Block(id: BlockID(0), terminator: .branch(cc, lhs: a, rhs: .imm(k), width: width, then: BlockID(1), else: BlockID(2))),
            Block(id: BlockID(1), instructions: [Instruction(.mov(dst: x, src: .reg(a), width: .w64))], terminator: .jump(BlockID(3))),
            Block(id: BlockID(2), instructions: [Instruction(.mov(dst: x, src: .imm(constant), width: .w64))], terminator: .jump(BlockID(3))),
            Block(id: BlockID(3), terminator: .ret(.reg(x))),
        ])
    }

    /// `x = a ? a : 27`: the constant is a value `a` may have on its side, so the constant
    /// goes first and the branch skips the copy of `a` (the verifier then meets a's range
    /// first and prunes 27 against it).
    @Test func constantThatTheRegisterSideMayHoldGoesFirst() throws {
        let x = VReg(1)
        let f = registerOrConstant(.ne, 0, width: .w64, constant: 27)
        let g = SelectFormation.run(f)
        #expect(g.blocks[0].instructions.map(\.inst) == [.mov(dst: x, src: .imm(27), width: .w64)], "\n\(IRPrinter.print(Module(functions: [g])))")
        for v: Int64 in [0, 1, 27, -5] { #expect(try IRInterpreter.run(g, args: [v]) == IRInterpreter.run(f, args: [v])) }
    }

    /// `x = a < 64 ? a : 64`: after select formation the branch tests the copy, so `a`
    /// ends at the copy and both share a register (`r0 = a; if w0 < 64 ...; r0 = 64`).
    @Test func minimumsBranchOnTheCopy() throws {
        let x = VReg(1)
        let f = registerOrConstant(.ult, 64, width: .w32, constant: 64)
        let g = SelectFormation.run(f)
        guard case .branch(_, let tested, _, _, _, _) = g.blocks[0].terminator else { Issue.record("no branch"); return }
        #expect(tested == x, "\n\(IRPrinter.print(Module(functions: [g])))")
        for v: Int64 in [0, 63, 64, 1000, 0x1_0000_0001] { #expect(try IRInterpreter.run(g, args: [v]) == IRInterpreter.run(f, args: [v])) }
        let c = try Codegen.compile(g, options: CodegenOptions())
        #expect(c.instructions.count <= 4, "\n\(c.disassembly)")
    }

    /// `bswap16((u16)x)` swaps x's low half directly (the byte swap reads only those
    /// bits); `bswap16((u8)x)` and `bswap32((u16)x)` keep their extension.
    @Test func byteSwapsReadThroughWideEnoughExtensions() throws {
        func swap(from: Width, width: Width) -> Function {
            fn([Block(id: BlockID(0), instructions: [
                Instruction(.ext(dst: VReg(1), src: VReg(0), from: from, to: .w32, signed: false)),
                Instruction(.bswap(dst: VReg(2), src: VReg(1), width: width))], terminator: .ret(.reg(VReg(2))))])
        }
        for (from, width, direct) in [(Width.w16, Width.w16, true), (.w32, .w16, true), (.w8, .w16, false), (.w16, .w32, false)] {
            let f = swap(from: from, width: width)
            let g = NarrowOperandFolding.run(f)
            #expect((g.blocks[0].instructions[1].inst == .bswap(dst: VReg(2), src: VReg(0), width: width)) == direct, "\(from) \(width)")
            for v: Int64 in [0x1234, 0xabcd_ef12, -2] { #expect(try IRInterpreter.run(g, args: [v]) == IRInterpreter.run(f, args: [v])) }
        }
    }

    /// A 32-bit operation reads through a chain of zero-extensions (an inline assembly
    /// statement's `u32` output extended, then copied at 32 bits) to the first value; a
    /// 32-bit copy of a 16-bit extension keeps reading the extension.
    @Test func narrowOperationsReadThroughChainsOfExtensions() throws {
        func chain(_ first: Width) -> Function {
            fn([Block(id: BlockID(0), instructions: [
                Instruction(.ext(dst: VReg(1), src: VReg(0), from: first, to: .w32, signed: false)),
                Instruction(.mov(dst: VReg(2), src: .reg(VReg(1)), width: .w32)),
                Instruction(.binary(.sub, dst: VReg(3), lhs: VReg(2), rhs: .imm(1), width: .w32))], terminator: .ret(.reg(VReg(3))))])
        }
        for (first, reads) in [(Width.w32, VReg(0)), (.w16, VReg(1))] {
            let f = chain(first)
            let g = NarrowOperandFolding.run(f)
            #expect(g.blocks[0].instructions[2].inst == .binary(.sub, dst: VReg(3), lhs: reads, rhs: .imm(1), width: .w32), "\(first)")
            for v: Int64 in [0x1234, 0x2bcd_ef12_3456_789a, -2, 0] { #expect(try IRInterpreter.run(g, args: [v]) == IRInterpreter.run(f, args: [v])) }
        }
    }

    /// `i = (s64)a; ... g[i & 1]` after unrolling: the 32-bit mask of a sign-extension reads
    /// `a` (the low halves are equal), across the empty statements around a volatile
    /// read; inline assembly that clobbers registers ends the reach, as a call does.
    @Test func narrowOperationsReadThroughSignExtensionsAcrossEmptyStatements() throws {
        func program(clobbers: UInt16) -> Function {
            fn([Block(id: BlockID(0), instructions: [
                Instruction(.ext(dst: VReg(1), src: VReg(0), from: .w32, to: .w64, signed: true)),
                Instruction(.inlineAsm(AsmTemplate(text: "", clobbers: clobbers), inputs: [VReg(0)], outputs: [])),
                Instruction(.binary(.and, dst: VReg(2), lhs: VReg(1), rhs: .imm(1), width: .w32))], terminator: .ret(.reg(VReg(2))))])
        }
        for (clobbers, direct) in [(UInt16(0), true), (1 << 3, false)] {
            let f = program(clobbers: clobbers)
            let g = NarrowOperandFolding.run(f)
            #expect((g.blocks[0].instructions[2].inst == .binary(.and, dst: VReg(2), lhs: VReg(0), rhs: .imm(1), width: .w32)) == direct, "\(clobbers)")
            for v: Int64 in [0x1234, -3, 0x7fff_ffff, 0x1_8000_0001] { #expect(try IRInterpreter.run(g, args: [v]) == IRInterpreter.run(f, args: [v])) }
        }
    }

    /// `cpu = (u32)helper(); if (...) ...; idx = key * n + cpu` (32-bit): the zero-extension
    /// of the call's result, read only by 32-bit operations in other blocks, is read
    /// through everywhere; read once by a 64-bit operation too, it stays everywhere.
    @Test func lowHalfReadersReadThroughExtensionsInOtherBlocks() throws {
        func program(wideReader: Bool) -> Function {
            let x = VReg(1), t = VReg(2), key = VReg(0)
            var tail = [Instruction(.binary(.mul, dst: VReg(3), lhs: key, rhs: .imm(4), width: .w32)),
                        Instruction(.binary(.add, dst: VReg(4), lhs: VReg(3), rhs: .reg(t), width: .w32))]
            if wideReader { tail.append(Instruction(.binary(.add, dst: VReg(4), lhs: VReg(4), rhs: .reg(t), width: .w64))) }
            return fn([
                Block(id: BlockID(0), instructions: [Instruction(.call(dst: x, callee: .helper(8), args: [])),
                                                     Instruction(.mov(dst: t, src: .reg(x), width: .w32))],
                      terminator: .branch(.ugt, lhs: key, rhs: .imm(5), width: .w32, then: BlockID(1), else: BlockID(2))),
                Block(id: BlockID(1), terminator: .ret(.imm(0))),
                Block(id: BlockID(2), instructions: tail, terminator: .ret(.reg(VReg(4)))),
            ])
        }
        for wide in [false, true] {
            let g = NarrowOperandFolding.run(program(wideReader: wide))
            let readsCall = g.blocks[2].instructions[1].inst == .binary(.add, dst: VReg(4), lhs: VReg(3), rhs: .reg(VReg(1)), width: .w32)
            #expect(readsCall == !wide, "\(IRPrinter.print(Module(functions: [g])))")
        }
    }

    /// `(u32)x & 0x1f` as a 64-bit mask reads x directly (the mask is within the low
    /// half); a mask reaching past the extension's width keeps it.
    @Test func lowMasksReadThroughZeroExtensions() throws {
        func masked(_ k: Int64) -> Function {
            fn([Block(id: BlockID(0), instructions: [
                Instruction(.mov(dst: VReg(1), src: .reg(VReg(0)), width: .w32)),
                Instruction(.binary(.and, dst: VReg(2), lhs: VReg(1), rhs: .imm(k), width: .w64))], terminator: .ret(.reg(VReg(2))))])
        }
        for (k, direct) in [(Int64(0x1f), true), (0xffff_ffff, true), (0x1_0000_0000, false), (-1, false)] {
            let f = masked(k)
            let g = NarrowOperandFolding.run(f)
            #expect((g.blocks[0].instructions[1].inst == .binary(.and, dst: VReg(2), lhs: VReg(0), rhs: .imm(k), width: .w64)) == direct, "\(k)")
            for v: Int64 in [0x1234, 0x2bcd_ef12_3456_789a, -2] { #expect(try IRInterpreter.run(g, args: [v]) == IRInterpreter.run(f, args: [v])) }
        }
    }

    @Test func cheapCallArgumentsAreMadeRightBeforeTheCall() throws {
        // m = &map; x = p * 3; a = m; k = &key; call(a, k, x): the map address is made
        // (in a's register) right before the call, after the multiplication.
        let b = Block(id: BlockID(0), instructions: [
            Instruction(.symbolAddr(dst: VReg(1), symbol: SymbolRef(name: "map"))),
            Instruction(.slotAddr(dst: VReg(4), slot: 0, offset: 0)),
            Instruction(.binary(.mul, dst: VReg(2), lhs: VReg(0), rhs: .imm(3), width: .w64)),
            Instruction(.mov(dst: VReg(3), src: .reg(VReg(1)), width: .w64)),
            Instruction(.call(dst: VReg(5), callee: .helper(99), args: [.reg(VReg(3)), .reg(VReg(4)), .reg(VReg(2))])),
        ], terminator: .ret(.reg(VReg(5))))
        let g = CallArgumentSinking.run(fn([b], slots: [StackSlot(size: 8, alignment: 8, name: "key")]))
        #expect(g.blocks[0].instructions.map(\.inst) == [
            .binary(.mul, dst: VReg(2), lhs: VReg(0), rhs: .imm(3), width: .w64),
            .symbolAddr(dst: VReg(3), symbol: SymbolRef(name: "map")),
            .slotAddr(dst: VReg(4), slot: 0, offset: 0),
            .call(dst: VReg(5), callee: .helper(99), args: [.reg(VReg(3)), .reg(VReg(4)), .reg(VReg(2))]),
        ], "\n\(IRPrinter.print(Module(functions: [g])))")
    }

    @Test func helperResultsNeverPointIntoTheFrame() throws {
        // v = map_lookup(m, &key); a = v->x; if (a > 100) return 0; return v->x: the second
        // read reuses the first (the value the bounds check saw), although the helper was
        // given a stack address. A BPF-to-BPF call given one may return it: no reuse.
        func program(_ callee: Callee) -> Function {
            let b0 = Block(id: BlockID(0), instructions: [
                Instruction(.slotAddr(dst: VReg(1), slot: 0, offset: 0)),
                Instruction(.call(dst: VReg(2), callee: callee, args: [.reg(VReg(0)), .reg(VReg(1))])),
                Instruction(.load(dst: VReg(3), base: .reg(VReg(2)), offset: 20, width: .w32, signed: false)),
            ], terminator: .branch(.ugt, lhs: VReg(3), rhs: .imm(100), width: .w64, then: BlockID(1), else: BlockID(2)))
            let b1 = Block(id: BlockID(1), terminator: .ret(.imm(0)))
            let b2 = Block(id: BlockID(2), instructions: [
                Instruction(.load(dst: VReg(4), base: .reg(VReg(2)), offset: 20, width: .w32, signed: false)),
            ], terminator: .ret(.reg(VReg(4))))
            return fn([b0, b1, b2], slots: [StackSlot(size: 8, alignment: 8, name: "key")])
        }
        let helper = LoadElimination.run(program(.helper(1)))
        #expect(!helper.blocks[2].instructions.contains { if case .load = $0.inst { return true }; return false },
                "\n\(IRPrinter.print(Module(functions: [helper])))")
        let local = LoadElimination.run(program(.function("sub")))
        #expect(local.blocks[2].instructions.contains { if case .load = $0.inst { return true }; return false })
    }
}

/// TailMerging: equal blocks (up to the names of their own temporaries) going to the same
/// place become one, repeatedly, and never when a register they read or leave differs.
@Suite struct TailMergingTests {
    func fn(_ blocks: [Block]) -> Function {
        Function(name: "f", section: "xdp", linkage: .global, parameters: [VReg(0), VReg(1)], blocks: blocks, slots: [], nextVReg: 64)
    }
    func ins(_ i: Inst) -> Instruction { Instruction(i) }

    /// if (p0 == 1) { t = p1 * 3; s = t + 7 } else if (p0 == 2) { u = p1 * 3; s = u + 7 } else s = 0;
    /// return s — the two arms differ only in their temporary (t, u).
    func twoArms(secondReads: VReg = VReg(1), secondTemporaryLiveOut: Bool = false) -> Function {
        let temp2 = secondTemporaryLiveOut ? VReg(5) : VReg(21)
        return fn([
            Block(id: BlockID(0), terminator: .branch(.eq, lhs: VReg(0), rhs: .imm(1), width: .w64, then: BlockID(1), else: BlockID(2))),
            Block(id: BlockID(1), instructions: [ins(.binary(.mul, dst: VReg(20), lhs: VReg(1), rhs: .imm(3), width: .w64)),
                                                 ins(.binary(.add, dst: VReg(5), lhs: VReg(20), rhs: .imm(7), width: .w64))],
                  terminator: .jump(BlockID(4))),
            Block(id: BlockID(2), terminator: .branch(.eq, lhs: VReg(0), rhs: .imm(2), width: .w64, then: BlockID(3), else: BlockID(5))),
            Block(id: BlockID(3), instructions: [ins(.binary(.mul, dst: temp2, lhs: secondReads, rhs: .imm(3), width: .w64)),
                                                 ins(.binary(.add, dst: VReg(5), lhs: temp2, rhs: .imm(7), width: .w64))],
                  terminator: .jump(BlockID(4))),
            Block(id: BlockID(4), terminator: .ret(.reg(VReg(5)))),
            Block(id: BlockID(5), instructions: [ins(.mov(dst: VReg(5), src: .imm(0), width: .w64))], terminator: .jump(BlockID(4))),
        ])
    }

    func check(_ f: Function, _ g: Function) throws {
        for p0: Int64 in [0, 1, 2, 3] {
            for p1: Int64 in [0, 5, -9] { #expect(try IRInterpreter.run(g, args: [p0, p1]) == IRInterpreter.run(f, args: [p0, p1])) }
        }
    }

    @Test func equalArmsBecomeOne() throws {
        let f = twoArms()
        let g = TailMerging.run(f)
        #expect(g.blocks.count == f.blocks.count - 1, "\n\(IRPrinter.print(Module(functions: [g])))")
        try check(f, g)
    }

    /// Arms reading different registers merge when copying the register in each
    /// predecessor costs less than the arm; a temporary the block leaves for later (live at
    /// its end) must have the same name.
    @Test func differingReadsBecomeParameters() throws {
        let f = twoArms(secondReads: VReg(0))
        let g = TailMerging.run(f)
        #expect(g.blocks.count == f.blocks.count - 1, "\n\(IRPrinter.print(Module(functions: [g])))")
        let copies = g.blocks.flatMap(\.instructions).filter { if case .mov(_, .reg, .w64) = $0.inst { return true }; return false }
        #expect(copies.count == 2, "one copy in each predecessor\n\(IRPrinter.print(Module(functions: [g])))")
        try check(f, g)
        let h = twoArms(secondTemporaryLiveOut: true)
        #expect(TailMerging.run(h).blocks.count == h.blocks.count)
        try check(h, TailMerging.run(h))
    }

    /// `slot = i; r = lookup(&slot)` in every unrolled iteration: the constant becomes a
    /// register set before the jump. Not when the copies cost as much as the block, nor
    /// when one predecessor would need two values.
    @Test func differingConstantsBecomeParameters() throws {
        func arms(_ body: (Int64) -> [Instruction], sharedPredecessor: Bool = false) -> Function {
            fn([
                Block(id: BlockID(0), terminator: .branch(.eq, lhs: VReg(0), rhs: .imm(1), width: .w64,
                                                          then: BlockID(1), else: sharedPredecessor ? BlockID(3) : BlockID(2))),
                Block(id: BlockID(1), instructions: body(5), terminator: .jump(BlockID(4))),
                Block(id: BlockID(2), terminator: .branch(.eq, lhs: VReg(0), rhs: .imm(2), width: .w64, then: BlockID(3), else: BlockID(5))),
                Block(id: BlockID(3), instructions: body(9), terminator: .jump(BlockID(4))),
                Block(id: BlockID(4), terminator: .ret(.reg(VReg(5)))),
                Block(id: BlockID(5), instructions: [ins(.mov(dst: VReg(5), src: .imm(0), width: .w64))], terminator: .jump(BlockID(4))),
            ])
        }
        let long: (Int64) -> [Instruction] = { c in [
            ins(.binary(.mul, dst: VReg(40), lhs: VReg(1), rhs: .imm(c), width: .w64)),
            ins(.binary(.add, dst: VReg(41), lhs: VReg(40), rhs: .imm(3), width: .w64)),
            ins(.binary(.xor, dst: VReg(5), lhs: VReg(41), rhs: .reg(VReg(1)), width: .w64)),
        ] }
        let f = arms(long)
        let g = TailMerging.run(f)
        #expect(g.blocks.count == f.blocks.count - 1, "\n\(IRPrinter.print(Module(functions: [g])))")
        try check(f, g)
        let short: (Int64) -> [Instruction] = { c in [ins(.binary(.mul, dst: VReg(5), lhs: VReg(1), rhs: .imm(c), width: .w64))] }
        let s = arms(short)
        #expect(TailMerging.run(s) == s, "two copies for one instruction saved")
        let shared = arms(long, sharedPredecessor: true)
        #expect(TailMerging.run(shared) == shared, "the entry would pass 5 and 9 on blocks of their own: dearer than the block")
        // A longer block is worth those edge blocks.
        let longer: (Int64) -> [Instruction] = { c in long(c) + (0..<4).map {
            ins(.binary(.add, dst: VReg(5), lhs: VReg(5), rhs: .reg(VReg($0 % 2)), width: .w64))
        } }
        let sharedLonger = arms(longer, sharedPredecessor: true)
        let merged = TailMerging.run(sharedLonger)
        #expect(merged.blocks.filter { $0.instructions.count == 7 }.count == 1, "\n\(IRPrinter.print(Module(functions: [merged])))")
        try check(sharedLonger, merged)
    }

    /// Once the two tails are one block, the blocks jumping to them are equal too.
    @Test func mergingRepeatsUpward() throws {
        let f = fn([
            Block(id: BlockID(0), terminator: .branch(.eq, lhs: VReg(0), rhs: .imm(1), width: .w64, then: BlockID(1), else: BlockID(2))),
            Block(id: BlockID(1), instructions: [ins(.binary(.add, dst: VReg(30), lhs: VReg(1), rhs: .imm(1), width: .w64))],
                  terminator: .branch(.sgt, lhs: VReg(30), rhs: .imm(10), width: .w64, then: BlockID(3), else: BlockID(5))),
            Block(id: BlockID(2), instructions: [ins(.binary(.add, dst: VReg(31), lhs: VReg(1), rhs: .imm(1), width: .w64))],
                  terminator: .branch(.sgt, lhs: VReg(31), rhs: .imm(10), width: .w64, then: BlockID(4), else: BlockID(5))),
            Block(id: BlockID(3), instructions: [ins(.binary(.mul, dst: VReg(32), lhs: VReg(1), rhs: .imm(2), width: .w64))],
                  terminator: .ret(.reg(VReg(32)))),
            Block(id: BlockID(4), instructions: [ins(.binary(.mul, dst: VReg(33), lhs: VReg(1), rhs: .imm(2), width: .w64))],
                  terminator: .ret(.reg(VReg(33)))),
            Block(id: BlockID(5), terminator: .ret(.imm(0))),
        ])
        let g = TailMerging.run(f)
        #expect(g.blocks.count == 4, "blocks 3/4, then 1/2 merge\n\(IRPrinter.print(Module(functions: [g])))")
        try check(f, g)
    }
}

/// StoreSinking: stores ending both arms of an `if` into one slot are one store at the
/// join, which the load there then reads.
extension OptimizerPassTests {
    /// `if (p) v = p >> 1; else v = p << 1; return v;` with `v` in a stack slot: one store
    /// at the join of a register both arms set, and after forwarding no load is left; a
    /// join that reads another slot first keeps the stores where they are.
    @Test func storesEndingBothArmsSinkIntoTheJoin() throws {
        func program(readingSlot read: Int) -> Function {
            fn([
                Block(id: BlockID(0), terminator: .branch(.ne, lhs: VReg(0), rhs: .imm(0), width: .w64, then: BlockID(1), else: BlockID(2))),
                Block(id: BlockID(1), instructions: [
                    Instruction(.binary(.lshr, dst: VReg(1), lhs: VReg(0), rhs: .imm(1), width: .w64)),
                    Instruction(.store(base: .slot(0), offset: 0, value: .reg(VReg(1)), width: .w64))], terminator: .jump(BlockID(3))),
                Block(id: BlockID(2), instructions: [
                    Instruction(.binary(.shl, dst: VReg(2), lhs: VReg(0), rhs: .imm(1), width: .w64)),
                    Instruction(.store(base: .slot(0), offset: 0, value: .reg(VReg(2)), width: .w64))], terminator: .jump(BlockID(3))),
                Block(id: BlockID(3), instructions: [
                    Instruction(.store(base: .slot(1), offset: 0, value: .imm(5), width: .w64)),
                    Instruction(.load(dst: VReg(3), base: .slot(read), offset: 0, width: .w64, signed: false))], terminator: .ret(.reg(VReg(3)))),
            ], slots: [StackSlot(size: 8, alignment: 8, name: "v"), StackSlot(size: 8, alignment: 8, name: "w")])
        }
        // The join's first access is a store to another slot: nothing moves.
        let other = program(readingSlot: 0)
        #expect(StoreSinking.run(other) == other)
        var direct = program(readingSlot: 0)
        direct.blocks[3].instructions.removeFirst()
        let g = StoreSinking.run(direct)
        #expect(g.blocks[1].instructions.last?.inst == .mov(dst: VReg(64), src: .reg(VReg(1)), width: .w64), "\(IRPrinter.print(Module(functions: [g])))")
        #expect(g.blocks[3].instructions.first?.inst == .store(base: .slot(0), offset: 0, value: .reg(VReg(64)), width: .w64))
        for p: Int64 in [0, 6, -8] { #expect(try IRInterpreter.run(g, args: [p]) == IRInterpreter.run(direct, args: [p])) }
        let o = Optimizer.run(Module(functions: [direct]), level: 2).functions[0]
        #expect(!o.blocks.flatMap(\.instructions).contains { if case .load = $0.inst { return true }; return false }, "\(IRPrinter.print(Module(functions: [o])))")
        for p: Int64 in [0, 6, -8] { #expect(try IRInterpreter.run(o, args: [p]) == IRInterpreter.run(direct, args: [p])) }
    }
}
