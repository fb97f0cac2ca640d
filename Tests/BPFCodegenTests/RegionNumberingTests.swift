import Testing
import BPFIR
@testable import BPFCodegen

/// RegionNumbering: a branch region computing what an earlier one computed becomes
/// copies of the earlier one's results, unless a call comes between them.
extension OptimizerPassTests {
    /// `t1 = a < b; x = t1 + 1; [call;] t2 = a < b; return x * 4 + t2`, each truth value
    /// a diamond setting 1 or 0.
    func repeatedComparison(callBetween: Bool) -> Function {
        let a = VReg(0), b = VReg(1), t1 = VReg(10), x = VReg(11), t2 = VReg(12), y = VReg(13), r = VReg(14)
        func id(_ k: Int) -> BlockID { BlockID(k) }
        func diamond(_ at: Int, _ t: VReg, next: Int) -> [Block] {
            [Block(id: id(at), terminator: .branch(.ult, lhs: a, rhs: .reg(b), width: .w64, then: id(at + 1), else: id(at + 2))),
             Block(id: id(at + 1), instructions: [ins(.mov(dst: t, src: .imm(1), width: .w64))], terminator: .jump(id(next))),
             Block(id: id(at + 2), instructions: [ins(.mov(dst: t, src: .imm(0), width: .w64))], terminator: .jump(id(next)))]
        }
        var middle = [ins(.binary(.add, dst: x, lhs: t1, rhs: .imm(1), width: .w64))]
        if callBetween { middle.append(ins(.call(dst: nil, callee: .helper(6), args: []))) }
        return fn(diamond(0, t1, next: 3)
                  + [Block(id: id(3), instructions: middle, terminator: .jump(id(4)))]
                  + diamond(4, t2, next: 7)
                  + [Block(id: id(7), instructions: [ins(.binary(.shl, dst: y, lhs: x, rhs: .imm(2), width: .w64)),
                                                     ins(.binary(.add, dst: r, lhs: y, rhs: .reg(t2), width: .w64))],
                           terminator: .ret(.reg(r)))], params: 2)
    }

    /// `a = x; t1 = a < b; t2 = a < b; [a = y;] t3 = a < b` with `a` written twice in the
    /// function: `t2` reads the `a` `t1` read (nothing writes it between), `t3` another
    /// one once `a = y` comes between (truth values moved out of a loop's rounds one
    /// after the other, reading a loop value written again after the loop).
    @Test(arguments: [false, true])
    func aTruthValueOfARegisterWrittenTwiceIsACopyWhenNothingWritesItBetween(writtenBetween: Bool) throws {
        let x = VReg(0), y = VReg(1), b = VReg(2), a = VReg(3), t1 = VReg(10), t2 = VReg(11), t3 = VReg(12), r = VReg(13), s = VReg(14)
        func id(_ k: Int) -> BlockID { BlockID(k) }
        func diamond(_ at: Int, _ t: VReg, next: Int) -> [Block] {
            [Block(id: id(at), terminator: .branch(.ult, lhs: a, rhs: .reg(b), width: .w64, then: id(at + 1), else: id(at + 2))),
             Block(id: id(at + 1), instructions: [ins(.mov(dst: t, src: .imm(1), width: .w64))], terminator: .jump(id(next))),
             Block(id: id(at + 2), instructions: [ins(.mov(dst: t, src: .imm(0), width: .w64))], terminator: .jump(id(next)))]
        }
        let f = fn([Block(id: id(100), instructions: [ins(.mov(dst: a, src: .reg(x), width: .w64))], terminator: .jump(id(0)))]
                   + diamond(0, t1, next: 3)
                   + [Block(id: id(3), terminator: .jump(id(4)))]
                   + diamond(4, t2, next: 7)
                   + [Block(id: id(7), instructions: writtenBetween ? [ins(.mov(dst: a, src: .reg(y), width: .w64))] : [],
                            terminator: .jump(id(8)))]
                   + diamond(8, t3, next: 11)
                   + [Block(id: id(11), instructions: [ins(.binary(.add, dst: r, lhs: t1, rhs: .reg(t2), width: .w64)),
                                                      ins(.binary(.add, dst: s, lhs: r, rhs: .reg(t3), width: .w64))],
                            terminator: .ret(.reg(s)))]
                   + (writtenBetween ? [] : [Block(id: id(12), instructions: [ins(.mov(dst: a, src: .reg(y), width: .w64))], terminator: .ret(.reg(a)))]),
                   params: 3)
        let g = RegionNumbering.run(f)
        let branches = g.blocks.filter { if case .branch = $0.terminator { return true }; return false }
        #expect(branches.count == (writtenBetween ? 2 : 1), "\(show(g))")
        for (p, q, k): (Int64, Int64, Int64) in [(1, 2, 2), (2, 1, 2), (3, 3, 1), (0, 5, 1)] {
            #expect(try IRInterpreter.run(g, args: [p, q, k]) == IRInterpreter.run(f, args: [p, q, k]))
        }
    }

