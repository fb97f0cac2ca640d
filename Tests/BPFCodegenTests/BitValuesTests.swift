import Testing
@testable import BPFIR
@testable import BPFCodegen

/// BitValues: a 0-or-1 value chosen by a one-bit test becomes the bit, without a branch.
extension OptimizerPassTests {
    /// `t = x & mask; d = (t != 0) ? ifSet : ifClear; return d + 10`, as a diamond of two
    /// constant arms, or (`triangle`) with `d = ifClear` before the branch and one arm.
    func bitChoice(mask: Int64, ifSet: Int64, ifClear: Int64, triangle: Bool = false, cc: CondCode = .ne) -> Function {
        let x = VReg(0), t = VReg(2), d = VReg(3), r = VReg(4)
        let setB = BlockID(1), clearB = BlockID(2), join = BlockID(3)
        let (thenB, elseB) = cc == .ne ? (setB, clearB) : (clearB, setB)
        var b0 = [ins(.binary(.and, dst: t, lhs: x, rhs: .imm(mask), width: .w64))]
        if triangle { b0.append(ins(.mov(dst: d, src: .imm(ifClear), width: .w64))) }
        let blocks = [
            Block(id: BlockID(0), instructions: b0,
                  terminator: .branch(cc, lhs: t, rhs: .imm(0), width: .w64,
                                      then: triangle && thenB == clearB ? join : thenB, else: triangle && elseB == clearB ? join : elseB)),
            Block(id: setB, instructions: [ins(.mov(dst: d, src: .imm(ifSet), width: .w32))], terminator: .jump(join)),
            Block(id: clearB, instructions: [ins(.mov(dst: d, src: .imm(ifClear), width: .w64))], terminator: .jump(join)),
            Block(id: join, instructions: [ins(.binary(.add, dst: r, lhs: d, rhs: .imm(10), width: .w64))], terminator: .ret(.reg(r))),
        ]
        return fn(triangle ? blocks.filter { $0.id != clearB } : blocks, params: 1)
    }
    func hasBranch(_ f: Function) -> Bool { f.blocks.contains { if case .branch = $0.terminator { return true }; return false } }

    @Test func oneBitChoicesBecomeTheBit() throws {
        for mask: Int64 in [1, 8, 1 << 40, Int64.min] {
            for (ifSet, ifClear): (Int64, Int64) in [(1, 0), (0, 1)] {
                for triangle in [false, true] {
                    for cc: CondCode in [.ne, .eq] {
                        let f = bitChoice(mask: mask, ifSet: ifSet, ifClear: ifClear, triangle: triangle, cc: cc)
                        let g = BitValues.run(f)
                        #expect(!hasBranch(g), "\(show(g))")
                        for x: Int64 in [0, 1, 8, 9, 1 << 40, -1, Int64.min, 0x7fff_ffff_ffff_fff7] {
                            #expect(try IRInterpreter.run(g, args: [x]) == IRInterpreter.run(f, args: [x]), "\(mask) \(x)\(show(g))")
                        }
                    }
                }
            }
        }
    }

    /// Left alone: a mask of several bits, constants other than 0 and 1.
    @Test func otherChoicesKeepTheirBranch() {
        for f in [bitChoice(mask: 6, ifSet: 1, ifClear: 0), bitChoice(mask: 4, ifSet: 2, ifClear: 0),
                  bitChoice(mask: 4, ifSet: 1, ifClear: 1), bitChoice(mask: 4, ifSet: 1, ifClear: 0, triangle: true).withTriangleDefinitionRead()] {
            #expect(hasBranch(BitValues.run(f)), "\(show(f))")
        }
    }
}

private extension Function {
    /// The triangle with `d` not set before the branch (its constant unknown there).
    func withTriangleDefinitionRead() -> Function {
        var f = self
        f.blocks[0].instructions.removeLast()
        return f
    }
}
