import Testing
import BPFIR
@testable import BPFCodegen

/// What keeps a header walk's iterations prunable for the verifier: PointerOffsets (the
/// constant part of an offset added last), SwitchOrder (the case moving a pointer
/// furthest walked first) and FullUnrolling leaving a loop rolled when its copies would
/// only repeat it.
extension OptimizerPassTests {
    /// `return p + offset` where `offset` is computed from `b = x & mask` by `steps`.
    func offsetProgram(mask: Int64, _ steps: [Inst]) -> Function {
        fn([Block(id: BlockID(0), instructions:
                    [ins(.binary(.and, dst: VReg(2), lhs: VReg(1), rhs: .imm(mask), width: .w64))] + steps.map(ins)
                    + [ins(.binary(.add, dst: VReg(9), lhs: VReg(0), rhs: .reg(VReg(4)), width: .w64))],
                   terminator: .ret(.reg(VReg(9))))], params: 2)
    }

    func instructions(_ f: Function) -> [Inst] { f.blocks.flatMap(\.instructions).map(\.inst) }

    @Test func constantPartsOfOffsetsGoLast() throws {
        // p + (b + 1) * 8 and p + ((b + 2) << 2), 32-bit steps on a byte: (p + b * k) + c.
        let scalings: [(Inst, Int64)] = [(.binary(.mul, dst: VReg(4), lhs: VReg(3), rhs: .imm(8), width: .w32), 8),
                                         (.binary(.shl, dst: VReg(4), lhs: VReg(3), rhs: .imm(2), width: .w32), 4)]
        for (scale, constant) in scalings {
            let f = offsetProgram(mask: 0xff, [.binary(.add, dst: VReg(3), lhs: VReg(2), rhs: .imm(1), width: .w32), scale])
            let g = PointerOffsets.run(f)
            guard case .binary(.add, VReg(9), _, .imm(let c), .w64)? = instructions(g).last else {
                Issue.record("the constant is not added last:\(show(g))"); continue
            }
            #expect(c == constant)
            #expect(!instructions(g).contains { if case .binary(.add, _, VReg(2), .imm(1), .w32) = $0 { return true }; return false })
            for (p, x) in [(Int64(0x1000), Int64(0)), (0x1000, 255), (0x7fff_0000, 0x1234_56ab), (-8, -1)] {
                #expect(try IRInterpreter.run(g, args: [p, x]) == IRInterpreter.run(f, args: [p, x]))
            }
        }
        // An unscaled 32-bit `b + 14` also; a 64-bit one (perhaps the pointer) does not move.
        let plain = offsetProgram(mask: 0xffff, [.binary(.add, dst: VReg(4), lhs: VReg(2), rhs: .imm(14), width: .w32)])
        #expect(PointerOffsets.run(plain) != plain)
        let wide = offsetProgram(mask: 0xffff, [.binary(.add, dst: VReg(4), lhs: VReg(2), rhs: .imm(14), width: .w64)])
        #expect(PointerOffsets.run(wide) == wide)
    }

    @Test func offsetsThatMayWrapKeepTheirForm() throws {
        // (b + 1) * 8 in 32 bits of an unbounded (64-bit masked) value may wrap.
        let f = offsetProgram(mask: -1, [.binary(.add, dst: VReg(3), lhs: VReg(2), rhs: .imm(1), width: .w32),
                                         .binary(.mul, dst: VReg(4), lhs: VReg(3), rhs: .imm(8), width: .w32)])
        #expect(PointerOffsets.run(f) == f)
        // A 2^29 bound: (b + 1) * 8 reaches 2^32.
        let g = offsetProgram(mask: 0x1fff_ffff, [.binary(.add, dst: VReg(3), lhs: VReg(2), rhs: .imm(1), width: .w32),
                                                  .binary(.mul, dst: VReg(4), lhs: VReg(3), rhs: .imm(8), width: .w32)])
        #expect(PointerOffsets.run(g) == g)
        // A sum read twice stays (the rewrite would add instructions).
        let shared = offsetProgram(mask: 0xff, [.binary(.add, dst: VReg(3), lhs: VReg(2), rhs: .imm(1), width: .w32),
                                                .binary(.mul, dst: VReg(4), lhs: VReg(3), rhs: .imm(8), width: .w32),
                                                .binary(.add, dst: VReg(5), lhs: VReg(3), rhs: .reg(VReg(3)), width: .w32)])
        #expect(PointerOffsets.run(shared) == shared)
    }

