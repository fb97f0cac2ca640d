import Testing
import BPFIR
@testable import BPFCodegen

/// Builds small IR functions and checks what codegen makes of them, running the
/// result on a small eBPF interpreter where values matter.
@Suite struct CodegenTests {
    func function(_ blocks: [Block], params: Int = 0, slots: [StackSlot] = [], next: Int = 64) -> Function {
        Function(name: "f", section: ".text", linkage: .global, parameters: (0..<params).map { VReg($0) },
                 blocks: blocks, slots: slots, nextVReg: next)
    }

    @Test func returnsConstant() throws {
        let f = function([Block(id: BlockID(0), terminator: .ret(.imm(2)))])
        let c = try Codegen.compile(f, options: CodegenOptions())
        #expect(c.instructions.map { $0.encoded(bigEndian: false) } == [[0xb7, 0, 0, 0, 2, 0, 0, 0], [0x95, 0, 0, 0, 0, 0, 0, 0]])
    }

    @Test func stackLimitIsAnError() {
        let store = Instruction(.store(base: .slot(0), offset: 0, value: .imm(1), width: .w64))
        let f = function([Block(id: BlockID(0), instructions: [store], terminator: .ret(.imm(0)))],
                         slots: [StackSlot(size: 600, alignment: 8, name: "buf")])
        #expect(throws: CodegenError.self) { try Codegen.compile(f, options: CodegenOptions()) }
        do { _ = try Codegen.compile(f, options: CodegenOptions()) } catch let e as CodegenError {
            #expect(e.message.contains("stack size of 600 bytes exceeds the limit of 512 bytes in function 'f'"))
        } catch {}
    }

    @Test func signedDivisionNeedsV4() throws {
        let div = Block(id: BlockID(0), instructions: [Instruction(.binary(.sdiv, dst: VReg(2), lhs: VReg(0), rhs: .reg(VReg(1)), width: .w64))],
                        terminator: .ret(.reg(VReg(2))))
        #expect(throws: CodegenError.self) { try Codegen.compile(function([div], params: 2), options: CodegenOptions(cpu: 3)) }
        let ok = try Codegen.compile(function([div], params: 2), options: CodegenOptions(cpu: 4))
        #expect(ok.instructions.contains { $0.opcode == 0x3f && $0.offset == 1 })   // sdiv r, r with off=1
    }

    @Test func computesWithManyLiveValuesAcrossCalls() throws {
        // v_i = p0 + i for i in 0..<12, a helper call in between, return sum(v_i): forces r6-r9 and spills.
        var insts: [Instruction] = []
        var next = 1
        var vals: [VReg] = []
        for i in 0..<12 {
            let v = VReg(next); next += 1
            insts.append(Instruction(.binary(.add, dst: v, lhs: VReg(0), rhs: .imm(Int64(i)), width: .w64)))
            vals.append(v)
        }
        insts.append(Instruction(.call(dst: nil, callee: .helper(7), args: [.imm(1)])))
        var acc = vals[0]
        for v in vals.dropFirst() {
            let s = VReg(next); next += 1
            insts.append(Instruction(.binary(.add, dst: s, lhs: acc, rhs: .reg(v), width: .w64)))
            acc = s
        }
        let f = function([Block(id: BlockID(0), instructions: insts, terminator: .ret(.reg(acc)))], params: 1, next: next)
        let c = try Codegen.compile(f, options: CodegenOptions())
        for p: Int64 in [0, 5, 1000] {
            let r = try Interpreter.run(c.instructions, r1: p)
            #expect(r == 12 * p + 66)
        }
    }

