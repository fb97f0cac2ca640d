import Testing
import BPFIR
@testable import BPFCodegen

/// Properties of the generated code: error messages, branch fix-ups, cpu gating,
/// relocations, CO-RE entries, the line table, register assignment.
@Suite struct CodegenFeatureTests {
    let loc = IRLocation(file: "p.c", line: 3, column: 7)

    func fn(_ blocks: [Block], params: Int = 0, slots: [StackSlot] = [], next: Int = 64,
            location: IRLocation? = nil) -> Function {
        Function(name: "f", section: ".text", linkage: .global, parameters: (0..<params).map { VReg($0) },
                 blocks: blocks, slots: slots, nextVReg: next, location: location)
    }

    @Test func signedDivisionErrorCarriesLocation() {
        let b = Block(id: BlockID(0), instructions: [Instruction(.binary(.srem, dst: VReg(2), lhs: VReg(0), rhs: .imm(3), width: .w32), location: loc)],
                      terminator: .ret(.reg(VReg(2))))
        do {
            _ = try Codegen.compile(fn([b], params: 1), options: CodegenOptions(cpu: 3))
            Issue.record("srem compiled under v3")
        } catch let e as CodegenError {
            #expect(e.message == "unsupported signed division, please convert to unsigned div/mod.")
            #expect(e.location == loc)
        } catch { Issue.record("\(error)") }
    }

    /// A multiplication by a power of two is emitted as a left shift, computing the same at
    /// both widths; by other constants it stays a multiplication.
    @Test func multiplicationByAPowerOfTwoIsAShift() throws {
        for (k, w): (Int64, Width) in [(2, .w32), (64, .w32), (8, .w64), (1 << 30, .w64), (6, .w64)] {
            let b = Block(id: BlockID(0), instructions: [Instruction(.binary(.mul, dst: VReg(2), lhs: VReg(0), rhs: .imm(k), width: w))],
                          terminator: .ret(.reg(VReg(2))))
            let c = try Codegen.compile(fn([b], params: 1), options: CodegenOptions(cpu: 3))
            let ops = c.instructions.map { $0.opcode & 0xf0 }
            #expect(ops.contains(BPFALUOp.lsh.rawValue) == (k != 6), "\(k)")
            #expect(ops.contains(BPFALUOp.mul.rawValue) == (k == 6), "\(k)")
            for x: Int64 in [0, 1, -1, 0x1234_5678_9abc, Int64.min, 0x7fff_ffff] {
                let expected = w == .w64 ? x &* k : Int64(UInt32(truncatingIfNeeded: x &* k))
                #expect(try Interpreter.run(c.instructions, args: [x]) == expected, "\(k) \(w) \(x)")
            }
        }
    }

    /// A value whose interval spans a call made only on another path is not live across
    /// it (it may keep a caller-saved register); one read after the call is.
    @Test func onlyValuesLiveAfterACallCrossIt() throws {
        let v = VReg(2), w = VReg(3), r = VReg(4), s = VReg(5)
        let f = fn([
            Block(id: BlockID(0), instructions: [Instruction(.mov(dst: v, src: .imm(5), width: .w64)),
                                                 Instruction(.mov(dst: w, src: .imm(6), width: .w64))],
                  terminator: .branch(.eq, lhs: VReg(0), rhs: .imm(0), width: .w64, then: BlockID(1), else: BlockID(2))),
            // The other path: calls a helper, then uses w only.
            Block(id: BlockID(1), instructions: [Instruction(.call(dst: r, callee: .helper(5), args: [])),
                                                 Instruction(.binary(.add, dst: s, lhs: r, rhs: .reg(w), width: .w64))],
                  terminator: .ret(.reg(s))),
            Block(id: BlockID(2), terminator: .ret(.reg(v))),
        ], params: 1)
        let (intervals, _) = liveIntervals(f)
        #expect(intervals[v]?.crossesCall == false)
        #expect(intervals[v]?.spansCall == true)
        #expect(intervals[w]?.crossesCall == true)
        #expect(intervals[r]?.crossesCall == false)
        // The spanning value keeps r1-r5 free for the call's arguments: returned, it takes
        // r0, where `exit` reads it (the call on the other path leaves its result there);
        // otherwise r6-r9, falling back to r1-r5 rather than the stack.
        let ra = try RegisterAllocator.allocate(f)
        #expect(ra.assignment[v] == Reg.r0, "\(ra.assignment)")
        #expect(ra.spillSlots.isEmpty)
    }

    /// A value computed in place from another wants the register its own use wants
    /// (a call argument's), and passes that wish back to its source only if the source
    /// dies there: `p` is read again after `k = p >> 4`, so giving `p` r2 would only push
    /// `k` out of the argument register it is wanted in.
    @Test func argumentWishesPassBackOnlyToSourcesThatDie() throws {
        let p = VReg(1), k = VReg(2), q = VReg(3), r = VReg(4)
        let f = fn([
            Block(id: BlockID(0), instructions: [
                Instruction(.load(dst: p, base: .reg(VReg(0)), offset: 0, width: .w8, signed: false)),
                Instruction(.mov(dst: k, src: .reg(p), width: .w32)),
                Instruction(.binary(.lshr, dst: k, lhs: k, rhs: .imm(4), width: .w32)),
                Instruction(.binary(.and, dst: q, lhs: p, rhs: .imm(3), width: .w32)),
                Instruction(.call(dst: r, callee: .helper(51), args: [.reg(q), .reg(k), .imm(0)])),
            ], terminator: .ret(.reg(r))),
        ], params: 1)
        let ra = try RegisterAllocator.allocate(f)
        #expect(ra.assignment[k] == 2, "\(ra.assignment)")
        #expect(ra.assignment[q] == 1, "\(ra.assignment)")
        // `q = p & 3` is computed in place, in p's register: p dies there.
        #expect(ra.assignment[p] == 1, "\(ra.assignment)")
    }

