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
        let f = function([Block(id: BlockID(0), terminator: .ret(.imm(0)))], slots: [StackSlot(size: 600, alignment: 8, name: "buf")])
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

/// A tiny eBPF interpreter for ALU/JMP/LDX/STX/ST on a 512-byte stack; helper 99
/// returns r1 * 10 + r2, other helpers return 0 and clobber r1-r5.
enum Interpreter {
    struct Failure: Error { var message: String }

    static func run(_ code: [BPFInstruction], r1: Int64 = 0, r2: Int64 = 0) throws -> Int64 {
        var r = [UInt64](repeating: 0, count: 11)
        r[1] = UInt64(bitPattern: r1); r[2] = UInt64(bitPattern: r2)
        var stack = [UInt8](repeating: 0, count: 512)
        let fp: UInt64 = 0x1000_0000
        r[10] = fp
        var pc = 0
        var steps = 0
        func addr(_ a: UInt64, _ n: Int) throws -> Int {
            let o = Int(Int64(bitPattern: a) - Int64(bitPattern: fp)) + 512
            guard o >= 0, o + n <= 512 else { throw Failure(message: "bad memory access") }
            return o
        }
        while pc < code.count {
            steps += 1
            if steps > 100_000 { throw Failure(message: "too many steps") }
            let i = code[pc]
            let cls = i.opcode & 7
            let imm64 = UInt64(bitPattern: Int64(i.imm))
            switch cls {
            case 0x07, 0x04:
                let w64 = cls == 0x07
                let src = (i.opcode & 0x08) != 0 ? r[Int(i.src)] : imm64
                var d = r[Int(i.dst)]
                let op = i.opcode & 0xf0
                let s = w64 ? src : src & 0xffff_ffff
                if !w64 { d &= 0xffff_ffff }
                switch op {
                case 0x00: d = d &+ s
                case 0x10: d = d &- s
                case 0x20: d = d &* s
                case 0x30: d = s == 0 ? 0 : d / s
                case 0x40: d |= s
                case 0x50: d &= s
                case 0x60: d = d << (s & (w64 ? 63 : 31))
                case 0x70: d = d >> (s & (w64 ? 63 : 31))
                case 0x80: d = 0 &- d
                case 0x90: d = s == 0 ? d : d % s
                case 0xa0: d ^= s
                case 0xb0: d = s
                case 0xc0:
                    if w64 { d = UInt64(bitPattern: Int64(bitPattern: d) >> Int64(s & 63)) }
                    else { d = UInt64(UInt32(bitPattern: Int32(bitPattern: UInt32(d)) >> Int32(s & 31))) }
                default: throw Failure(message: "unsupported alu op \(op)")
                }
                r[Int(i.dst)] = w64 ? d : d & 0xffff_ffff
                pc += 1
            case 0x05, 0x06:
                let op = i.opcode & 0xf0
                if op == 0x90 { return Int64(bitPattern: r[0]) }
                if op == 0x80 {
                    if i.imm == 99 { r[0] = r[1] &* 10 &+ r[2] } else { r[0] = 0 }
                    for k in 1...5 { r[k] = 0xdead }
                    pc += 1; continue
                }
                if op == 0x00 { pc += 1 + Int(i.offset); continue }
                var a = r[Int(i.dst)], b = (i.opcode & 0x08) != 0 ? r[Int(i.src)] : imm64
                if cls == 0x06 { a &= 0xffff_ffff; b &= 0xffff_ffff }
                let sa = cls == 0x06 ? Int64(Int32(bitPattern: UInt32(a))) : Int64(bitPattern: a)
                let sb = cls == 0x06 ? Int64(Int32(bitPattern: UInt32(b))) : Int64(bitPattern: b)
                let taken: Bool
                switch op {
                case 0x10: taken = a == b
                case 0x20: taken = a > b
                case 0x30: taken = a >= b
                case 0x40: taken = a & b != 0
                case 0x50: taken = a != b
                case 0x60: taken = sa > sb
                case 0x70: taken = sa >= sb
                case 0xa0: taken = a < b
                case 0xb0: taken = a <= b
                case 0xc0: taken = sa < sb
                case 0xd0: taken = sa <= sb
                default: throw Failure(message: "unsupported jump \(op)")
                }
                pc += 1 + (taken ? Int(i.offset) : 0)
            case 0x01:
                let n = [0x00: 4, 0x08: 2, 0x10: 1, 0x18: 8][Int(i.opcode & 0x18)]!
                let o = try addr(r[Int(i.src)] &+ UInt64(bitPattern: Int64(i.offset)), n)
                var v: UInt64 = 0
                for k in 0..<n { v |= UInt64(stack[o + k]) << UInt64(8 * k) }
                r[Int(i.dst)] = v
                pc += 1
            case 0x02, 0x03:
                let n = [0x00: 4, 0x08: 2, 0x10: 1, 0x18: 8][Int(i.opcode & 0x18)]!
                let o = try addr(r[Int(i.dst)] &+ UInt64(bitPattern: Int64(i.offset)), n)
                let v = cls == 0x03 ? r[Int(i.src)] : imm64
                for k in 0..<n { stack[o + k] = UInt8(truncatingIfNeeded: v >> UInt64(8 * k)) }
                pc += 1
            case 0x00:
                r[Int(i.dst)] = UInt64(UInt32(bitPattern: i.imm)) | (UInt64(UInt32(bitPattern: code[pc + 1].imm)) << 32)
                pc += 2
            default:
                throw Failure(message: "unsupported class \(cls)")
            }
        }
        throw Failure(message: "fell off the end")
    }
}
