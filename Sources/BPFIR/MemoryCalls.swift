/// A `memcpy`, `memmove` or `memset` whose size lowering could not tell: in
/// `n = strlen(s); if (n > 15) n = 15; memcpy(d, s, n)` with `s` a string literal, `n` is
/// a constant only once folding has decided the test. BPF has no such call, so it stays
/// a call of this kind (arguments: the destination's address, the source's address or
/// the fill byte, the size) until the size is a constant, when `MemoryCalls.expand`
/// writes the loads and stores it stands for, as LLVM's optimizer does with
/// `llvm.memcpy` (clang's build loads such a program). One left at codegen is an error.
public struct MemoryBuiltin: Hashable, Sendable {
    public enum Kind: UInt8, Hashable, Sendable { case copy, move, set }
    public var kind: Kind
    /// The known alignment of the destination (and of the source): the widest piece.
    public var alignment: UInt8

    public init(_ kind: Kind, alignment: Int) {
        self.kind = kind
        self.alignment = UInt8(max(1, min(8, alignment)))
    }

    /// The builtin's name, for the textual IR and diagnostics.
    public var name: String {
        switch kind {
        case .copy: return "__builtin_memcpy"
        case .move: return "__builtin_memmove"
        case .set: return "__builtin_memset"
        }
    }

    /// Copies and fills are expanded inline (BPF has no memcpy or memset); a size beyond
    /// this is refused instead of expanded (a mistyped `memcpy(d, s, 4294967295)` took
    /// minutes and gigabytes; 16384 bytes take 11 s, 4096 under one). clang-22 expands
    /// at most 128 stores (1024 bytes) and refuses the rest (no `memcpy` in BPF).
    public static let largestInline = 4096

    /// The diagnostic for a copy or fill (`what`: the builtin, quoted) of `size` bytes,
    /// more than is expanded inline.
    public static func tooLarge(_ what: String, _ size: Int64) -> String {
        "\(what) of \(size) bytes: BPF has no memcpy or memset, and copies are expanded inline (at most \(largestInline) bytes)"
    }
}

/// The loads and stores a copy or fill of a known size is made of: lowering's (constant
/// sizes) and `MemoryCalls`' (sizes folding made constant).
public enum MemoryPieces {
    /// `size` bytes from `src + srcOffset` to `dst + dstOffset`, in the widest pieces
    /// `alignment` allows.
    public static func copy(to dst: Address, _ dstOffset: Int, from src: Address, _ srcOffset: Int, size: Int, alignment: Int,
                            newVReg: () -> VReg, emit: (Inst) -> Void) {
        for (off, w) in Width.pieces(size: size, alignment: alignment) {
            let t = newVReg()
            emit(.load(dst: t, base: src, offset: srcOffset &+ off, width: w, signed: false))
            emit(.store(base: dst, offset: dstOffset &+ off, value: .reg(t), width: w))
        }
    }

    /// `size` bytes at `dst + dstOffset` set to the low byte of `byte`.
    public static func fill(_ dst: Address, _ dstOffset: Int, byte: Operand, size: Int, alignment: Int,
                            newVReg: () -> VReg, emit: (Inst) -> Void) {
        var pattern = byte
        switch byte {
        case .imm(let k):
            pattern = .imm(Int64(bitPattern: (UInt64(bitPattern: k) & 0xff) &* 0x0101_0101_0101_0101))
        case .reg(let r):
            // The byte in all eight: (r & 0xff) * 0x0101010101010101.
            let m = newVReg()
            emit(.binary(.and, dst: m, lhs: r, rhs: .imm(0xff), width: .w64))
            let k = newVReg()
            emit(.loadImm64(dst: k, value: 0x0101_0101_0101_0101))
            let p = newVReg()
            emit(.binary(.mul, dst: p, lhs: m, rhs: .reg(k), width: .w64))
            pattern = .reg(p)
        }
        var wide: VReg?     // a 64-bit pattern no immediate holds, in a register once
        for (off, w) in Width.pieces(size: size, alignment: alignment) {
            var v = pattern
            if case .imm(let k) = pattern {
                let narrowed = Int64(bitPattern: UInt64(bitPattern: k) & w.mask)
                if w == .w64 && narrowed != 0 && !narrowed.fitsImm32 {
                    if wide == nil {
                        let r = newVReg()
                        emit(.loadImm64(dst: r, value: narrowed))
                        wide = r
                    }
                    v = .reg(wide!)
                } else {
                    // (Sign-extended from the piece's width, as stores of immediates are.)
                    v = .imm(Int64(bitPattern: w.extend(UInt64(bitPattern: narrowed), signed: true)))
                }
            }
            emit(.store(base: dst, offset: dstOffset &+ off, value: v, width: w))
        }
    }
}