    /// `switch (k) { case 15: return *p; case 1: q = p + 8; case 2: q = p + (b << 3);
    /// case 3: q = p + (b << 2) }` as a chain in that order (15 first), then `return q - p`;
    /// the default returns -1.
    func movingSwitch(order: [Int64], readThroughP: Bool = true) -> Function {
        let p = VReg(0), k = VReg(1), b = VReg(2), q = VReg(3), s = VReg(4)
        func id(_ n: Int) -> BlockID { BlockID(n) }
        let arms: [Int64: [Inst]] = [
            1: [.binary(.add, dst: q, lhs: p, rhs: .imm(8), width: .w64)],
            2: [.binary(.shl, dst: s, lhs: b, rhs: .imm(3), width: .w64), .binary(.add, dst: q, lhs: p, rhs: .reg(s), width: .w64)],
            3: [.binary(.shl, dst: VReg(6), lhs: b, rhs: .imm(2), width: .w64), .binary(.add, dst: q, lhs: p, rhs: .reg(VReg(6)), width: .w64)],
        ]
        var blocks = [Block(id: id(0), instructions: [ins(.binary(.and, dst: VReg(5), lhs: k, rhs: .imm(0xff0), width: .w64)),
                                                      ins(.binary(.lshr, dst: b, lhs: VReg(5), rhs: .imm(4), width: .w64)),
                                                      ins(.binary(.and, dst: k, lhs: k, rhs: .imm(0xf), width: .w64))],
                            terminator: .branch(.eq, lhs: k, rhs: .imm(15), width: .w64, then: id(40), else: id(10))),
                      // `p` is a pointer: something reads memory through it (not on the tests' paths).
                      Block(id: id(40), instructions: readThroughP ? [ins(.load(dst: VReg(7), base: .reg(p), offset: 0, width: .w8, signed: false))]
                                                                   : [ins(.mov(dst: VReg(7), src: .reg(p), width: .w64))],
                            terminator: .ret(.reg(VReg(7))))]
        for (n, key) in order.enumerated() {
            blocks.append(Block(id: id(10 + n), terminator: .branch(.eq, lhs: k, rhs: .imm(key), width: .w64,
                                                                    then: id(20 + Int(key)), else: id(10 + n + 1))))
        }
        blocks.append(Block(id: id(10 + order.count), terminator: .ret(.imm(-1))))
        for key in order { blocks.append(Block(id: id(20 + Int(key)), instructions: arms[key]!.map(ins), terminator: .jump(id(30)))) }
        blocks.append(Block(id: id(30), instructions: [ins(.binary(.sub, dst: q, lhs: q, rhs: .reg(p), width: .w64))],
                            terminator: .ret(.reg(q))))
        return fn(blocks, params: 2)
    }

    /// The keys a chain tests, in order.
    func chainKeys(_ f: Function) -> [Int64] {
        f.blocks.compactMap { if case .branch(.eq, _, .imm(let k), _, _, _) = $0.terminator { return k }; return nil }
    }

    @Test func switchCasesMovingAPointerFurthestAreTestedLast() throws {
        let f = movingSwitch(order: [2, 3, 1])
        let g = SwitchOrder.run(f)
        // The cases moving no pointer first (the load through it, the constant), then the
        // one adding up to 255 * 4, then up to 255 * 8.
        #expect(chainKeys(g) == [15, 1, 3, 2], "\(show(g))")
        for k: Int64 in [0, 1, 2, 3, 4, 0x121, 0xff2, 0x7f3] {
            #expect(try IRInterpreter.run(g, args: [0x1000, k]) == IRInterpreter.run(f, args: [0x1000, k]))
        }
        // Already in that order: unchanged. No case moving a pointer: unchanged.
        let sorted = movingSwitch(order: [1, 3, 2])
        #expect(SwitchOrder.run(sorted) == sorted)
        let constants = movingSwitch(order: [1])
        #expect(SwitchOrder.run(constants) == constants)
        // `p` read through nowhere: a number, whatever the cases add to it.
        let numbers = movingSwitch(order: [2, 3, 1], readThroughP: false)
        #expect(SwitchOrder.run(numbers) == numbers)
    }

    /// `for (i = 0; i < 6; i++) acc = (x & (1 << i)) ? acc * 3 : acc ^ 5;` with the bit test
    /// replaced by an open test of `x` (the body never reads i): each copy would be the
    /// loop again, so it stays rolled, as clang keeps it.
    @Test func loopsWhoseIterationsOnlyCountStayRolled() throws {
        let x = VReg(0), i = VReg(1), acc = VReg(2)
        func id(_ n: Int) -> BlockID { BlockID(n) }
        let f = fn([
            Block(id: id(0), instructions: [ins(.mov(dst: i, src: .imm(0), width: .w64)), ins(.mov(dst: acc, src: .imm(1), width: .w64))],
                  terminator: .jump(id(1))),
            Block(id: id(1), terminator: .branch(.ult, lhs: i, rhs: .imm(6), width: .w64, then: id(2), else: id(9))),
            Block(id: id(2), terminator: .branch(.eq, lhs: x, rhs: .imm(0), width: .w64, then: id(3), else: id(4))),
            Block(id: id(3), instructions: [ins(.binary(.mul, dst: acc, lhs: acc, rhs: .imm(3), width: .w64))], terminator: .jump(id(5))),
            Block(id: id(4), instructions: [ins(.binary(.xor, dst: acc, lhs: acc, rhs: .imm(5), width: .w64))], terminator: .jump(id(5))),
            Block(id: id(5), instructions: [ins(.binary(.add, dst: i, lhs: i, rhs: .imm(1), width: .w64))], terminator: .jump(id(1))),
            Block(id: id(9), terminator: .ret(.reg(acc))),
        ], params: 1)
        #expect(!FullUnrolling.loopHeaders(FullUnrolling.run(f)).isEmpty)
        // The same loop reading its counter (acc += i) is unrolled: each copy adds a constant.
        var g = f
        g.blocks[3].instructions.append(ins(.binary(.add, dst: acc, lhs: acc, rhs: .reg(i), width: .w64)))
        let h = FullUnrolling.run(g)
        #expect(FullUnrolling.loopHeaders(h).isEmpty, "\(show(h))")
        for v: Int64 in [0, 1, -3] { #expect(try IRInterpreter.run(h, args: [v]) == IRInterpreter.run(g, args: [v])) }
    }
}
