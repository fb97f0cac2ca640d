import Testing
import BPFIR

/// LocalAtomics: atomic operations on a local whose address goes nowhere become plain
/// loads, operations and stores, computing the same (IR interpreter); on a slot whose
/// address is taken, on a volatile one, and compare-and-exchange, they stay, and so does a
/// fetch in a loop carrying the slot's value round it by nothing but that fetch.
extension OptimizerPassTests {
    private func atomics(in f: Function) -> Int {
        f.blocks.reduce(0) { n, b in
            n + b.instructions.filter { if case .atomic = $0.inst { return true }; if case .cmpxchg = $0.inst { return true }; return false }.count
        }
    }

    /// Slot 0 (8 bytes) holds the parameter plus 5; `ops` run on it; the function returns
    /// the slot's value plus each fetched register (%20, %21: 0 unless fetched).
    private func localFunction(_ ops: [Inst], volatile: Bool = false, extra: [Inst] = []) -> Function {
        var slot = StackSlot(size: 8, alignment: 8, name: "x")
        slot.isVolatile = volatile
        return fn([block([
            .mov(dst: VReg(20), src: .imm(0), width: .w64),
            .mov(dst: VReg(21), src: .imm(0), width: .w64),
            .binary(.add, dst: VReg(1), lhs: VReg(0), rhs: .imm(5), width: .w64),
            .store(base: .slot(0), offset: 0, value: .reg(VReg(1)), width: .w64),
            .mov(dst: VReg(2), src: .imm(0x0f0f), width: .w64),
        ] + ops + extra + [
            .load(dst: VReg(9), base: .slot(0), offset: 0, width: .w64, signed: false),
            .binary(.add, dst: VReg(10), lhs: VReg(9), rhs: .reg(VReg(20)), width: .w64),
            .binary(.add, dst: VReg(11), lhs: VReg(10), rhs: .reg(VReg(21)), width: .w64),
        ], returning: VReg(11))], slots: [slot])
    }

    @Test func atomicsOnAPrivateLocalBecomePlain() throws {
        let cases: [(String, [Inst])] = [
            ("add", [.atomic(.add, base: .slot(0), offset: 0, value: VReg(2), width: .w64, fetch: nil)]),
            ("fetch and xor", [.atomic(.xor, base: .slot(0), offset: 0, value: VReg(2), width: .w64, fetch: VReg(20))]),
            // 32 bits: the upper half of the slot stays, the fetched value is zero-extended.
            ("fetch or, 32 bits", [.atomic(.or, base: .slot(0), offset: 4, value: VReg(2), width: .w32, fetch: VReg(20))]),
            ("and, then exchange", [.atomic(.and, base: .slot(0), offset: 0, value: VReg(2), width: .w32, fetch: nil),
                                    .atomic(.xchg, base: .slot(0), offset: 0, value: VReg(0), width: .w64, fetch: VReg(21))]),
            // The fetch register is the operand's: the operand is read before it is written.
            ("fetch into the operand", [.mov(dst: VReg(21), src: .reg(VReg(0)), width: .w64),
                                        .atomic(.add, base: .slot(0), offset: 0, value: VReg(21), width: .w64, fetch: VReg(21))]),
        ]
        for (what, ops) in cases {
            let f = localFunction(ops)
            let g = LocalAtomics.run(f)
            #expect(atomics(in: g) == 0, "\(what): \(show(g))")
            try expectSameResults(f, g)
        }
        // The whole pipeline: the local becomes a register, nothing is left in memory.
        let o = Optimizer.run(Module(functions: [localFunction(cases[1].1)]), level: 2).functions[0]
        #expect(!o.blocks.contains { $0.instructions.contains { $0.inst.slotReferenced != nil } }, "\(show(o))")
    }

    /// `int *p = &x; __sync_fetch_and_xor(&x, *p)` once the read through `p` is an access
    /// of the slot: the address is left unread, and the slot is private after all.
    @Test func anAddressNothingReadsLetsNothingEscape() throws {
        let f = localFunction([.slotAddr(dst: VReg(30), slot: 0, offset: 0),
                               .mov(dst: VReg(31), src: .reg(VReg(30)), width: .w64),
                               .atomic(.xor, base: .slot(0), offset: 0, value: VReg(2), width: .w64, fetch: VReg(20))])
        let g = LocalAtomics.run(f)
        #expect(atomics(in: g) == 0, "\(show(g))")
        try expectSameResults(f, g)
    }