    /// `t1 = 0; if (c) t1 = -1; t2 = 0; if (c) t2 = -1; return t1 * 4 + t2`: the default
    /// set before each branch is part of the region, and the second is a copy of the
    /// first (`(in2 != 0) - 1` in every unrolled round, moved out of the loop).
    @Test func aTriangleWithItsDefaultBeforeTheBranchBecomesACopy() throws {
        let c = VReg(0), t1 = VReg(10), t2 = VReg(11), y = VReg(12), r = VReg(13)
        func id(_ k: Int) -> BlockID { BlockID(k) }
        func triangle(_ at: Int, _ t: VReg, before: [Instruction] = [], next: Int) -> [Block] {
            [Block(id: id(at), instructions: before + [ins(.mov(dst: t, src: .imm(0), width: .w64))],
                   terminator: .branch(.ne, lhs: c, rhs: .imm(0), width: .w64, then: id(at + 1), else: id(next))),
             Block(id: id(at + 1), instructions: [ins(.mov(dst: t, src: .imm(-1), width: .w64))], terminator: .jump(id(next)))]
        }
        let f = fn(triangle(0, t1, next: 2)
                   + triangle(2, t2, before: [ins(.binary(.shl, dst: y, lhs: t1, rhs: .imm(2), width: .w64))], next: 4)
                   + [Block(id: id(4), instructions: [ins(.binary(.add, dst: r, lhs: y, rhs: .reg(t2), width: .w64))],
                            terminator: .ret(.reg(r)))], params: 1)
        let g = RegionNumbering.run(f)
        let branches = g.blocks.filter { if case .branch = $0.terminator { return true }; return false }
        #expect(branches.count == 1, "\(show(g))")
        // The default goes with the region: `t2` is written once, by the copy, which
        // copy propagation then takes.
        #expect(g.useDefCounts().defs[t2] == 1, "\(show(g))")
        #expect(g.blocks.flatMap(\.instructions).contains { $0.inst == .mov(dst: t2, src: .reg(t1), width: .w64) })
        for p: Int64 in [0, 1, -5] {
            #expect(try IRInterpreter.run(g, args: [p]) == IRInterpreter.run(f, args: [p]))
        }
    }