    /// Lifetime holes: `v` (not a constant: it cannot be computed again), set in b0 and read in b2 on the path through b1, is dead in
    /// b3, which is laid out between; b3's ten values live at once (with `v` there too,
    /// eleven: more than r0-r9) may take v's register, so nothing is spilled.
    @Test func valuesDeadInABlockLeaveTheirRegisterThere() throws {
        func add(_ d: Int, _ a: Int, _ b: Int) -> Instruction {
            Instruction(.binary(.add, dst: VReg(d), lhs: VReg(a), rhs: .reg(VReg(b)), width: .w64))
        }
        let v = VReg(1)
        let loads = (0..<10).map { k in Instruction(.load(dst: VReg(10 + k), base: .reg(VReg(0)), offset: 8 * k, width: .w64, signed: false)) }
        let sums = (0..<9).map { k in add(20 + k, k == 0 ? 10 : 19 + k, 11 + k) }
        let f = fn([
            Block(id: BlockID(0), instructions: [Instruction(.binary(.add, dst: v, lhs: VReg(0), rhs: .imm(7), width: .w64))],
                  terminator: .branch(.eq, lhs: VReg(0), rhs: .imm(0), width: .w64, then: BlockID(3), else: BlockID(1))),
            Block(id: BlockID(1), instructions: [], terminator: .jump(BlockID(2))),
            Block(id: BlockID(3), instructions: loads + sums, terminator: .ret(.reg(VReg(28)))),
            Block(id: BlockID(2), instructions: [add(30, 1, 1)], terminator: .ret(.reg(VReg(30)))),
        ], params: 1)
        let (intervals, _) = liveIntervals(f)
        #expect(intervals[v]?.ranges.count == 3, "v is live in b0, b1 and b2, not in b3: \(intervals[v]!.ranges)")
        let ra = try RegisterAllocator.allocate(f)
        #expect(ra.spillSlots.isEmpty, "\(IRPrinter.print(Module(functions: [ra.function])))")
        // The path through b1 and b2 returns v + v.
        let c = try Codegen.compile(f, options: CodegenOptions(cpu: 3))
        #expect(try Interpreter.run(c.instructions, args: [1]) == 16)
    }

    /// Five values live across a call, four callee-saved registers. The one spilled is
    /// the one read least often for its length, `e` (read once), not `a`, which ends
    /// last but is read all through: one reload instead of one per read of `a` (its
    /// reads are too far apart for a reload to serve two).
    @Test func theValueReadLeastOftenForItsLengthIsSpilled() throws {
        let p = VReg(0), a = VReg(1), b = VReg(2), c = VReg(3), d = VReg(4), e = VReg(6), acc = VReg(5)
        var insts = [a, b, c, d, e].enumerated().map { k, v in
            Instruction(.load(dst: v, base: .reg(p), offset: 8 * k, width: .w64, signed: false))
        }
        insts += [Instruction(.call(dst: nil, callee: .helper(7), args: [.imm(1)])),
                  Instruction(.mov(dst: acc, src: .imm(0), width: .w64))]
        for r in [a, b, a, c, a, d, a, e, a, a, a] {
            insts.append(Instruction(.binary(.add, dst: acc, lhs: acc, rhs: .reg(r), width: .w64)))
            for _ in 0..<9 { insts.append(Instruction(.binary(.mul, dst: acc, lhs: acc, rhs: .imm(3), width: .w64))) }
        }
        let f = fn([Block(id: BlockID(0), instructions: insts, terminator: .ret(.reg(acc)))], params: 1)
        let ra = try RegisterAllocator.allocate(f)
        #expect(ra.spillSlots.count == 1, "\(IRPrinter.print(Module(functions: [ra.function])))")
        let compiled = try Codegen.compile(f, options: CodegenOptions(cpu: 3))
        #expect(compiled.instructions.filter { $0.opcode == 0x79 && $0.src == 10 }.count == 1, "\(compiled.instructions.map(\.description))")
    }

    /// `v = lookup(); if (!v) { update(); v = lookup(); if (!v) return 0; } *v += 1`: the
    /// looked-up value, merged over a path with calls of its own, is read from the copy
    /// after it (MoveFolding), so the copy folds into each call and the merged value stays
    /// in r0, where the calls leave it (as clang keeps it): no move, and r6-r9 untouched.
    @Test func aMapValueLookedUpAgainStaysInR0() throws {
        let map = VReg(1), key = VReg(2), v = VReg(3), first = VReg(4), second = VReg(5), one = VReg(6)
        let lookup: (VReg) -> Instruction = { Instruction(.call(dst: $0, callee: .helper(1), args: [.reg(map), .reg(key)])) }
        let f = fn([
            Block(id: BlockID(0), instructions: [lookup(first), Instruction(.mov(dst: v, src: .reg(first), width: .w64))],
                  terminator: .branch(.ne, lhs: first, rhs: .imm(0), width: .w64, then: BlockID(2), else: BlockID(1))),
            Block(id: BlockID(1), instructions: [
                Instruction(.call(dst: nil, callee: .helper(2), args: [.reg(map), .reg(key), .reg(key), .imm(1)])),
                lookup(second), Instruction(.mov(dst: v, src: .reg(second), width: .w64))],
                  terminator: .branch(.ne, lhs: second, rhs: .imm(0), width: .w64, then: BlockID(2), else: BlockID(3))),
            Block(id: BlockID(2), instructions: [
                Instruction(.mov(dst: one, src: .imm(1), width: .w64)),
                Instruction(.atomic(.add, base: .reg(v), offset: 0, value: one, width: .w64, fetch: nil))],
                  terminator: .ret(.imm(1))),
            Block(id: BlockID(3), terminator: .ret(.imm(0))),
        ], params: 3)
        let folded = MoveFolding.run(f)
        #expect(folded.blocks[0].instructions.count == 1 && folded.blocks[1].instructions.count == 2, "\(IRPrinter.print(Module(functions: [folded])))")
        #expect(folded.blocks[0].terminator == .branch(.ne, lhs: v, rhs: .imm(0), width: .w64, then: BlockID(2), else: BlockID(1)))
        let ra = try RegisterAllocator.allocate(folded)
        #expect(ra.assignment[v] == Reg.r0, "\(ra.assignment)")
        let code = try Codegen.compile(folded, options: CodegenOptions(cpu: 3)).instructions
        #expect(!code.contains { $0.opcode == 0xbf && $0.src == 0 }, "\(code.map(\.description))")
    }

