import Testing
import BPFIR
@testable import BPFCodegen

/// Deterministic pseudo-random numbers (SplitMix64).
struct SplitMix {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    mutating func chance(_ percent: Int) -> Bool { below(100) < percent }
    mutating func pick<T>(_ xs: [T]) -> T { xs[below(xs.count)] }
    mutating func constant() -> Int64 {
        switch below(6) {
        case 0: return Int64(below(16))
        case 1: return -Int64(below(300))
        case 2: return Int64(bitPattern: next())
        case 3: return Int64(Int32.max) + Int64(below(3))
        case 4: return Int64(UInt32.max) - Int64(below(2))
        default: return Int64(Int32(truncatingIfNeeded: next()))
        }
    }
}

/// Random IR functions over many non-SSA variables, forward branches, a counted
/// loop, helper calls, stack slots and atomics, compiled and run on the eBPF
/// interpreter against the IR interpreter.
struct RandomProgram {
    var rng: SplitMix
    let cpu: Int
    var next = 0
    var vars: [VReg] = []
    let params: Int

    init(seed: UInt64, cpu: Int) {
        rng = SplitMix(state: seed)
        self.cpu = cpu
        params = 1 + rng.below(5)
    }

    mutating func fresh() -> VReg { defer { next += 1 }; return VReg(next) }
    mutating func v() -> VReg { rng.pick(vars) }
    mutating func operand() -> Operand { rng.chance(60) ? .reg(v()) : .imm(rng.constant()) }

    mutating func instruction() -> [Inst] {
        let w: Width = rng.chance(50) ? .w64 : .w32
        switch rng.below(14) {
        case 0, 1, 2, 3:
            var ops: [BinOp] = [.add, .sub, .mul, .udiv, .urem, .and, .or, .xor, .shl, .lshr, .ashr]
            if cpu >= 4 { ops += [.sdiv, .srem] }
            let op = rng.pick(ops)
            if [.shl, .lshr, .ashr].contains(op) {
                if rng.chance(50) { return [.binary(op, dst: v(), lhs: v(), rhs: .imm(Int64(rng.below(w.bits))), width: w)] }
                let t = fresh()
                return [.binary(.and, dst: t, lhs: v(), rhs: .imm(Int64(w.bits - 1)), width: .w64),
                        .binary(op, dst: v(), lhs: v(), rhs: .reg(t), width: w)]
            }
            return [.binary(op, dst: v(), lhs: v(), rhs: operand(), width: w)]
        case 4: return [.mov(dst: v(), src: operand(), width: w)]
        case 5: return [.neg(dst: v(), src: v(), width: w)]
        case 6:
            let from = rng.pick([Width.w8, .w16, .w32])
            let to: Width = from == .w32 ? .w64 : rng.pick([.w32, .w64])
            return [.ext(dst: v(), src: v(), from: from, to: to, signed: rng.chance(50))]
        case 7: return [.bswap(dst: v(), src: v(), width: rng.pick([.w16, .w32, .w64]))]
        case 8:
            var args: [Operand] = []
            for _ in 0..<5 { args.append(operand()) }
            return [.call(dst: rng.chance(80) ? v() : nil, callee: .helper(100), args: OperandList(args))]
        case 9:
            let sw = rng.pick([Width.w8, .w16, .w32, .w64])
            let off = rng.below(8 / sw.bytes) * sw.bytes
            return [.store(base: .slot(rng.below(2)), offset: off, value: operand(), width: sw)]
        case 10:
            let sw = rng.pick([Width.w8, .w16, .w32, .w64])
            let off = rng.below(8 / sw.bytes) * sw.bytes
            return [.load(dst: v(), base: .slot(rng.below(2)), offset: off, width: sw, signed: sw != .w64 && rng.chance(40))]
        case 11:
            let aw = rng.pick([Width.w32, .w64])
            let off = rng.below(8 / aw.bytes) * aw.bytes
            if cpu < 3 { return [.atomic(.add, base: .slot(rng.below(2)), offset: off, value: v(), width: aw, fetch: nil)] }
            return [.atomic(rng.pick([.add, .or, .and, .xor, .xchg]), base: .slot(rng.below(2)), offset: off, value: v(), width: aw,
                            fetch: rng.chance(70) ? v() : nil)]
        case 12:
            if cpu < 3 { return [.loadImm64(dst: v(), value: rng.constant())] }
            let aw = rng.pick([Width.w32, .w64])
            return [.cmpxchg(dst: v(), base: .slot(rng.below(2)), offset: 0, expected: v(), new: v(), width: aw)]
        default: return [.loadImm64(dst: v(), value: rng.constant())]
        }
    }