    @Test func repeatedTruthValueBecomesACopy() throws {
        let f = repeatedComparison(callBetween: false)
        let g = RegionNumbering.run(f)
        let branches = g.blocks.filter { if case .branch = $0.terminator { return true }; return false }
        #expect(branches.count == 1, "one comparison left\(show(g))")
        #expect(g.blocks.contains { $0.instructions.contains { $0.inst == .mov(dst: VReg(12), src: .reg(VReg(10)), width: .w64) } },
                "t2 = t1\(show(g))")
        for (p, q): (Int64, Int64) in [(1, 2), (2, 1), (3, 3)] {
            #expect(try IRInterpreter.run(g, args: [p, q]) == IRInterpreter.run(f, args: [p, q]))
        }
        let across = repeatedComparison(callBetween: true)
        #expect(RegionNumbering.run(across) == across, "a call between: the value is computed again")
    }

    /// `t1 = c ? (s = (s8)x, s == 0) : 0; t2 = c ? (s' = (s8)x, s' == 0) : 0; return t1 * 4 + t2`:
    /// the extension is written on one path of the region only, but nothing after the
    /// second region reads its own, so `t2` is a copy of `t1` all the same (an unrolled
    /// loop's `on ? (0 >= (u64)ch) : 0` in every round). With the extension read after the
    /// second region, it stays.
    @Test func aNestedTruthValueBecomesACopyOfWhatItLeaves() throws {
        let c = VReg(0), x = VReg(1), t1 = VReg(10), s1 = VReg(11), t2 = VReg(12), s2 = VReg(13), y = VReg(14), r = VReg(15)
        func id(_ k: Int) -> BlockID { BlockID(k) }
        func region(_ at: Int, _ t: VReg, _ s: VReg, next: Int) -> [Block] {
            [Block(id: id(at), terminator: .branch(.ne, lhs: c, rhs: .imm(0), width: .w64, then: id(at + 1), else: id(at + 4))),
             Block(id: id(at + 1), instructions: [ins(.ext(dst: s, src: x, from: .w8, to: .w64, signed: true))],
                   terminator: .branch(.eq, lhs: s, rhs: .imm(0), width: .w64, then: id(at + 2), else: id(at + 3))),
             Block(id: id(at + 2), instructions: [ins(.mov(dst: t, src: .imm(1), width: .w64))], terminator: .jump(id(next))),
             Block(id: id(at + 3), instructions: [ins(.mov(dst: t, src: .imm(0), width: .w64))], terminator: .jump(id(next))),
             Block(id: id(at + 4), instructions: [ins(.mov(dst: t, src: .imm(0), width: .w64))], terminator: .jump(id(next)))]
        }
        func program(readsExtension: Bool) -> Function {
            fn(region(0, t1, s1, next: 5)
               + [Block(id: id(5), instructions: [ins(.binary(.shl, dst: y, lhs: t1, rhs: .imm(2), width: .w64))], terminator: .jump(id(6)))]
               + region(6, t2, s2, next: 11)
               + [Block(id: id(11), instructions: [ins(.binary(.add, dst: r, lhs: y, rhs: .reg(readsExtension ? s2 : t2), width: .w64))],
                        terminator: .ret(.reg(r)))], params: 2)
        }
        let f = program(readsExtension: false), g = RegionNumbering.run(f)
        let branches = g.blocks.filter { if case .branch = $0.terminator { return true }; return false }
        #expect(branches.count == 2, "the first region's two tests left\(show(g))")
        for (p, q): (Int64, Int64) in [(0, 0), (1, 0), (1, 0x100), (1, 5), (0, 5)] {
            #expect(try IRInterpreter.run(g, args: [p, q]) == IRInterpreter.run(f, args: [p, q]), "\(p) \(q)")
        }
        let reads = program(readsExtension: true)
        #expect(RegionNumbering.run(reads) == reads, "the extension, not written on every path of the first region, is read after the second")
    }
}


extension OptimizerPassTests {
    private func diamond(_ at: Int, _ cc: CondCode, _ l: VReg, _ rhs: Operand, _ t: VReg, next: Int) -> [Block] {
        [Block(id: BlockID(at), terminator: .branch(cc, lhs: l, rhs: rhs, width: .w64, then: BlockID(at + 1), else: BlockID(at + 2))),
         Block(id: BlockID(at + 1), instructions: [ins(.mov(dst: t, src: .imm(1), width: .w64))], terminator: .jump(BlockID(next))),
         Block(id: BlockID(at + 2), instructions: [ins(.mov(dst: t, src: .imm(0), width: .w64))], terminator: .jump(BlockID(next)))]
    }