    @Test func atomicsOthersMaySeeStay() {
        let add = Inst.atomic(.add, base: .slot(0), offset: 0, value: VReg(2), width: .w64, fetch: VReg(20))
        let cases: [(String, Function)] = [
            ("volatile", localFunction([add], volatile: true)),
            ("address taken", localFunction([add], extra: [
                .slotAddr(dst: VReg(30), slot: 0, offset: 0),
                .call(dst: nil, callee: .helper(6), args: [.reg(VReg(30)), .imm(8)])])),
            ("compare and exchange", localFunction([
                .cmpxchg(dst: VReg(20), base: .slot(0), offset: 0, expected: VReg(1), new: VReg(2), width: .w64)])),
        ]
        for (what, f) in cases {
            #expect(atomics(in: LocalAtomics.run(f)) == atomics(in: f), "\(what)")
        }
    }

    /// `x = p + 5; for (i = 0; i < 4; i++) { [x = 3;] sum += fetch_add(&x, v); } return x + sum`,
    /// `v` the parameter or the constant 2, the fetched value read or not.
    private func loopFunction(constant: Bool = false, fetchRead: Bool = true, storeInLoop: Bool = false) -> Function {
        let x = VReg(0), i = VReg(3), sum = VReg(4), v = VReg(2), old = VReg(20)
        let entry: [Inst] = [.binary(.add, dst: VReg(1), lhs: x, rhs: .imm(5), width: .w64),
                             .store(base: .slot(0), offset: 0, value: .reg(VReg(1)), width: .w64),
                             .mov(dst: i, src: .imm(0), width: .w64), .mov(dst: sum, src: .imm(0), width: .w64),
                             .mov(dst: v, src: constant ? .imm(2) : .reg(x), width: .w64)]
        var body: [Inst] = storeInLoop ? [.store(base: .slot(0), offset: 0, value: .imm(3), width: .w64)] : []
        body += [.atomic(.add, base: .slot(0), offset: 0, value: v, width: .w64, fetch: fetchRead ? old : nil)]
        if fetchRead { body.append(.binary(.add, dst: sum, lhs: sum, rhs: .reg(old), width: .w64)) }
        body.append(.binary(.add, dst: i, lhs: i, rhs: .imm(1), width: .w64))
        return fn([
            Block(id: BlockID(0), instructions: entry.map { Instruction($0) }, terminator: .jump(BlockID(1))),
            Block(id: BlockID(1), instructions: body.map { Instruction($0) },
                  terminator: .branch(.ult, lhs: i, rhs: .imm(4), width: .w64, then: BlockID(1), else: BlockID(2))),
            Block(id: BlockID(2), instructions: [Instruction(.load(dst: VReg(9), base: .slot(0), offset: 0, width: .w64, signed: false)),
                                                 Instruction(.binary(.add, dst: VReg(10), lhs: VReg(9), rhs: .reg(sum), width: .w64))],
                  terminator: .ret(.reg(VReg(10)))),
        ], params: 1, slots: [StackSlot(size: 8, alignment: 8, name: "x")])
    }

    /// A loop fetching from a local it changes by an unknown amount: as a plain value, the
    /// verifier would carry the local's range, split by every test of what was fetched,
    /// round the loop, and walk the rounds apart (random seed 66096: over the limit; clang
    /// keeps such an atomic too). The atomic leaves the verifier nothing to tell apart.
    @Test func aFetchCarryingAnUnknownChangeRoundALoopStays() throws {
        let f = loopFunction()
        #expect(atomics(in: LocalAtomics.run(f)) == 1, "\(show(LocalAtomics.run(f)))")
        for (what, g) in [("constant operand", loopFunction(constant: true)), ("fetched value unread", loopFunction(fetchRead: false)),
                          ("slot stored in the loop", loopFunction(storeInLoop: true))] {
            let plain = LocalAtomics.run(g)
            #expect(atomics(in: plain) == 0, "\(what): \(show(plain))")
            try expectSameResults(g, plain)
        }
    }
}