    /// The entry block's first reads of a spilled parameter take it where it arrived:
    /// the parameter, read once at entry and once at the end, is spilled, and reloaded
    /// once, at the end.
    @Test func aSpilledParameterIsReadWhereItArrivesFirst() throws {
        func add(_ d: Int, _ a: Int, _ b: Operand) -> Instruction {
            Instruction(.binary(.add, dst: VReg(d), lhs: VReg(a), rhs: b, width: .w64))
        }
        let p = 0, a = 1, b = 2, c = 3, d = 4
        var insts = [add(a, p, .imm(1)), add(b, a, .imm(1)), add(c, b, .imm(1)), add(d, c, .imm(1)),
                     Instruction(.call(dst: nil, callee: .helper(7), args: [.imm(1)]))]
        // acc = a + b, then + c, + d, + a, ... a read every fourth step, p then a last.
        var acc = 10
        insts.append(add(acc, a, .reg(VReg(b))))
        for (k, r) in [c, d, a, b, c, d, a, b, c, d, p, a].enumerated() {
            insts.append(add(11 + k, acc, .reg(VReg(r))))
            acc = 11 + k
        }
        let f = fn([Block(id: BlockID(0), instructions: insts, terminator: .ret(.reg(VReg(acc))))], params: 1)
        let ra = try RegisterAllocator.allocate(f)
        #expect(ra.spillSlots.count == 1, "\(IRPrinter.print(Module(functions: [ra.function])))")
        let c3 = try Codegen.compile(f, options: CodegenOptions(cpu: 3))
        let stackLoads = c3.instructions.filter { $0.opcode == 0x79 && $0.src == 10 }
        #expect(stackLoads.count == 1, "\(c3.instructions.map(\.description))")
        for x: Int64 in [0, 7, -3] {
            // a..d = p+1..p+4; acc = a+b + c+d+a+b+c+d+a+b+c+d + p + a
            let expected = 4 * (x + 1) + 3 * (x + 2) + 3 * (x + 3) + 3 * (x + 4) + x
            #expect(try Interpreter.run(c3.instructions, args: [x]) == expected)
        }
    }