    @Test func loopAndBranches() throws {
        // sum = 0; i = 0; while (i < n) { sum += i; i++ } return sum
        let n = VReg(0), sum = VReg(1), i = VReg(2)
        let b0 = Block(id: BlockID(0), instructions: [Instruction(.mov(dst: sum, src: .imm(0), width: .w64)),
                                                      Instruction(.mov(dst: i, src: .imm(0), width: .w64))],
                       terminator: .jump(BlockID(1)))
        let b1 = Block(id: BlockID(1), terminator: .branch(.ult, lhs: i, rhs: .reg(n), width: .w64, then: BlockID(2), else: BlockID(3)))
        let b2 = Block(id: BlockID(2), instructions: [Instruction(.binary(.add, dst: sum, lhs: sum, rhs: .reg(i), width: .w64)),
                                                      Instruction(.binary(.add, dst: i, lhs: i, rhs: .imm(1), width: .w64))],
                       terminator: .jump(BlockID(1)))
        let b3 = Block(id: BlockID(3), terminator: .ret(.reg(sum)))
        for cpu in 1...4 {
            let c = try Codegen.compile(function([b0, b1, b2, b3], params: 1, next: 3), options: CodegenOptions(cpu: cpu))
            #expect(try Interpreter.run(c.instructions, r1: 10) == 45)
            #expect(try Interpreter.run(c.instructions, r1: 0) == 0)
        }
    }

    @Test func parameterShuffleForCalls() throws {
        // f(a, b) = helper(b, a) with the stub helper returning r1 * 10 + r2.
        let a = VReg(0), b = VReg(1), r = VReg(2)
        let blk = Block(id: BlockID(0), instructions: [Instruction(.call(dst: r, callee: .helper(99), args: [.reg(b), .reg(a)]))],
                        terminator: .ret(.reg(r)))
        let c = try Codegen.compile(function([blk], params: 2, next: 3), options: CodegenOptions())
        #expect(try Interpreter.run(c.instructions, r1: 3, r2: 4) == 43)
    }
}


/// The emitter leaves out a load of a frame slot into a register that already holds it
/// (a spilled value reloaded in each block of a chain of tests), within a block and into
/// a block whose only predecessor is laid out before it; not after a store through
/// another pointer, nor into a block reached from elsewhere too.
@Suite struct FrameReloadTests {
    let slot = [StackSlot(size: 8, alignment: 8, name: "x")]

    /// `v0 = x; if (v0 > 5) { [between] v1 = x; if (v1 < 100) return 1; } return 0;`, v0 and v1
    /// both in r1; `joined`: the second test's block is also reached from the entry.
    func frameLoads(between: [Instruction] = [], joined: Bool = false) throws -> Int {
        let load0 = Instruction(.load(dst: VReg(0), base: .slot(0), offset: 0, width: .w64, signed: false))
        let load1 = Instruction(.load(dst: VReg(1), base: .slot(0), offset: 0, width: .w64, signed: false))
        let b0 = Block(id: BlockID(0), instructions: [load0],
                       terminator: .branch(.ugt, lhs: VReg(0), rhs: .imm(5), width: .w64, then: BlockID(1), else: BlockID(joined ? 1 : 3)))
        let b1 = Block(id: BlockID(1), instructions: between + [load1],
                       terminator: .branch(.ult, lhs: VReg(1), rhs: .imm(100), width: .w64, then: BlockID(2), else: BlockID(3)))
        let b2 = Block(id: BlockID(2), terminator: .ret(.imm(1)))
        let b3 = Block(id: BlockID(3), terminator: .ret(.imm(0)))
        var blocks = [b0, b1, b2, b3]
        if joined {
            // A second way into b1: from a block after the entry's test.
            blocks[0].terminator = .branch(.ugt, lhs: VReg(0), rhs: .imm(5), width: .w64, then: BlockID(1), else: BlockID(4))
            blocks.append(Block(id: BlockID(4), terminator: .jump(BlockID(1))))
        }
        let f = Function(name: "f", section: ".text", linkage: .global, parameters: [], blocks: blocks, slots: slot, nextVReg: 10)
        var e = Emitter(function: f, assignment: [VReg(0): 1, VReg(1): 1, VReg(9): 2], frame: FrameLayout(f), options: CodegenOptions(), farBranches: [])
        try e.emitFunction()
        return e.code.filter { $0.opcode == BPFInstruction.ldx(.dw, dst: 0, src: 0, off: 0).opcode && $0.src == Reg.fp }.count
    }

    @Test func aReloadIntoTheSameRegisterIsLeftOut() throws {
        #expect(try frameLoads() == 1)
    }

    @Test func aStoreThroughAPointerOrASecondPredecessorKeepsTheReload() throws {
        let store = Instruction(.store(base: .reg(VReg(9)), offset: 0, value: .imm(7), width: .w64))
        #expect(try frameLoads(between: [store]) == 2)
        #expect(try frameLoads(joined: true) == 2)
    }
}