    /// How many blocks end in a conditional branch.
    func branchCount(_ f: Function) -> Int {
        f.blocks.filter { if case .branch = $0.terminator { return true }; return false }.count
    }

    /// Two rounds of `t = a < b; v = x != t` (each a diamond): the second `t` becomes a
    /// copy of the first, and the second `v`, reading that copy, is then the first `v`
    /// too (the pass repeats while it shares).
    @Test func theNextTruthValueOfARoundSharedIsSharedToo() throws {
        let a = VReg(0), b = VReg(1), x = VReg(2)
        let t1 = VReg(10), v1 = VReg(11), t2 = VReg(12), v2 = VReg(13), y = VReg(14), r = VReg(15)
        let f = fn(diamond(0, .ult, a, .reg(b), t1, next: 3)
                   + diamond(3, .ne, x, .reg(t1), v1, next: 6)
                   + diamond(6, .ult, a, .reg(b), t2, next: 9)
                   + diamond(9, .ne, x, .reg(t2), v2, next: 12)
                   + [Block(id: BlockID(12), instructions: [ins(.binary(.shl, dst: y, lhs: v1, rhs: .imm(2), width: .w64)),
                                                           ins(.binary(.add, dst: r, lhs: y, rhs: .reg(v2), width: .w64))],
                            terminator: .ret(.reg(r)))], params: 3)
        let g = RegionNumbering.run(f)
        #expect(branchCount(g) == 2, "\(show(g))")
        for (p, q, k): (Int64, Int64, Int64) in [(1, 2, 1), (2, 1, 1), (1, 2, 0), (3, 3, 0), (3, 3, 7)] {
            #expect(try IRInterpreter.run(g, args: [p, q, k]) == IRInterpreter.run(f, args: [p, q, k]))
        }
    }

    /// `t = a < b; v1 = x != t; c = t; [t = 7;] v2 = x != c`: `c` copies `t`, written twice,
    /// so reading `c` is reading `t` when nothing on the way from the copy writes `t`, and
    /// `v2` is a copy of `v1`; with `t = 7` between, it stays.
    @Test(arguments: [false, true])
    func aReadOfACopyIsAReadOfWhatItCopiedWhenNothingWritesThatBetween(rewritten: Bool) throws {
        let a = VReg(0), b = VReg(1), x = VReg(2)
        let t = VReg(10), v1 = VReg(11), c = VReg(12), v2 = VReg(13), y = VReg(14), r = VReg(15)
        var between = [ins(.mov(dst: c, src: .reg(t), width: .w64))]
        if rewritten { between.append(ins(.mov(dst: t, src: .imm(7), width: .w64))) }
        let f = fn(diamond(0, .ult, a, .reg(b), t, next: 3)
                   + diamond(3, .ne, x, .reg(t), v1, next: 6)
                   + [Block(id: BlockID(6), instructions: between, terminator: .jump(BlockID(7)))]
                   + diamond(7, .ne, x, .reg(c), v2, next: 10)
                   + [Block(id: BlockID(10), instructions: [ins(.binary(.shl, dst: y, lhs: v1, rhs: .imm(2), width: .w64)),
                                                           ins(.binary(.add, dst: r, lhs: y, rhs: .reg(v2), width: .w64))],
                            terminator: .ret(.reg(r)))], params: 3)
        let g = RegionNumbering.run(f)
        #expect(branchCount(g) == (rewritten ? 3 : 2), "\(show(g))")
        for (p, q, k): (Int64, Int64, Int64) in [(1, 2, 1), (2, 1, 1), (1, 2, 0), (3, 3, 0), (3, 3, 7)] {
            #expect(try IRInterpreter.run(g, args: [p, q, k]) == IRInterpreter.run(f, args: [p, q, k]))
        }
    }
}