/// Expands the `MemoryBuiltin` calls whose size is now a constant (see there).
public enum MemoryCalls {
    static func isMemoryCall(_ inst: Inst) -> Bool {
        if case .call(_, .memoryBuiltin, _) = inst { return true }
        return false
    }

    /// The constant an operand holds: an immediate, or a register set once to one.
    static func constant(_ op: Operand, _ defs: [VReg: [Inst]]) -> Int64? {
        switch op {
        case .imm(let k): return k
        case .reg(let r):
            guard let d = defs[r], d.count == 1 else { return nil }
            if let k = d[0].movedConstant { return k }
            if case .mov(_, .imm(let k), .w32) = d[0] { return Int64(UInt32(truncatingIfNeeded: k)) }
            return nil
        }
    }

    public static func expand(_ input: Function) -> Function {
        guard input.containsInstruction(where: isMemoryCall) else { return input }
        var f = input
        let defs = f.definitionsByRegister
        var changed = false
        for bi in f.blocks.indices where f.blocks[bi].instructions.contains(where: { isMemoryCall($0.inst) }) {
            var out: [Instruction] = []
            for ins in f.blocks[bi].instructions {
                guard case .call(let result, .memoryBuiltin(let m), let args) = ins.inst, args.count == 3,
                      let size = constant(args[2], defs), size >= 0, size <= Int64(MemoryBuiltin.largestInline) else {
                    out.append(ins)
                    continue
                }
                changed = true
                func emit(_ i: Inst) { out.append(Instruction(i, location: ins.location)) }
                /// An address operand in a register (a constant one moved into one).
                func address(_ op: Operand) -> VReg {
                    switch op {
                    case .reg(let r): return r
                    case .imm(let k):
                        let r = f.newVReg()
                        emit(k.fitsImm32 ? .mov(dst: r, src: .imm(k), width: .w64) : .loadImm64(dst: r, value: k))
                        return r
                    }
                }
                let dst = address(args[0])
                let n = Int(size), align = Int(m.alignment)
                switch m.kind {
                case .copy:
                    MemoryPieces.copy(to: .reg(dst), 0, from: .reg(address(args[1])), 0, size: n, alignment: align,
                                      newVReg: { f.newVReg() }, emit: emit)
                case .move:
                    // Through a slot of its own: the source and the destination may overlap.
                    let src = address(args[1])
                    if n > 0 {
                        f.slots.append(StackSlot(size: n, alignment: 8, name: "memmove"))
                        let tmp = Address.slot(f.slots.count - 1)
                        MemoryPieces.copy(to: tmp, 0, from: .reg(src), 0, size: n, alignment: align, newVReg: { f.newVReg() }, emit: emit)
                        MemoryPieces.copy(to: .reg(dst), 0, from: tmp, 0, size: n, alignment: align, newVReg: { f.newVReg() }, emit: emit)
                    }
                case .set:
                    MemoryPieces.fill(.reg(dst), 0, byte: args[1], size: n, alignment: align, newVReg: { f.newVReg() }, emit: emit)
                }
                // (The builtins return their destination.)
                if let r = result { emit(.mov(dst: r, src: .reg(dst), width: .w64)) }
            }
            f.blocks[bi].instructions = out
        }
        return changed ? f : input
    }

    /// The diagnostic for a `MemoryBuiltin` call no folding gave a constant size that can
    /// be expanded, and where it is; nil when there is none.
    public static func unexpanded(in f: Function) -> (message: String, location: IRLocation?)? {
        guard f.containsInstruction(where: isMemoryCall) else { return nil }
        let defs = f.definitionsByRegister
        for b in f.blocks {
            for ins in b.instructions {
                guard case .call(_, .memoryBuiltin(let m), let args) = ins.inst else { continue }
                if args.count == 3, let k = constant(args[2], defs) {
                    return (MemoryBuiltin.tooLarge("'\(m.name)'", k), ins.location)
                }
                return ("'\(m.name)' needs a constant size", ins.location)
            }
        }
        return nil
    }
}