    /// A branch on two variables, narrow compares on zero-extended values.
    mutating func branch(_ insts: inout [Instruction], then t: BlockID, else e: BlockID) -> Terminator {
        let cc = rng.pick([CondCode.eq, .ne, .ugt, .uge, .ult, .ule, .sgt, .sge, .slt, .sle, .set])
        let w: Width = rng.chance(50) ? .w64 : .w32
        var l = v()
        var r = operand()
        if w == .w32 {
            let a = fresh(); insts.append(Instruction(.mov(dst: a, src: .reg(l), width: .w32))); l = a
            if case .reg(let x) = r { let b = fresh(); insts.append(Instruction(.mov(dst: b, src: .reg(x), width: .w32))); r = .reg(b) }
        }
        return .branch(cc, lhs: l, rhs: r, width: w, then: t, else: e)
    }

    mutating func generate() -> Function {
        let ps = (0..<params).map { _ in fresh() }
        let nVars = 6 + rng.below(12)
        var entry: [Instruction] = [
            Instruction(.store(base: .slot(0), offset: 0, value: .imm(0), width: .w64)),
            Instruction(.store(base: .slot(1), offset: 0, value: .imm(rng.constant()), width: .w64)),
        ]
        for k in 0..<nVars {
            let x = fresh()
            entry.append(Instruction(.binary(.add, dst: x, lhs: ps[k % params], rhs: .imm(rng.constant()), width: .w64)))
            vars.append(x)
        }
        vars += ps
        let nBlocks = 3 + rng.below(6)
        let counter = fresh()
        entry.append(Instruction(.mov(dst: counter, src: .imm(Int64(1 + rng.below(4))), width: .w64)))
        var blocks: [Block] = []
        // Block ids are sparse (10 * index) to check that codegen does not assume dense ids.
        func id(_ i: Int) -> BlockID { BlockID(i * 10) }
        for bi in 0..<nBlocks {
            var insts: [Instruction] = bi == 0 ? entry : []
            for _ in 0..<(2 + rng.below(8)) { insts += instruction().map { Instruction($0) } }
            let term: Terminator
            if bi == nBlocks - 1 {
                let acc = fresh()
                insts.append(Instruction(.mov(dst: acc, src: .imm(0), width: .w64)))
                for x in vars where rng.chance(60) {
                    insts.append(Instruction(.binary(.xor, dst: acc, lhs: acc, rhs: .reg(x), width: .w64)))
                    insts.append(Instruction(.binary(.mul, dst: acc, lhs: acc, rhs: .imm(31), width: .w64)))
                }
                insts.append(Instruction(.load(dst: fresh(), base: .slot(0), offset: 0, width: .w64, signed: false)))
                insts.append(Instruction(.binary(.add, dst: acc, lhs: acc, rhs: .reg(VReg(next - 1)), width: .w64)))
                term = .ret(.reg(acc))
            } else if bi == 1 && nBlocks > 3 {
                // Counted loop back to itself.
                insts.append(Instruction(.binary(.sub, dst: counter, lhs: counter, rhs: .imm(1), width: .w64)))
                term = .branch(.ne, lhs: counter, rhs: .imm(0), width: .w64, then: id(1), else: id(2))
            } else {
                let a = bi + 1 + rng.below(nBlocks - bi - 1)
                let b = bi + 1 + rng.below(nBlocks - bi - 1)
                term = rng.chance(25) ? .jump(id(a)) : branch(&insts, then: id(a), else: id(b))
            }
            blocks.append(Block(id: id(bi), instructions: insts, terminator: term))
        }
        return Function(name: "rand", section: ".text", linkage: .global, parameters: ps, blocks: blocks,
                        slots: [StackSlot(size: 8, alignment: 8, name: "a"), StackSlot(size: 8, alignment: 8, name: "b")],
                        nextVReg: next)
    }
}