    /// A copy known before an inline assembly statement is not known after it: the
    /// statement may write either register (a helper call in it clobbers r1-r5).
    @Test func copiesAreForgottenAfterInlineAssembly() throws {
        let f = fn([Block(id: BlockID(0), instructions: [
            Instruction(.mov(dst: VReg(2), src: .reg(VReg(0)), width: .w64)),
            Instruction(.inlineAsm(AsmTemplate(text: "r1 = 5", clobbers: 1 << 1), inputs: [], outputs: [])),
            Instruction(.mov(dst: VReg(3), src: .reg(VReg(2)), width: .w64)),
        ], terminator: .ret(.reg(VReg(3))))], params: 1)
        var e = Emitter(function: f, assignment: [VReg(0): 1, VReg(2): 6, VReg(3): 1], frame: FrameLayout(f),
                        options: CodegenOptions())
        try e.emitFunction()
        let asmAt = try #require(e.code.firstIndex(of: BPFInstruction.alu(.mov, true, dst: 1, imm: 5)))
        #expect(e.code[(asmAt + 1)...].contains(BPFInstruction.alu(.mov, true, dst: 1, src: 6)),
                "\(e.code.map(\.description))")
    }

    /// `asm goto` with one label, ended by the branch on its selector: the text's jump goes
    /// to the label's block and no selector is set. With two labels the text's jumps set
    /// the selector, which the branches read.
    @Test func asmGotoJumpsToItsLabelsBlocks() throws {
        func asmGoto(_ text: String, labels: Int) -> Instruction {
            Instruction(.inlineAsm(AsmTemplate(text: text, operands: [.input(0, subregister: false)] + (0..<labels).map { .label($0) },
                                               labels: labels), inputs: [VReg(0)], outputs: [VReg(1)]))
        }
        let one = fn([
            Block(id: BlockID(0), instructions: [asmGoto("if $0 > 3 goto ${1:l}", labels: 1)],
                  terminator: .branch(.ne, lhs: VReg(1), rhs: .imm(0), width: .w64, then: BlockID(1), else: BlockID(2))),
            Block(id: BlockID(1), terminator: .ret(.imm(7))),
            Block(id: BlockID(2), terminator: .ret(.imm(9))),
        ], params: 1)
        let c1 = try Codegen.compile(one, options: CodegenOptions())
        #expect(c1.instructions.map(\.description) == ["if r1 > 3 goto +1", "goto +2", "r0 = 7", "exit", "r0 = 9", "exit"],
                "\n\(c1.disassembly)")
        #expect(try Interpreter.run(c1.instructions, args: [5]) == 7)
        #expect(try Interpreter.run(c1.instructions, args: [1]) == 9)

        let two = fn([
            Block(id: BlockID(0), instructions: [asmGoto("if $0 > 3 goto ${1:l}; if $0 == 2 goto ${2:l}", labels: 2)],
                  terminator: .branch(.eq, lhs: VReg(1), rhs: .imm(1), width: .w64, then: BlockID(1), else: BlockID(3))),
            Block(id: BlockID(3), terminator: .branch(.eq, lhs: VReg(1), rhs: .imm(2), width: .w64, then: BlockID(2), else: BlockID(4))),
            Block(id: BlockID(1), terminator: .ret(.imm(7))),
            Block(id: BlockID(2), terminator: .ret(.imm(8))),
            Block(id: BlockID(4), terminator: .ret(.imm(9))),
        ], params: 1)
        let c2 = try Codegen.compile(two, options: CodegenOptions())
        #expect(try Interpreter.run(c2.instructions, args: [5]) == 7, "\n\(c2.disassembly)")
        #expect(try Interpreter.run(c2.instructions, args: [2]) == 8)
        #expect(try Interpreter.run(c2.instructions, args: [0]) == 9)

        let mayGoto = fn([
            Block(id: BlockID(0), instructions: [Instruction(.inlineAsm(AsmTemplate(text: "may_goto ${0:l}", operands: [.label(0)], labels: 1),
                                                                        inputs: [], outputs: [VReg(1)]))],
                  terminator: .branch(.eq, lhs: VReg(1), rhs: .imm(0), width: .w64, then: BlockID(1), else: BlockID(2))),
            Block(id: BlockID(1), terminator: .ret(.imm(7))),
            Block(id: BlockID(2), terminator: .ret(.imm(9))),
        ])
        let c3 = try Codegen.compile(mayGoto, options: CodegenOptions())
        // may_goto to the spent side (ret 9), falling through to ret 7.
        #expect(c3.instructions.map(\.description) == ["may_goto +2", "r0 = 7", "exit", "r0 = 9", "exit"], "\n\(c3.disassembly)")
    }

    /// A store to each slot, then a load of each: all in use at once (slots nothing refers
    /// to take no space; slots in use at different times share theirs).
    static func touching(_ slots: Int) -> [Instruction] {
        (0..<slots).map { Instruction(.store(base: .slot($0), offset: 0, value: .imm(1), width: .w8)) }
            + (0..<slots).map { Instruction(.load(dst: VReg(40 + $0), base: .slot($0), offset: 0, width: .w8, signed: false)) }
    }

    @Test func stackLimitErrorCountsSlotsAndAlignment() {
        let f = fn([Block(id: BlockID(0), instructions: Self.touching(2), terminator: .ret(.imm(0)))],
                   slots: [StackSlot(size: 500, alignment: 4, name: "a"), StackSlot(size: 16, alignment: 8, name: "b")], location: loc)
        do {
            _ = try Codegen.compile(f, options: CodegenOptions())
            Issue.record("oversized frame compiled")
        } catch let e as CodegenError {
            #expect(e.message == "stack size of 520 bytes exceeds the limit of 512 bytes in function 'f'")
            #expect(e.location == loc)
        } catch { Issue.record("\(error)") }
        let ok = fn([Block(id: BlockID(0), instructions: Self.touching(1), terminator: .ret(.imm(0)))],
                    slots: [StackSlot(size: 512, alignment: 8, name: "a")])
        #expect((try? Codegen.compile(ok, options: CodegenOptions()))?.stackSize == 512)
        let unused = fn([Block(id: BlockID(0), terminator: .ret(.imm(0)))], slots: [StackSlot(size: 600, alignment: 8, name: "a")])
        #expect((try? Codegen.compile(unused, options: CodegenOptions()))?.stackSize == 0)
    }

    @Test func branchOffsetsCountLdImm64AsTwoSlots() throws {
        // if p0 == 0 goto b2; b1: r = 0x1_0000_0000; return r; b2: return p0 + 7
        // (a computed return: a bare `return 7` would be put in r0 above the branch)
        let b0 = Block(id: BlockID(0), terminator: .branch(.eq, lhs: VReg(0), rhs: .imm(0), width: .w64, then: BlockID(2), else: BlockID(1)))
        let b1 = Block(id: BlockID(1), instructions: [Instruction(.loadImm64(dst: VReg(1), value: 0x1_0000_0000))], terminator: .ret(.reg(VReg(1))))
        let b2 = Block(id: BlockID(2), instructions: [Instruction(.binary(.add, dst: VReg(2), lhs: VReg(0), rhs: .imm(7), width: .w64))],
                       terminator: .ret(.reg(VReg(2))))
        let c = try Codegen.compile(fn([b0, b1, b2], params: 1), options: CodegenOptions())
        // jeq, ld_imm64 r0 (2 slots), exit, r0 = r1 + 7, exit: the jump skips 3 slots.
        #expect(c.instructions.first?.opcode == 0x15)
        #expect(c.instructions[1].opcode == 0x18 && c.instructions[1].dst == 0, "the returned value is built in r0\n\(c.disassembly)")
        #expect(c.instructions.first?.offset == 3, "\n\(c.disassembly)")
        #expect(try Interpreter.run(c.instructions, args: [0]) == 7)
        #expect(try Interpreter.run(c.instructions, args: [1]) == 0x1_0000_0000)
    }

    @Test func fallThroughNeedsNoJump() throws {
        // b0: if p0 < 5 goto b1 else b2 — b1 is next, so the branch is inverted and no `goto` is
        // emitted; b1 has no code and falls into b2, so it is bypassed and the branch, now to b2
        // on both sides, goes too.
        let b0 = Block(id: BlockID(0), terminator: .branch(.ult, lhs: VReg(0), rhs: .imm(5), width: .w64, then: BlockID(1), else: BlockID(2)))
        let b1 = Block(id: BlockID(1), terminator: .jump(BlockID(2)))
        let b2 = Block(id: BlockID(2), terminator: .ret(.imm(1)))
        let c = try Codegen.compile(fn([b0, b1, b2], params: 1), options: CodegenOptions())
        #expect(!c.instructions.contains { $0.opcode == 0x05 }, "\n\(c.disassembly)")
        #expect(c.instructions.map(\.opcode) == [0xb7, 0x95], "\n\(c.disassembly)")   // r0 = 1; exit
    }

    @Test func longBranchesUseGotolOnV4() throws {
        // A conditional branch over 40000 instructions.
        var body: [Instruction] = []
        for k in 0..<40_000 { body.append(Instruction(.mov(dst: VReg(1), src: .imm(Int64(k)), width: .w64))) }
        let b0 = Block(id: BlockID(0), terminator: .branch(.eq, lhs: VReg(0), rhs: .imm(0), width: .w64, then: BlockID(1), else: BlockID(2)))
        let b1 = Block(id: BlockID(1), instructions: body, terminator: .ret(.reg(VReg(1))))
        let b2 = Block(id: BlockID(2), terminator: .ret(.imm(-5)))
        let f = fn([b0, b1, b2], params: 1)
        let c = try Codegen.compile(f, options: CodegenOptions(cpu: 4))
        #expect(c.instructions.contains { $0.opcode == 0x06 })
        #expect(try Interpreter.run(c.instructions, args: [0]) == 39_999)
        #expect(try Interpreter.run(c.instructions, args: [1]) == -5)
        #expect(throws: CodegenError.self) { try Codegen.compile(f, options: CodegenOptions(cpu: 3)) }
    }

    @Test func cpuV1HasNoLessThanJumpsNorJmp32() throws {
        // return (p0 <s p1) * 2 + (p0 <u 10) + (w32 p0 <s w32 -3) * 4, as branches
        var blocks: [Block] = []
        let acc = VReg(10)
        blocks.append(Block(id: BlockID(0), instructions: [Instruction(.mov(dst: acc, src: .imm(0), width: .w64)),
                                                           Instruction(.mov(dst: VReg(11), src: .reg(VReg(0)), width: .w32))],
                            terminator: .branch(.slt, lhs: VReg(0), rhs: .reg(VReg(1)), width: .w64, then: BlockID(1), else: BlockID(2))))
        blocks.append(Block(id: BlockID(1), instructions: [Instruction(.binary(.add, dst: acc, lhs: acc, rhs: .imm(2), width: .w64))],
                            terminator: .jump(BlockID(2))))
        blocks.append(Block(id: BlockID(2), terminator: .branch(.ult, lhs: VReg(0), rhs: .imm(10), width: .w64, then: BlockID(3), else: BlockID(4))))
        blocks.append(Block(id: BlockID(3), instructions: [Instruction(.binary(.add, dst: acc, lhs: acc, rhs: .imm(1), width: .w64))],
                            terminator: .jump(BlockID(4))))
        blocks.append(Block(id: BlockID(4), terminator: .branch(.sle, lhs: VReg(11), rhs: .imm(-3), width: .w32, then: BlockID(5), else: BlockID(6))))
        blocks.append(Block(id: BlockID(5), instructions: [Instruction(.binary(.add, dst: acc, lhs: acc, rhs: .imm(4), width: .w64))],
                            terminator: .jump(BlockID(6))))
        blocks.append(Block(id: BlockID(6), terminator: .ret(.reg(acc))))
        let f = fn(blocks, params: 2)
        let inputs: [[Int64]] = [[-5, 3], [3, -5], [5, 5], [0xffff_fffd, 0], [0x1_0000_0005, 2], [-3, -4], [11, 12]]
        for cpu in 1...4 {
            let c = try Codegen.compile(f, options: CodegenOptions(cpu: cpu))
            if cpu == 1 {
                #expect(!c.instructions.contains { ($0.opcode & 7) == 5 && [0xa0, 0xb0, 0xc0, 0xd0].contains($0.opcode & 0xf0) },
                        "\n\(c.disassembly)")
            }
            if cpu < 3 { #expect(!c.instructions.contains { ($0.opcode & 7) == 6 }, "\n\(c.disassembly)") }
            for a in inputs {
                #expect(try Interpreter.run(c.instructions, args: a) == IRInterpreter.run(f, args: a), "cpu \(cpu) \(a)\n\(c.disassembly)")
            }
        }
    }

    @Test func atomicsAreGatedByCPU() {
        let b = Block(id: BlockID(0), instructions: [
            Instruction(.store(base: .slot(0), offset: 0, value: .imm(1), width: .w64)),
            Instruction(.atomic(.add, base: .slot(0), offset: 0, value: VReg(0), width: .w64, fetch: VReg(1)), location: loc)],
                      terminator: .ret(.reg(VReg(1))))
        let f = fn([b], params: 1, slots: [StackSlot(size: 8, alignment: 8, name: "x")])
        #expect(throws: CodegenError.self) { try Codegen.compile(f, options: CodegenOptions(cpu: 2)) }
        #expect((try? Codegen.compile(f, options: CodegenOptions(cpu: 3))) != nil)
    }

    @Test func relocationsForSymbolsAndCalls() throws {
        let b = Block(id: BlockID(0), instructions: [
            Instruction(.symbolAddr(dst: VReg(1), symbol: SymbolRef(name: "my_map", offset: 16))),
            Instruction(.call(dst: VReg(2), callee: .function("sub"), args: [.reg(VReg(1))])),
            Instruction(.call(dst: VReg(3), callee: .kfunc("bpf_kf"), args: [.reg(VReg(2))])),
            Instruction(.call(dst: VReg(4), callee: .helper(5), args: []))],
                      terminator: .ret(.reg(VReg(3))))
        let c = try Codegen.compile(fn([b]), options: CodegenOptions())
        let ld = c.relocations.first { $0.kind == .symbolAddress("my_map") }
        let call = c.relocations.first { $0.kind == .call("sub") }
        let kf = c.relocations.first { $0.kind == .kfunc("bpf_kf") }
        #expect(ld != nil && call != nil && kf != nil)
        if let ld, let call, let kf {
            #expect(c.instructions[ld.instructionIndex].opcode == 0x18)
            #expect(c.instructions[ld.instructionIndex].imm == 16 && c.instructions[ld.instructionIndex].src == 0)
            #expect(c.instructions[call.instructionIndex] == BPFInstruction(opcode: 0x85, src: 1, imm: -1))
            #expect(c.instructions[kf.instructionIndex] == BPFInstruction(opcode: 0x85, src: 1, imm: -1))   // as clang: libbpf makes it a kfunc call
        }
        #expect(c.instructions.contains(BPFInstruction(opcode: 0x85, imm: 5)))
    }

    @Test func coreEntriesPointAtPatchedInstructions() throws {
        let r1 = CoreReloc(typeName: "task_struct", accessString: "0:1", kind: 0)
        let r2 = CoreReloc(typeName: "task_struct", accessString: "0:2", kind: 0)
        let b = Block(id: BlockID(0), instructions: [
            Instruction(.coreValue(dst: VReg(1), value: 24, reloc: r1)),
            Instruction(.coreLoad(dst: VReg(2), base: VReg(0), offset: 40, width: .w32, reloc: r2)),
            Instruction(.binary(.add, dst: VReg(3), lhs: VReg(1), rhs: .reg(VReg(2)), width: .w64))],
                      terminator: .ret(.reg(VReg(3))))
        let c = try Codegen.compile(fn([b], params: 1), options: CodegenOptions())
        #expect(c.coreRelocs.count == 2)
        if c.coreRelocs.count == 2 {
            let mov = c.instructions[c.coreRelocs[0].instructionIndex]
            #expect(mov.opcode == 0xb7 && mov.imm == 24)
            let ldx = c.instructions[c.coreRelocs[1].instructionIndex]
            #expect(ldx.opcode == 0x61 && ldx.offset == 40 && ldx.src == 1)
            #expect(c.coreRelocs[1].reloc == r2)
        }
    }

    /// A CO-RE value read once, as the right operand of a shift, is the shift's immediate
    /// and the relocation points at the shift (libbpf patches ALU immediates too); read
    /// twice, it is loaded into a register once, the relocation on that move.
    @Test func coreValuesReadOnceAreImmediatesOfTheirOperation() throws {
        let lshift = CoreReloc(typeName: "sock", accessString: "0:59", kind: 4)
        func program(readTwice: Bool) -> Function {
            var insts = [Instruction(.coreValue(dst: VReg(1), value: 48, reloc: lshift)),
                         Instruction(.binary(.shl, dst: VReg(2), lhs: VReg(0), rhs: .reg(VReg(1)), width: .w64))]
            if readTwice { insts.append(Instruction(.binary(.add, dst: VReg(2), lhs: VReg(2), rhs: .reg(VReg(1)), width: .w64))) }
            return fn([Block(id: BlockID(0), instructions: insts, terminator: .ret(.reg(VReg(2))))], params: 1)
        }
        let once = try Codegen.compile(program(readTwice: false), options: CodegenOptions())
        #expect(once.coreRelocs.map(\.reloc) == [lshift])
        if let entry = once.coreRelocs.first {
            let shift = once.instructions[entry.instructionIndex]
            #expect(shift.opcode == 0x67 && shift.imm == 48, "\n\(once.disassembly)")
        }
        #expect(!once.instructions.contains { $0.opcode == 0xb7 && $0.imm == 48 }, "\n\(once.disassembly)")
        #expect(try Interpreter.run(once.instructions, args: [3]) == 3 << 48)
        let twice = try Codegen.compile(program(readTwice: true), options: CodegenOptions())
        #expect(twice.coreRelocs.count == 1 && twice.coreRelocs.first.map { twice.instructions[$0.instructionIndex].opcode } == 0xb7,
                "\n\(twice.disassembly)")
        #expect(try Interpreter.run(twice.instructions, args: [3]) == (3 << 48) + 48)
    }

    /// Two arms that put different CO-RE values in one register, then end the same way
    /// (`(p + off) * 3 ^ 1`, kept once for both after allocation): the shared operation
    /// reads the register, so each arm keeps its move with its own relocation, and each
    /// path adds its own value (falco's `rss_stat` reads for two kernel layouts).
    @Test func coreValuesReadInASharedTailStayMoves() throws {
        let old = CoreReloc(typeName: "mm_struct", accessString: "0:0:43:0:3:0", kind: 0)
        let new = CoreReloc(typeName: "mm_struct___v6_2", accessString: "0:0:3:1", kind: 0)
        func arm(_ id: Int, _ value: Int64, _ reloc: CoreReloc, _ base: Int) -> Block {
            Block(id: BlockID(id), instructions: [
                Instruction(.coreValue(dst: VReg(base), value: value, reloc: reloc)),
                Instruction(.binary(.add, dst: VReg(base + 1), lhs: VReg(0), rhs: .reg(VReg(base)), width: .w64)),
                Instruction(.binary(.mul, dst: VReg(base + 1), lhs: VReg(base + 1), rhs: .imm(3), width: .w64)),
                Instruction(.binary(.xor, dst: VReg(base + 1), lhs: VReg(base + 1), rhs: .imm(1), width: .w64))],
                  terminator: .ret(.reg(VReg(base + 1))))
        }
        let f = fn([
            Block(id: BlockID(0), terminator: .branch(.eq, lhs: VReg(0), rhs: .imm(0), width: .w64, then: BlockID(1), else: BlockID(2))),
            arm(1, 744, old, 1), arm(2, 128, new, 3),
        ], params: 1)
        let c = try Codegen.compile(f, options: CodegenOptions())
        #expect(Set(c.coreRelocs.map(\.reloc)) == [old, new], "\n\(c.disassembly)")
        for entry in c.coreRelocs {
            let insn = c.instructions[entry.instructionIndex]
            let expected: Int32 = entry.reloc == old ? 744 : 128
            #expect(insn.imm == expected, "\n\(c.disassembly)")
        }
        for p: Int64 in [0, 5] { #expect(try Interpreter.run(c.instructions, args: [p]) == (p + (p == 0 ? 744 : 128)) * 3 ^ 1) }
    }

    @Test func coreStoresCarryTheirRelocationOnTheStore() throws {
        // Context field writes: ST for a constant, STX for a register, offset = local field offset.
        let r1 = CoreReloc(typeName: "__sk_buff", accessString: "0:2", kind: 0)
        let r2 = CoreReloc(typeName: "__sk_buff", accessString: "0:12:1", kind: 0)
        let b = Block(id: BlockID(0), instructions: [
            Instruction(.coreStore(base: VReg(0), offset: 8, value: .imm(7), width: .w32, reloc: r1)),
            Instruction(.mov(dst: VReg(1), src: .imm(3), width: .w64)),
            Instruction(.binary(.add, dst: VReg(1), lhs: VReg(1), rhs: .reg(VReg(0)), width: .w64)),
            Instruction(.coreStore(base: VReg(0), offset: 52, value: .reg(VReg(1)), width: .w32, reloc: r2))],
                      terminator: .ret(.imm(0)))
        let c = try Codegen.compile(fn([b], params: 1), options: CodegenOptions())
        #expect(c.coreRelocs.map(\.reloc) == [r1, r2])
        if c.coreRelocs.count == 2 {
            let st = c.instructions[c.coreRelocs[0].instructionIndex]
            #expect(st.opcode == 0x62 && st.offset == 8 && st.imm == 7 && st.dst == 1, "\n\(c.disassembly)")
            let stx = c.instructions[c.coreRelocs[1].instructionIndex]
            #expect(stx.opcode == 0x63 && stx.offset == 52 && stx.dst == 1, "\n\(c.disassembly)")
        }
    }

    @Test func loadsKeepTheirOffsetAndWidth() throws {
        // A context load: one LDX of exactly 4 bytes at offset 4 from the parameter.
        let b = Block(id: BlockID(0), instructions: [Instruction(.load(dst: VReg(1), base: .reg(VReg(0)), offset: 4, width: .w32, signed: false))],
                      terminator: .ret(.reg(VReg(1))))
        let c = try Codegen.compile(fn([b], params: 1), options: CodegenOptions())
        #expect(c.instructions == [BPFInstruction(opcode: 0x61, dst: 0, src: 1, offset: 4), .exit] ||
                c.instructions.filter { $0.opcode & 7 == 1 } == [BPFInstruction(opcode: 0x61, dst: c.instructions[0].dst, src: 1, offset: 4)],
                "\n\(c.disassembly)")
    }

    @Test func lineTableStartsAtFirstInstruction() throws {
        let l1 = IRLocation(file: "p.c", line: 10, column: 1), l2 = IRLocation(file: "p.c", line: 11, column: 1)
        let b = Block(id: BlockID(0), instructions: [
            Instruction(.mov(dst: VReg(1), src: .imm(1), width: .w64)),
            Instruction(.binary(.add, dst: VReg(1), lhs: VReg(1), rhs: .reg(VReg(0)), width: .w64), location: l1),
            Instruction(.binary(.mul, dst: VReg(1), lhs: VReg(1), rhs: .imm(3), width: .w64), location: l1),
            Instruction(.binary(.sub, dst: VReg(1), lhs: VReg(1), rhs: .imm(3), width: .w64), location: l2)],
                      terminator: .ret(.reg(VReg(1))), terminatorLocation: l2)
        let c = try Codegen.compile(fn([b], params: 1, location: loc), options: CodegenOptions())
        #expect(c.lines.map(\.location) == [loc, l1, l2], "\(c.lines)")
        #expect(c.lines.first?.instructionIndex == 0)
        #expect(c.lines.map(\.instructionIndex) == c.lines.map(\.instructionIndex).sorted())
    }

    @Test func valuesLiveAcrossCallsAvoidArgumentRegisters() throws {
        // Six values live across a helper call: at most four fit in r6-r9, the rest are spilled.
        var insts: [Instruction] = []
        for k in 1...6 { insts.append(Instruction(.binary(.mul, dst: VReg(k), lhs: VReg(0), rhs: .imm(Int64(k + 1)), width: .w64))) }
        insts.append(Instruction(.call(dst: VReg(7), callee: .helper(99), args: [.reg(VReg(1)), .reg(VReg(2))])))
        var acc = VReg(7)
        for k in 1...6 {
            insts.append(Instruction(.binary(.add, dst: VReg(20 + k), lhs: acc, rhs: .reg(VReg(k)), width: .w64)))
            acc = VReg(20 + k)
        }
        let f = fn([Block(id: BlockID(0), instructions: insts, terminator: .ret(.reg(acc)))], params: 1, next: 40)
        let ra = try RegisterAllocator.allocate(Legalizer.legalize(f, cpu: 3))
        let (iv, _) = liveIntervals(ra.function)
        for (v, i) in iv where i.crossesCall {
            #expect(Reg.calleeSaved.contains(ra.assignment[v] ?? 0), "\(v) crosses a call in r\(ra.assignment[v] ?? 0)")
        }
        #expect(!ra.spillSlots.isEmpty)
        let c = try Codegen.compile(f, options: CodegenOptions())
        for p: Int64 in [1, 7, -3] {
            // helper 99: p*2*10 + p*3; plus sum of p*(k+1) for k in 1...6 = 27p
            #expect(try Interpreter.run(c.instructions, args: [p]) == 23 * p + 27 * p)
        }
    }

    @Test func aSpilledValueIsReloadedOncePerRunOfUses() throws {
        // Six values live across a helper call, each used three times in a row afterwards:
        // a spilled value is reloaded once for its run of uses, not once per use.
        var insts: [Instruction] = []
        for k in 1...6 { insts.append(Instruction(.binary(.mul, dst: VReg(k), lhs: VReg(0), rhs: .imm(Int64(k + 1)), width: .w64))) }
        insts.append(Instruction(.call(dst: VReg(7), callee: .helper(99), args: [.reg(VReg(1)), .reg(VReg(2))])))
        var acc = VReg(7), next = 20
        for k in 1...6 {
            for op in [BinOp.add, .xor, .add] {
                insts.append(Instruction(.binary(op, dst: VReg(next), lhs: acc, rhs: .reg(VReg(k)), width: .w64)))
                acc = VReg(next); next += 1
            }
        }
        let f = fn([Block(id: BlockID(0), instructions: insts, terminator: .ret(.reg(acc)))], params: 1, next: 60)
        let c = try Codegen.compile(f, options: CodegenOptions())
        let stackLoads = c.instructions.filter { $0.opcode & 0x07 == 0x01 && $0.src == 10 }
        let stackStores = c.instructions.filter { $0.opcode & 0x07 == 0x03 && $0.dst == 10 }
        #expect(!stackStores.isEmpty, "some value is spilled\n\(c.disassembly)")
        #expect(stackLoads.count <= stackStores.count, "one reload per spilled value\n\(c.disassembly)")
        for p: Int64 in [1, 7, -3] {
            var a = p * 2 * 10 + p * 3
            for k: Int64 in 1...6 { let v = p * (k + 1); a = ((a &+ v) ^ v) &+ v }
            #expect(try Interpreter.run(c.instructions, args: [p]) == a)
        }
    }

    @Test func r0HoldsCallResultsButNotAcrossItsScratchUses() throws {
        // v1 = helper99(p, 1) stays live across an atomic fetch-add and a compare-and-exchange
        // (both use r0): it must not sit in r0 there. v9 = helper99(v8, 2) is returned at once:
        // it stays in r0, no move between the call and exit.
        let slot = StackSlot(size: 8, alignment: 8, name: "x")
        let b = Block(id: BlockID(0), instructions: [
            Instruction(.call(dst: VReg(1), callee: .helper(99), args: [.reg(VReg(0)), .imm(1)])),
            Instruction(.store(base: .slot(0), offset: 0, value: .imm(5), width: .w64)),
            Instruction(.mov(dst: VReg(2), src: .imm(3), width: .w64)),
            Instruction(.atomic(.add, base: .slot(0), offset: 0, value: VReg(2), width: .w64, fetch: VReg(3))),
            Instruction(.mov(dst: VReg(4), src: .imm(8), width: .w64)),
            Instruction(.mov(dst: VReg(5), src: .imm(100), width: .w64)),
            Instruction(.cmpxchg(dst: VReg(6), base: .slot(0), offset: 0, expected: VReg(4), new: VReg(5), width: .w64)),
            Instruction(.binary(.add, dst: VReg(7), lhs: VReg(1), rhs: .reg(VReg(3)), width: .w64)),
            Instruction(.binary(.add, dst: VReg(8), lhs: VReg(7), rhs: .reg(VReg(6)), width: .w64)),
            Instruction(.call(dst: VReg(9), callee: .helper(99), args: [.reg(VReg(8)), .imm(2)]))],
                      terminator: .ret(.reg(VReg(9))))
        let f = fn([b], params: 1, slots: [slot])
        let ra = try RegisterAllocator.allocate(Legalizer.legalize(f, cpu: 3))
        let (iv, _) = liveIntervals(ra.function)
        for (v, i) in iv where i.touchesR0Scratch { #expect(ra.assignment[v] != 0, "\(v) in r0 across an r0 scratch use") }
        let c = try Codegen.compile(f, options: CodegenOptions(cpu: 3))
        #expect(c.instructions.suffix(2).first?.opcode == 0x85, "the last call's result is returned from r0 as is\n\(c.disassembly)")
        for p: Int64 in [1, 4, -9] {
            #expect(try Interpreter.run(c.instructions, args: [p]) == IRInterpreter.run(f, args: [p]), "\n\(c.disassembly)")
        }
    }

    /// A fetching atomic returns the old value in its source register: the result's own
    /// register is the source (no detour through r0), 64- and 32-bit, and the fetched
    /// 32-bit value is zero-extended.
    @Test func fetchingAtomicsUseTheResultRegisterAsSource() throws {
        for w in [Width.w64, .w32] {
            let slot = StackSlot(size: 8, alignment: 8, name: "x")
            let b = Block(id: BlockID(0), instructions: [
                Instruction(.store(base: .slot(0), offset: 0, value: .imm(-5), width: .w64)),
                Instruction(.atomic(.add, base: .slot(0), offset: 0, value: VReg(0), width: w, fetch: VReg(1))),
                Instruction(.load(dst: VReg(2), base: .slot(0), offset: 0, width: .w64, signed: false)),
                Instruction(.binary(.mul, dst: VReg(3), lhs: VReg(1), rhs: .imm(1000), width: .w64)),
                Instruction(.binary(.add, dst: VReg(4), lhs: VReg(3), rhs: .reg(VReg(2)), width: .w64))],
                          terminator: .ret(.reg(VReg(4))))
            let f = fn([b], params: 1, slots: [slot])
            let c = try Codegen.compile(f, options: CodegenOptions(cpu: 3))
            let atomic = c.instructions.first { $0.opcode & 0x07 == 0x03 && $0.opcode & 0xe0 == 0xc0 }
            #expect(atomic != nil && atomic!.src != 0, "the fetch lands in the result's register\n\(c.disassembly)")
            for p: Int64 in [1, 7, -3] {
                #expect(try Interpreter.run(c.instructions, args: [p]) == IRInterpreter.run(f, args: [p]), "\n\(c.disassembly)")
            }
        }
    }

    /// A parameter kept in r6 across calls is still in r1 for the first call (no `r1 = r6`
    /// after `r6 = r1`), and a call's result zero-extended into another register is one
    /// `wA = w0`, not `rA = r0; wA = wA`.
    @Test func copiesOfValuesAlreadyInPlaceAreLeftOut() throws {
        let b = Block(id: BlockID(0), instructions: [
            Instruction(.call(dst: VReg(1), callee: .helper(99), args: [.reg(VReg(0)), .imm(3)])),
            Instruction(.ext(dst: VReg(2), src: VReg(1), from: .w32, to: .w32, signed: false)),
            Instruction(.call(dst: VReg(3), callee: .helper(99), args: [.reg(VReg(0)), .imm(4)])),
            Instruction(.binary(.add, dst: VReg(4), lhs: VReg(2), rhs: .reg(VReg(3)), width: .w64))],
                      terminator: .ret(.reg(VReg(4))))
        let f = fn([b], params: 1)
        let c = try Codegen.compile(f, options: CodegenOptions(cpu: 3))
        let firstCall = c.instructions.firstIndex { $0.opcode == 0x85 }!
        let mov64 = BPFInstruction.alu(.mov, true, dst: 0, src: 0).opcode, mov32 = BPFInstruction.alu(.mov, false, dst: 0, src: 0).opcode
        #expect(!c.instructions[..<firstCall].contains { $0.opcode == mov64 && $0.dst == 1 }, "\n\(c.disassembly)")
        #expect(!c.instructions.contains { $0.opcode == mov32 && $0.dst == $0.src }, "\n\(c.disassembly)")
        #expect(c.instructions.contains { $0.opcode == mov32 && $0.src == 0 && $0.dst != 0 }, "\n\(c.disassembly)")
        for p: Int64 in [1, 7, -3, 0x1_0000_0005] {
            #expect(try Interpreter.run(c.instructions, args: [p]) == IRInterpreter.run(f, args: [p]), "\n\(c.disassembly)")
        }
    }

    @Test func constantsAreComputedAgainRatherThanSpilled() throws {
        // Five values live across a helper call, one of them a 64-bit constant: four fit
        // in r6-r9 and the constant is rematerialized at its use instead of spilled.
        var insts: [Instruction] = [Instruction(.loadImm64(dst: VReg(9), value: 0x1234_5678_9abc))]
        for k in 1...4 { insts.append(Instruction(.binary(.mul, dst: VReg(k), lhs: VReg(0), rhs: .imm(Int64(k + 1)), width: .w64))) }
        insts.append(Instruction(.call(dst: VReg(7), callee: .helper(99), args: [.reg(VReg(0)), .imm(3)])))
        var acc = VReg(7)
        for k in [1, 2, 3, 4, 9] {
            insts.append(Instruction(.binary(.add, dst: VReg(20 + k), lhs: acc, rhs: .reg(VReg(k)), width: .w64)))
            acc = VReg(20 + k)
        }
        let f = fn([Block(id: BlockID(0), instructions: insts, terminator: .ret(.reg(acc)))], params: 1, next: 40)
        let ra = try RegisterAllocator.allocate(Legalizer.legalize(f, cpu: 3))
        #expect(ra.spillSlots.isEmpty, "the constant should be rematerialized, not spilled")
        let c = try Codegen.compile(f, options: CodegenOptions())
        for p: Int64 in [1, -5] {
            #expect(try Interpreter.run(c.instructions, args: [p]) == IRInterpreter.run(f, args: [p]), "\n\(c.disassembly)")
        }
    }

    @Test func argumentShuffleWithCycles() throws {
        // f(a, b, c) = helper100(b, c, a, c, b): a 3-cycle plus duplicates.
        let b = Block(id: BlockID(0), instructions: [
            Instruction(.call(dst: VReg(3), callee: .helper(100), args: [.reg(VReg(1)), .reg(VReg(2)), .reg(VReg(0)), .reg(VReg(2)), .reg(VReg(1))]))],
                      terminator: .ret(.reg(VReg(3))))
        let f = fn([b], params: 3)
        let c = try Codegen.compile(f, options: CodegenOptions())
        for a: [Int64] in [[1, 2, 3], [100, -7, 5]] {
            #expect(try Interpreter.run(c.instructions, args: a) == IRInterpreter.run(f, args: a), "\n\(c.disassembly)")
        }
    }

    @Test func parametersAndResultsNeedNoMovesWhenUnconstrained() throws {
        // f(a, b) = a + b: `r1 += r2; r0 = r1; exit`.
        let b = Block(id: BlockID(0), instructions: [Instruction(.binary(.add, dst: VReg(2), lhs: VReg(0), rhs: .reg(VReg(1)), width: .w64))],
                      terminator: .ret(.reg(VReg(2))))
        let c = try Codegen.compile(fn([b], params: 2), options: CodegenOptions())
        #expect(c.instructions.count == 3, "\n\(c.disassembly)")
    }

    @Test func byteSwapsAndSignExtensionPerCPU() throws {
        let b = Block(id: BlockID(0), instructions: [
            Instruction(.bswap(dst: VReg(1), src: VReg(0), width: .w32)),
            Instruction(.ext(dst: VReg(2), src: VReg(0), from: .w8, to: .w64, signed: true)),
            Instruction(.binary(.xor, dst: VReg(3), lhs: VReg(1), rhs: .reg(VReg(2)), width: .w64))],
                      terminator: .ret(.reg(VReg(3))))
        let f = fn([b], params: 1)
        let v3 = try Codegen.compile(f, options: CodegenOptions(cpu: 3))
        let v4 = try Codegen.compile(f, options: CodegenOptions(cpu: 4))
        #expect(v3.instructions.contains { $0.opcode == 0xdc && $0.imm == 32 })          // be32
        #expect(v4.instructions.contains { $0.opcode == 0xd7 && $0.imm == 32 })          // bswap32
        #expect(v4.instructions.contains { $0.opcode == 0xbf && $0.offset == 8 })        // movsx
        #expect(!v3.instructions.contains { $0.offset != 0 && ($0.opcode & 7) == 7 })
        for p: Int64 in [0x1234_5680, -1, 0x7f] {
            #expect(try Interpreter.run(v3.instructions, args: [p]) == IRInterpreter.run(f, args: [p]))
            #expect(try Interpreter.run(v4.instructions, args: [p]) == IRInterpreter.run(f, args: [p]))
        }
    }
}
