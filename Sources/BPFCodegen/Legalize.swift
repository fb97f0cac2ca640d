import BPFIR

/// Rewrites IR operations that eBPF (at the selected -mcpu) cannot encode
/// directly into ones it can, before register allocation, so that every
/// temporary they need is an ordinary virtual register:
/// - 64-bit immediates outside the signed 32-bit range (ALU64 and ST sign-extend
///   imm) are moved into a register first;
/// - without JMP32 (cpu < 3) narrow compares become 64-bit compares of the
///   zero- or sign-extended values; narrow (w8/w16) signed compares are
///   sign-extended to 32 bits for JMP32;
/// - cpu v1 lacks jlt/jle/jslt/jsle: register compares swap their operands,
///   immediate compares invert the condition and swap the targets;
/// - a memory offset outside the signed 16-bit offset field (a field deep in a large
///   map value) is added to the base register first.
enum Legalizer {
    static func fitsImm32(_ k: Int64) -> Bool { k >= Int64(Int32.min) && k <= Int64(Int32.max) }
    static func fitsOffset(_ o: Int) -> Bool { o >= Int(Int16.min) && o <= Int(Int16.max) }

    static func legalize(_ input: Function, cpu: Int) -> Function {
        var f = rebasingFarOffsets(input)
        for bi in f.blocks.indices {
            var out: [Instruction] = []
            out.reserveCapacity(f.blocks[bi].instructions.count)
            for ins in f.blocks[bi].instructions {
                switch ins.inst {
                case .binary(let op, let d, let l, .imm(let k), .w64) where !fitsImm32(k):
                    let t = f.newVReg()
                    out.append(Instruction(.mov(dst: t, src: .imm(k), width: .w64), location: ins.location))
                    out.append(Instruction(.binary(op, dst: d, lhs: l, rhs: .reg(t), width: .w64), location: ins.location))
                case .store(let b, let o, .imm(let k), .w64) where !fitsImm32(k):
                    let t = f.newVReg()
                    out.append(Instruction(.mov(dst: t, src: .imm(k), width: .w64), location: ins.location))
                    out.append(Instruction(.store(base: b, offset: o, value: .reg(t), width: .w64), location: ins.location))
                default:
                    out.append(ins)
                }
            }
            let loc = f.blocks[bi].terminatorLocation
            if case .branch(var cc, var lhs, var rhs, var w, var thenB, var elseB) = f.blocks[bi].terminator {
                let signed = [CondCode.sgt, .sge, .slt, .sle].contains(cc)
                let target: Width = cpu >= 3 && w != .w64 ? .w32 : .w64
                if w != target && w != .w64 {
                    if signed {
                        let t = f.newVReg()
                        out.append(Instruction(.ext(dst: t, src: lhs, from: w, to: target, signed: true), location: loc))
                        lhs = t
                    }
                    switch rhs {
                    case .reg(let r) where signed:
                        let t = f.newVReg()
                        out.append(Instruction(.ext(dst: t, src: r, from: w, to: target, signed: true), location: loc))
                        rhs = .reg(t)
                    case .imm(let k):
                        rhs = .imm(signed ? signExtend(k, from: w) : zeroExtend(k, from: w))
                    default: break
                    }
                    w = target
                }
                if w == .w64, case .imm(let k) = rhs, !fitsImm32(k) {
                    let t = f.newVReg()
                    out.append(Instruction(.mov(dst: t, src: .imm(k), width: .w64), location: loc))
                    rhs = .reg(t)
                }
                if cpu < 2, [.ult, .ule, .slt, .sle].contains(cc) {
                    switch rhs {
                    case .reg(let r):
                        rhs = .reg(lhs); lhs = r; cc = cc.swapped
                    case .imm:
                        if let n = cc.negated { cc = n; swap(&thenB, &elseB) }
                    }
                }
                f.blocks[bi].terminator = .branch(cc, lhs: lhs, rhs: rhs, width: w, then: thenB, else: elseB)
            }
            f.blocks[bi].instructions = out
        }
        return f
    }

    /// Loads, stores and atomics through a register at an offset the instruction cannot
    /// encode address `t = base + offset` instead (the add's immediate is legalized like
    /// any other).
    static func rebasingFarOffsets(_ input: Function) -> Function {
        var f = input
        for bi in f.blocks.indices {
            var out: [Instruction] = []
            for ins in f.blocks[bi].instructions {
                var inst = ins.inst
                func rebase(_ base: VReg, _ offset: Int) -> Address {
                    let t = f.newVReg()
                    out.append(Instruction(.binary(.add, dst: t, lhs: base, rhs: .imm(Int64(offset)), width: .w64), location: ins.location))
                    return .reg(t)
                }
                switch inst {
                case .load(let d, .reg(let b), let o, let w, let s) where !fitsOffset(o):
                    inst = .load(dst: d, base: rebase(b, o), offset: 0, width: w, signed: s)
                case .store(.reg(let b), let o, let v, let w) where !fitsOffset(o):
                    inst = .store(base: rebase(b, o), offset: 0, value: v, width: w)
                case .atomic(let op, .reg(let b), let o, let v, let w, let fetch) where !fitsOffset(o):
                    inst = .atomic(op, base: rebase(b, o), offset: 0, value: v, width: w, fetch: fetch)
                case .cmpxchg(let d, .reg(let b), let o, let e, let n, let w) where !fitsOffset(o):
                    inst = .cmpxchg(dst: d, base: rebase(b, o), offset: 0, expected: e, new: n, width: w)
                default: break
                }
                out.append(Instruction(inst, location: ins.location))
            }
            f.blocks[bi].instructions = out
        }
        return f
    }

    static func signExtend(_ k: Int64, from w: Width) -> Int64 {
        if w == .w64 { return k }
        let s = Int64(64 - w.bits)
        return (k << s) >> s
    }

    static func zeroExtend(_ k: Int64, from w: Width) -> Int64 {
        if w == .w64 { return k }
        return k & ((Int64(1) << Int64(w.bits)) - 1)
    }
}