extension RandomProgram {
    /// The program generated from `seed`, and what the optimizer makes of it.
    static func optimized(seed: UInt64, cpu: Int) -> (original: Function, optimized: Function) {
        var g = RandomProgram(seed: seed, cpu: cpu)
        let f = g.generate()
        return (f, Optimizer.run(Module(functions: [f]), level: 2).functions[0])
    }
}

@Suite struct RandomProgramTests {
    @Test(arguments: [1, 2, 3, 4])
    func compiledProgramsComputeWhatTheIRComputes(cpu: Int) throws {
        var inputs = SplitMix(state: 42)
        for seed in 0..<300 {
            var g = RandomProgram(seed: UInt64(seed) &* 7919 &+ UInt64(cpu), cpu: cpu)
            let f = g.generate()
            let c: CompiledFunction
            do { c = try Codegen.compile(f, options: CodegenOptions(cpu: cpu)) } catch {
                Issue.record("seed \(seed) cpu \(cpu): \(error)"); return
            }
            // -mcpu gating: no JMP32 before v3, no atomics but add before v3, no v4-only forms before v4.
            for i in c.instructions {
                let cls = i.opcode & 7
                if cpu < 3 && cls == 6 { Issue.record("seed \(seed): JMP32 on cpu \(cpu): \(i)") }
                if cpu < 3 && i.opcode & 0xe0 == 0xc0 && cls == 3 && i.imm != 0 { Issue.record("seed \(seed): atomic on cpu \(cpu): \(i)") }
                if cpu < 4 && (cls == 4 || cls == 7) && i.offset != 0 { Issue.record("seed \(seed): v4 ALU form on cpu \(cpu): \(i)") }
                if cpu < 4 && cls == 1 && i.opcode & 0xe0 == 0x80 { Issue.record("seed \(seed): ldsx on cpu \(cpu): \(i)") }
                if cpu < 4 && i.opcode == 0xd7 { Issue.record("seed \(seed): bswap on cpu \(cpu): \(i)") }
                if cpu < 2 && cls == 5 && [0xa0, 0xb0, 0xc0, 0xd0].contains(i.opcode & 0xf0) { Issue.record("seed \(seed): jlt-family on v1: \(i)") }
            }
            for _ in 0..<6 {
                let args = (0..<f.parameters.count).map { _ in inputs.constant() }
                let expected = try IRInterpreter.run(f, args: args)
                do {
                    let got = try Interpreter.run(c.instructions, args: args)
                    if got != expected {
                        Issue.record("seed \(seed) cpu \(cpu) args \(args): got \(got), expected \(expected)\n\(c.disassembly)")
                        return
                    }
                } catch {
                    Issue.record("seed \(seed) cpu \(cpu): \(error)\n\(c.disassembly)"); return
                }
            }
        }
    }

    /// The optimizer and then codegen (with the steps after allocation: return hoisting,
    /// block merging, placement) on random programs: the code computes what the IR did.
    @Test func optimizedAndCompiledProgramsComputeWhatTheIRComputes() throws {
        var inputs = SplitMix(state: 99)
        for seed in 0..<200 {
            let (f, o) = RandomProgram.optimized(seed: UInt64(seed) &* 104723 &+ 11, cpu: 3)
            let c: CompiledFunction
            do { c = try Codegen.compile(o, options: CodegenOptions(cpu: 3)) } catch {
                Issue.record("seed \(seed): \(error)"); return
            }
            for _ in 0..<4 {
                let args = (0..<f.parameters.count).map { _ in inputs.constant() }
                let expected = try IRInterpreter.run(f, args: args)
                let got = try Interpreter.run(c.instructions, args: args)
                if got != expected {
                    Issue.record("seed \(seed) args \(args): got \(got), expected \(expected)\n\(IRPrinter.print(Module(functions: [o])))\n\(c.disassembly)")
                    return
                }
            }
        }
    }
}
