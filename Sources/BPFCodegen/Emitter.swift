import BPFIR

/// Instruction selection over allocated registers.
struct Emitter {
    let function: Function
    let assignment: [VReg: UInt8]
    let frame: FrameLayout
    let options: CodegenOptions

    var code: [BPFInstruction] = []
    var relocations: [CodeRelocation] = []
    var lines: [LineEntry] = []
    var coreRelocs: [CoreRelocEntry] = []
    /// Blocks whose conditional branch needs the long form (inverted branch over a gotol).
    let farBranches: Set<Int>
    /// Blocks (not the entry) whose code is one unconditional jump, or nothing, by where
    /// they go: their instructions were copies that the registers made unnecessary.
    var jumpOnlyBlocks: [BlockID: BlockID] = [:]
    private let blockIndex: BlockIndex
    /// CO-RE values read only as the immediate of one ALU operation: the operation
    /// carries the value and its relocation (libbpf patches an ALU instruction's
    /// immediate as it does a move's), and no register is loaded with it. The bit shifts
    /// of `BPF_CORE_READ_BITFIELD` are `r2 <<= 48` with the relocation, as clang's.
    private let coreImmediates: [VReg: (value: Int64, reloc: CoreReloc)]
    /// Padded integers (`StackSlot.paddedScalar`) whose constant stores are 8 bytes too.
    private let widelyStoredConstants: Set<Int>
    private var blockStart: [Int] = []
    private var currentBlock = 0
    private var pendingJumps: [PendingJump] = []
    /// `asm goto` selectors, by how many times the function reads each.
    private let selectorReads: [VReg: Int]
    private var lastLocation: IRLocation?

    enum JumpKind { case ja, gotol, conditional }
    struct PendingJump { var index: Int; var target: BlockID; var kind: JumpKind; var block: Int }

    /// Thrown by `emitFunction` when a conditional branch of `block` cannot reach its target.
    struct BranchTooFar: Error { var block: Int }

    init(function: Function, assignment: [VReg: UInt8], frame: FrameLayout, options: CodegenOptions,
         farBranches: Set<Int> = []) {
        self.function = function; self.assignment = assignment; self.frame = frame; self.options = options
        self.farBranches = farBranches
        self.blockIndex = function.blockIndexByID
        self.coreImmediates = Self.coreImmediates(of: function)
        self.widelyStoredConstants = Self.widelyStoredConstants(of: function, frame: frame)
        self.selectorReads = Self.selectorReads(of: function)
    }

    /// A padded integer stored whole from a register is stored as 8 bytes: the verifier's
    /// stack liveness ends only at an 8-byte store, so a narrower one left what an earlier
    /// key in the slot held live up to the next key's read, to be compared at every prune
    /// point between (tracee's scope filters). A constant stays narrow — the verifier then
    /// knows the key, and that an array map's element is there (8 bytes of it for a
    /// 4-byte key, it knows neither: `xdp_flood_flag_lru.c` walked 619 instructions, not
    /// 521, clang's build 602) — but where a `bpf_probe_read`-family helper fills the
    /// place too: the bytes the helper left (unknown to the verifier) and the narrow
    /// constant's disagreed at prune points (tracee's `vfs_write_magic_return`: a zero key
    /// and a 4-byte read, 57,072 walked, 18,345 now, clang's build 18,195).
    static func widelyStoredConstants(of f: Function, frame: FrameLayout) -> Set<Int> {
        frame.paddedSlots.filter { frame.filledPlaces.contains(frame.offsets[$0]) }
    }

    /// See `coreImmediates`: values of 32 bits written once and read once, below in the
    /// same block, as the right operand of an operation an immediate can take. (After
    /// allocation, `EqualBlockMerging` may keep one copy of the reading operation for two
    /// blocks that put different CO-RE values in the same register: that copy, in a block
    /// of its own, reads whichever was put there.)
    static func coreImmediates(of f: Function) -> [VReg: (value: Int64, reloc: CoreReloc)] {
        var candidates: [VReg: (value: Int64, reloc: CoreReloc)] = [:]
        for b in f.blocks {
            var written: [VReg: (value: Int64, reloc: CoreReloc)] = [:]
            for i in b.instructions {
                switch i.inst {
                case .coreValue(let d, let v, let reloc) where isImmediate32(v, reloc):
                    written[d] = (v, reloc)
                case .binary(let op, _, let l, .reg(let r), _) where l != r && [.add, .sub, .and, .or, .xor, .shl, .lshr, .ashr].contains(op):
                    if let v = written[r] { candidates[r] = v }
                default: break
                }
            }
        }
        if candidates.isEmpty { return [:] }
        let (uses, defs) = f.useDefCounts()
        return candidates.filter { uses[$0.key] == 1 && defs[$0.key] == 1 }
    }

    /// Whether a CO-RE value is a 32-bit immediate (`mov`, or an ALU operation's); the
    /// type-id relocations (kinds 6 and 7) and wider values take an `ld_imm64`.
    static func isImmediate32(_ v: Int64, _ reloc: CoreReloc) -> Bool {
        reloc.kind != 6 && reloc.kind != 7 && Legalizer.fitsImm32(v)
    }

    private func reg(_ v: VReg) -> UInt8 { assignment[v] ?? Reg.scratch }

    private mutating func put(_ i: BPFInstruction) {
        let frameLoad = i.opcode == Self.loadDoubleWord && i.src == Reg.fp
        if frameLoad && slotCopies.contains(where: { $0 == (i.dst, i.offset) }) { return }
        code.append(i)
        for r in i.writtenRegisters { forgetCopies(of: r) }
        if i.opcode == BPFInstruction.alu(.mov, true, dst: 0, src: 0).opcode, i.offset == 0, i.dst != i.src {
            copies.append((i.dst, i.src))
        }
        let cls = i.opcode & 0x07
        if cls == BPFClass.stx.rawValue || cls == BPFClass.st.rawValue {
            if i.dst == Reg.fp && i.opcode & 0xe0 == BPFMode.mem.rawValue {
                let bytes = Int16(BPFSize(rawValue: i.opcode & 0x18)!.bytes)
                slotCopies.removeAll { $0.off < i.offset + bytes && i.offset < $0.off + 8 }
                if i.opcode == Self.storeDoubleWord { slotCopies.append((i.src, i.offset)) }
            } else {
                slotCopies = []         // through a pointer that may be into the frame, or atomic
            }
        } else if i.isCall {
            slotCopies = []             // a callee may write the frame through a pointer
        }
        if frameLoad { slotCopies.append((i.dst, i.offset)) }
    }

    private static let loadDoubleWord = BPFInstruction.ldx(.dw, dst: 0, src: 0, off: 0).opcode
    private static let storeDoubleWord = BPFInstruction.stx(.dw, dst: 0, src: 0, off: 0).opcode

    /// Pairs of registers holding the same 64-bit value (after `rA = rB`, until either is
    /// written): a copy between them is left out.
    private var copies: [(UInt8, UInt8)] = []
    /// Registers holding the 8 bytes of the frame at an offset (after `rA = *(u64 *)(r10 +
    /// off)` or `*(u64 *)(r10 + off) = rA`, until the register or those bytes are written,
    /// or anything is stored through another pointer or called): loading them again into
    /// the register is left out (a spilled value reloaded in each block of a chain).
    /// Both are kept into a block whose only predecessor is the block laid out before it.
    private var slotCopies: [(reg: UInt8, off: Int16)] = []
    private mutating func forgetCopies(of r: UInt8) {
        copies.removeAll { $0.0 == r || $0.1 == r }
        slotCopies.removeAll { $0.reg == r }
    }
    private func sameValue(_ a: UInt8, _ b: UInt8) -> Bool { copies.contains { $0 == (a, b) || $0 == (b, a) } }

    private mutating func note(_ loc: IRLocation?) {
        guard let l = loc ?? (code.isEmpty ? function.location : nil) else { return }
        guard l != lastLocation else { return }
        lastLocation = l
        if let last = lines.last, last.instructionIndex == code.count {
            lines[lines.count - 1] = LineEntry(instructionIndex: code.count, location: l)
        } else {
            lines.append(LineEntry(instructionIndex: code.count, location: l))
        }
    }

    mutating func emitFunction() throws {
        note(function.location)
        // Parameters: r1..r5 → their registers.
        var moves: [(dst: UInt8, src: Source)] = []
        for (i, p) in function.parameters.enumerated() where i < 5 {
            if let r = assignment[p] { moves.append((r, .reg(UInt8(i + 1)))) }
        }
        parallelMove(moves)
        blockStart = [Int](filled: 0, count: function.blocks.count)
        let entryIsTarget = function.blocks.contains { $0.terminator.successors.contains(function.blocks[0].id) }
        let predecessors = function.flowGraph.predecessors
        for (bi, b) in function.blocks.enumerated() {
            currentBlock = bi
            blockStart[bi] = code.count
            if bi == 0 ? entryIsTarget : predecessors[bi].isEmpty || predecessors[bi].contains(where: { $0 != bi - 1 }) {
                copies = []
                slotCopies = []
            }
            let next = bi + 1 < function.blocks.count ? function.blocks[bi + 1].id : nil
            let fused = fusedAsmGoto(b)
            for (k, ins) in b.instructions.enumerated() {
                note(ins.location)
                if let (label, fallThrough) = fused, k == b.instructions.count - 1,
                   case .inlineAsm(let template, let inputs, let outputs) = ins.inst {
                    // `asm goto` and the branch on its selector: the text's jump is the branch.
                    try inlineAssembly(template, inputs: inputs.array, outputs: outputs.array, labels: .block(label),
                                       location: ins.location)
                    if fallThrough != next { jump(to: fallThrough) }
                } else {
                    try select(ins.inst, location: ins.location)
                }
            }
            if fused == nil {
                note(b.terminatorLocation)
                try terminator(b.terminator, next: next, location: b.terminatorLocation)
            }
        }
        for bi in function.blocks.indices.dropFirst() {
            let end = bi + 1 < blockStart.count ? blockStart[bi + 1] : code.count
            // Also a block left with no code at all that falls into where it goes: a jump
            // to it from further up is a jump over nothing (`goto +0`).
            let size = end - blockStart[bi]
            if size == 0 || (size == 1 && code[blockStart[bi]].opcode == BPFInstruction.ja(off: 0).opcode),
               case .jump(let t) = function.blocks[bi].terminator {
                jumpOnlyBlocks[function.blocks[bi].id] = t
            }
        }
        for j in pendingJumps {
            guard let ti = blockIndex[j.target] else {
                throw CodegenError("branch to a missing block \(j.target) in function '\(function.name)'", location: function.location)
            }
            let off = blockStart[ti] - (j.index + 1)
            let fits = off >= Int(Int16.min) && off <= Int(Int16.max)
            switch j.kind {
            case .gotol:
                code[j.index].imm = Int32(off)
            case .ja where !fits && options.cpu >= 4:
                code[j.index] = .gotol(imm: Int32(off))
            case .conditional where !fits && options.cpu >= 4:
                throw BranchTooFar(block: j.block)
            default:
                guard fits else {
                    throw CodegenError("branch offset \(off) out of range in function '\(function.name)' (long branches need -mcpu=v4)",
                                       location: function.location)
                }
                code[j.index].offset = Int16(off)
            }
        }
    }

    // MARK: moves

    enum Source: Equatable { case reg(UInt8), imm(Int64) }

    private mutating func mov(_ dst: UInt8, _ src: Source, w64: Bool = true) {
        switch src {
        case .reg(let s):
            // `rA = rB; wA = wA` (a call's result kept in another register, then
            // zero-extended) is `wA = wB`, when nothing can jump between the two.
            if s == dst && !w64, code.count > blockStart[currentBlock], lines.last?.instructionIndex != code.count,
               let last = code.last, last.opcode == BPFInstruction.alu(.mov, true, dst: dst, src: 0).opcode,
               last.dst == dst, last.offset == 0, last.imm == 0 {
                code[code.count - 1] = .alu(.mov, false, dst: dst, src: last.src)
                forgetCopies(of: dst)
                return
            }
            if w64 && sameValue(dst, s) { return }
            if s != dst || !w64 { put(.alu(.mov, w64, dst: dst, src: s)) }
        case .imm(let v): loadConstant(dst, v, w64: w64)
        }
    }

    private mutating func loadConstant(_ dst: UInt8, _ v: Int64, w64: Bool) {
        if !w64 { put(.alu(.mov, false, dst: dst, imm: Int32(truncatingIfNeeded: v))); return }
        if v >= Int64(Int32.min) && v <= Int64(Int32.max) { put(.alu(.mov, true, dst: dst, imm: Int32(v))); return }
        if v >= 0 && v <= Int64(UInt32.max) { put(.alu(.mov, false, dst: dst, imm: Int32(truncatingIfNeeded: v))); return }
        for i in BPFInstruction.ldImm64(dst: dst, value: v) { put(i) }
    }

    /// Performs simultaneous moves (destinations distinct), breaking cycles through r0.
    private mutating func parallelMove(_ input: [(dst: UInt8, src: Source)]) {
        var pending = input.filter { $0.src != .reg($0.dst) }
        while !pending.isEmpty {
            if let i = pending.firstIndex(where: { m in !pending.contains { $0.src == .reg(m.dst) } }) {
                let m = pending.remove(at: i)
                mov(m.dst, m.src)
            } else {
                // A cycle: park one source in the scratch register.
                let m = pending[0]
                guard case .reg(let s) = m.src else { break }
                mov(Reg.scratch, .reg(s))
                for k in pending.indices where pending[k].src == .reg(s) { pending[k].src = .reg(Reg.scratch) }
            }
        }
    }

    private func source(_ o: Operand) -> Source {
        switch o { case .reg(let v): return .reg(reg(v)); case .imm(let k): return .imm(k) }
    }

    private func address(_ a: Address, _ off: Int) throws -> (UInt8, Int16) {
        let total: Int
        let base: UInt8
        switch a {
        case .reg(let v): base = reg(v); total = off
        case .slot(let s): base = Reg.fp; total = frame.offsets[s] + off
        }
        guard total >= Int(Int16.min), total <= Int(Int16.max) else {
            throw CodegenError("memory offset \(total) out of range", location: function.location)
        }
        return (base, Int16(total))
    }

    // MARK: instructions

    private mutating func select(_ inst: Inst, location: IRLocation?) throws {
        switch inst {
        case .mov(let d, let s, let w):
            mov(reg(d), source(s), w64: w == .w64)
        case .binary(let op, let d, let l, .reg(let r), let w) where coreImmediates[r] != nil:
            let (value, reloc) = coreImmediates[r]!
            try binary(op, reg(d), reg(l), .imm(value), w64: w == .w64, location: location)
            coreRelocs.append(CoreRelocEntry(instructionIndex: code.count - 1, reloc: reloc))
        case .binary(let op, let d, let l, let r, let w):
            try binary(op, reg(d), reg(l), source(r), w64: w == .w64, location: location)
        case .neg(let d, let s, let w):
            mov(reg(d), .reg(reg(s)))
            put(.alu(.neg, w == .w64, dst: reg(d), imm: 0))
        case .ext(let d, let s, let from, let to, let signed):
            extend(reg(d), reg(s), from: from, to: to, signed: signed)
        case .bswap(let d, let s, let w):
            mov(reg(d), .reg(reg(s)))
            if options.cpu >= 4 {
                put(BPFInstruction(opcode: BPFClass.alu64.rawValue | BPFALUOp.end.rawValue, dst: reg(d), imm: Int32(w.bits)))
            } else {
                // to_be swaps on a little-endian target, to_le on a big-endian one.
                let src: UInt8 = options.bigEndian ? 0x00 : 0x08
                put(BPFInstruction(opcode: BPFClass.alu.rawValue | BPFALUOp.end.rawValue | src, dst: reg(d), imm: Int32(w.bits)))
            }
        case .load(let d, let base, let off, let w, let signed):
            let (b, o) = try address(base, off)
            if signed && options.cpu >= 4 && w != .w64 {
                put(.ldx(BPFSize(bytes: w.bytes), dst: reg(d), src: b, off: o, signExtend: true))
            } else {
                put(.ldx(BPFSize(bytes: w.bytes), dst: reg(d), src: b, off: o))
                if signed && w != .w64 { extend(reg(d), reg(d), from: w, to: .w64, signed: true) }
            }
        case .store(let base, let off, let value, let w):
            let (b, o) = try address(base, off)
            // A padded integer stored whole: see `widelyStoredConstants`. (An immediate's
            // low bytes, all the map reads, are the same sign-extended.)
            var whole = false, wideConstant = false
            if case .slot(let k) = base, off == 0, function.slots[k].paddedScalar == w, frame.paddedSlots.contains(k) {
                whole = true
                wideConstant = widelyStoredConstants.contains(k)
            }
            switch value {
            case .reg(let v): put(.stx(BPFSize(bytes: whole ? 8 : w.bytes), dst: b, src: reg(v), off: o))
            case .imm(let k) where wideConstant:
                put(.st(.dw, dst: b, off: o, imm: Int32(truncatingIfNeeded: k)))
            case .imm(let k):
                if w == .w64 && (k < Int64(Int32.min) || k > Int64(Int32.max)) {
                    loadConstant(Reg.scratch, k, w64: true)
                    put(.stx(.dw, dst: b, src: Reg.scratch, off: o))
                } else {
                    put(.st(BPFSize(bytes: w.bytes), dst: b, off: o, imm: Int32(truncatingIfNeeded: k)))
                }
            }
        case .slotAddr(let d, let s, let off):
            put(.alu(.mov, true, dst: reg(d), src: Reg.fp))
            put(.alu(.add, true, dst: reg(d), imm: Int32(frame.offsets[s] + off)))
        case .symbolAddr(let d, let sym):
            relocations.append(CodeRelocation(instructionIndex: code.count, kind: .symbolAddress(sym.name)))
            for i in BPFInstruction.ldImm64(dst: reg(d), value: sym.offset) { put(i) }
        case .loadImm64(let d, let v):
            loadConstant(reg(d), v, w64: true)
        case .call(let d, .packetLoad(let w), let args):
            // BPF_LD | BPF_ABS (constant offset) or BPF_IND (offset register) | size; the
            // socket buffer is implicitly r6, the allocator's hint put it there.
            guard args.count == 2, case .reg(let skb) = args[0], reg(skb) == Reg.r6 else {
                throw CodegenError("llvm.bpf.load.* needs the socket buffer in r6 and no other value there; keep the context in one variable", location: location)
            }
            let size: UInt8 = w == .w8 ? 0x10 : w == .w16 ? 0x08 : 0x00
            switch args[1] {
            case .imm(let k): put(BPFInstruction(opcode: 0x20 | size, imm: Int32(truncatingIfNeeded: k)))
            case .reg(let o): put(BPFInstruction(opcode: 0x40 | size, src: reg(o)))
            }
            if let d = d { mov(reg(d), .reg(Reg.r0)) }
        case .call(let d, let callee, let args):
            guard args.count <= 5 else { throw CodegenError("too many arguments to a call (at most 5)", location: location) }
            parallelMove(args.enumerated().map { (UInt8($0.offset + 1), source($0.element)) })
            switch callee {
            case .helper(let n): put(.call(imm: n))
            case .function(let name):
                relocations.append(CodeRelocation(instructionIndex: code.count, kind: .call(name.string)))
                put(.call(imm: -1, src: BPFPseudo.call))
            case .kfunc(let name):
                // As clang emits a call of an extern function: a BPF-to-BPF call relocated
                // against the symbol. libbpf makes it a kfunc call (src_reg 2, the kernel's
                // BTF id) when the function is in `.ksyms`; a static linker makes it a call of
                // the subprogram another object defines.
                relocations.append(CodeRelocation(instructionIndex: code.count, kind: .kfunc(name.string)))
                put(.call(imm: -1, src: BPFPseudo.call))
            case .packetLoad: break     // above
            case .memoryBuiltin: break  // refused before allocation (Codegen.compile)
            }
            if let d = d { mov(reg(d), .reg(Reg.r0)) }
        case .atomic(let op, let base, let off, let v, let w, let fetch) where op == .loadAcquire || op == .storeRelease:
            // dst_reg = load_acquire(src_reg + off); store_release(dst_reg + off, src_reg).
            if options.cpu < 4 { throw CodegenError("load-acquire and store-release need -mcpu=v4 or later", location: location) }
            let (b, o) = try address(base, off)
            let size = BPFSize(bytes: w.bytes)
            if op == .loadAcquire, let f = fetch {
                put(.atomic(size, dst: reg(f), src: b, off: o, op: BPFAtomicOp.loadAcquire.rawValue))
            } else {
                put(.atomic(size, dst: b, src: reg(v), off: o, op: BPFAtomicOp.storeRelease.rawValue))
            }
        case .atomic(let op, let base, let off, let v, let w, let fetch):
            let needsV3 = fetch != nil || op != .add
            if needsV3 && options.cpu < 3 {
                throw CodegenError("atomic operations other than a plain add need -mcpu=v3 or later", location: location)
            }
            guard w == .w64 || w == .w32 else {
                throw CodegenError("atomic operations on \(w.bits)-bit values are not supported", location: location)
            }
            let (b, o) = try address(base, off)
            let size: BPFSize = w == .w64 ? .dw : .w
            var code32: Int32
            switch op {
            case .add: code32 = BPFAtomicOp.add.rawValue
            case .or: code32 = BPFAtomicOp.or.rawValue
            case .and: code32 = BPFAtomicOp.and.rawValue
            case .xor: code32 = BPFAtomicOp.xor.rawValue
            case .xchg: code32 = BPFAtomicOp.xchg.rawValue | BPFAtomicOp.fetch
            case .loadAcquire, .storeRelease: return     // above
            }
            if let f = fetch {
                if op != .xchg { code32 |= BPFAtomicOp.fetch }
                if reg(f) != b {
                    // The old value arrives in the source register: use the result's own
                    // (as clang does), unless it is the address's.
                    if reg(f) != reg(v) { mov(reg(f), .reg(reg(v))) }
                    put(.atomic(size, dst: b, src: reg(f), off: o, op: code32))
                } else {
                    mov(Reg.scratch, .reg(reg(v)))
                    put(.atomic(size, dst: b, src: Reg.scratch, off: o, op: code32))
                    mov(reg(f), .reg(Reg.scratch), w64: w == .w64)
                }
            } else if op == .xchg {
                // xchg always writes the old value back to its source register.
                mov(Reg.scratch, .reg(reg(v)))
                put(.atomic(size, dst: b, src: Reg.scratch, off: o, op: code32))
            } else {
                put(.atomic(size, dst: b, src: reg(v), off: o, op: code32))
            }
        case .cmpxchg(let d, let base, let off, let expected, let new, let w):
            if options.cpu < 3 { throw CodegenError("compare-and-exchange needs -mcpu=v3 or later", location: location) }
            guard w == .w64 || w == .w32 else {
                throw CodegenError("atomic operations on \(w.bits)-bit values are not supported", location: location)
            }
            let (b, o) = try address(base, off)
            mov(Reg.r0, .reg(reg(expected)))
            put(.atomic(w == .w64 ? .dw : .w, dst: b, src: reg(new), off: o, op: BPFAtomicOp.cmpxchg.rawValue | BPFAtomicOp.fetch))
            mov(reg(d), .reg(Reg.r0), w64: w == .w64)
        case .coreValue(let d, _, _) where coreImmediates[d] != nil:
            break
        case .coreValue(let d, let v, let reloc):
            coreRelocs.append(CoreRelocEntry(instructionIndex: code.count, reloc: reloc))
            if Self.isImmediate32(v, reloc) {
                put(.alu(.mov, true, dst: reg(d), imm: Int32(v)))
            } else {
                for i in BPFInstruction.ldImm64(dst: reg(d), value: v) { put(i) }
            }
        case .coreLoad(let d, let base, let off, let w, let reloc):
            coreRelocs.append(CoreRelocEntry(instructionIndex: code.count, reloc: reloc))
            put(.ldx(BPFSize(bytes: w.bytes), dst: reg(d), src: reg(base), off: Int16(clamping: off)))
        case .coreStore(let base, let off, let value, let w, let reloc):
            coreRelocs.append(CoreRelocEntry(instructionIndex: code.count, reloc: reloc))
            switch value {
            case .reg(let v): put(.stx(BPFSize(bytes: w.bytes), dst: reg(base), src: reg(v), off: Int16(clamping: off)))
            case .imm(let k): put(.st(BPFSize(bytes: w.bytes), dst: reg(base), off: Int16(clamping: off), imm: Int32(truncatingIfNeeded: k)))
            }
        case .inlineAsm(let template, let ins, let outs):
            // An empty template (a compiler barrier) assembles to nothing.
            try inlineAssembly(template, inputs: ins.array, outputs: outs.array, labels: .selector, location: location)
        }
    }

    /// Where `asm goto`'s label operands lead in the assembled text.
    enum AsmLabels {
        /// To the end of the text, where the statement's selector (its last output) is
        /// set to the label's number + 1, and to 0 on falling through.
        case selector
        /// To the block (the statement has one label, and the block's branch on the
        /// selector is left out).
        case block(BlockID)
    }

    /// The block's `asm goto` (its last instruction, one label) with the branch on its
    /// selector that ends the block, when nothing else reads the selector: the label's
    /// block and the fall-through's. Not in a block whose branches take the long form.
    private func fusedAsmGoto(_ b: Block) -> (label: BlockID, fallThrough: BlockID)? {
        guard case .inlineAsm(let t, _, let outs)? = b.instructions.last?.inst, t.labels == 1,
              !farBranches.contains(currentBlock), let selector = outs.array.last,
              case .branch(let cc, selector, .imm(0), _, let thenB, let elseB) = b.terminator,
              selectorReads[selector] == 1 else { return nil }
        switch cc {
        case .ne, .ugt: return (thenB, elseB)
        case .eq, .ule: return (elseB, thenB)
        default: return nil
        }
    }

    /// How many times each `asm goto` selector is read in the function.
    private static func selectorReads(of f: Function) -> [VReg: Int] {
        var reads: [VReg: Int] = [:]
        for b in f.blocks {
            for i in b.instructions {
                if case .inlineAsm(let t, _, let outs) = i.inst, t.labels > 0, let s = outs.array.last { reads[s] = 0 }
            }
        }
        guard !reads.isEmpty else { return reads }
        func count(_ r: VReg) { if let n = reads[r] { reads[r] = n + 1 } }
        for b in f.blocks {
            for i in b.instructions { i.inst.forEachUse(count) }
            b.terminator.forEachUse(count)
        }
        return reads
    }

    /// The statement's text with the allocated registers and constants put in, assembled.
    /// Tied inputs are first copied into their outputs' registers (the allocator keeps
    /// every other input out of output registers, so the copies clobber nothing read).
    private mutating func inlineAssembly(_ template: AsmTemplate, inputs: [VReg], outputs: [VReg], labels: AsmLabels,
                                         location: IRLocation?) throws {
        parallelMove(template.ties.map { (reg(outputs[$0.output]), .reg(reg(inputs[$0.input]))) })
        var text: String
        let labelName = { (n: Int) in ".Lasm_goto_\(n)" }
        do {
            text = try template.substituted(uid: code.count) { op in
                switch op {
                case .input(let i, let sub): return (sub ? "w" : "r") + String(reg(inputs[i]))
                case .output(let i, let sub): return (sub ? "w" : "r") + String(reg(outputs[i]))
                case .imm(let k): return String(k)
                case .label(let n): return labelName(n)
                }
            }
        } catch {
            throw CodegenError("invalid inline assembly: \(error.message)", location: location)
        }
        if case .selector = labels, template.labels > 0, let selector = outputs.last {
            let s = "r\(reg(selector))", end = ".Lasm_goto_end"
            text += "\n\(s) = 0\ngoto \(end)"
            for n in 0..<template.labels {
                text += "\n\(labelName(n)): \(s) = \(n + 1)" + (n + 1 < template.labels ? "\ngoto \(end)" : "")
            }
            text += "\n\(end):"
        }
        do {
            var external: Set<String> = []
            if case .block = labels { external = [labelName(0)] }
            let (assembled, externalJumps) = try Assembler.assemble(text, externalLabels: external)
            if case .block(let target) = labels {
                for j in externalJumps {
                    let op = assembled[j.index].opcode
                    let kind: JumpKind = op == BPFInstruction.gotol(imm: 0).opcode ? .gotol : op == BPFInstruction.ja(off: 0).opcode ? .ja : .conditional
                    pendingJumps.append(PendingJump(index: code.count + j.index, target: target, kind: kind, block: currentBlock))
                }
            }
            code += assembled
            // The statement's own jumps and writes (a helper call in it clobbers r1-r5)
            // are not followed: no copy known before it is known after it.
            if !assembled.isEmpty { copies = [] }
        } catch {
            throw CodegenError("invalid inline assembly: \(error.message) in '\(error.statement)'", location: location)
        }
    }

    private mutating func binary(_ op: BinOp, _ d: UInt8, _ l: UInt8, _ r: Source, w64: Bool, location: IRLocation?) throws {
        // A multiplication by a power of two is a left shift (the same bits at either
        // width), as clang emits it: cheaper where it runs. Only here, after the passes,
        // which read bounds and address forms off multiplications.
        if op == .mul, case .imm(let k) = r, k > 1, k <= Int64(Int32.max), k & (k - 1) == 0 {
            try binary(.shl, d, l, .imm(Int64(k.trailingZeroBitCount)), w64: w64, location: location)
            return
        }
        let aluOp: BPFALUOp
        var signedDiv = false
        switch op {
        case .add: aluOp = .add
        case .sub: aluOp = .sub
        case .mul: aluOp = .mul
        case .udiv: aluOp = .div
        case .urem: aluOp = .mod
        case .sdiv: aluOp = .div; signedDiv = true
        case .srem: aluOp = .mod; signedDiv = true
        case .and: aluOp = .and
        case .or: aluOp = .or
        case .xor: aluOp = .xor
        case .shl: aluOp = .lsh
        case .lshr: aluOp = .rsh
        case .ashr: aluOp = .arsh
        }
        if signedDiv && options.cpu < 4 {
            throw CodegenError("unsupported signed division, please convert to unsigned div/mod.", location: location)
        }
        let commutative = op.isCommutative
        func emitOp(_ dst: UInt8, _ src: Source) {
            var i: BPFInstruction
            switch src {
            case .reg(let s): i = .alu(aluOp, w64, dst: dst, src: s)
            case .imm(let k): i = .alu(aluOp, w64, dst: dst, imm: Int32(truncatingIfNeeded: k))
            }
            if signedDiv { i.offset = 1 }
            put(i)
        }
        if case .reg(let rr) = r, rr == d, l != d {
            if commutative { emitOp(d, .reg(l)); return }
            mov(Reg.scratch, .reg(l), w64: true)
            emitOp(Reg.scratch, .reg(rr))
            mov(d, .reg(Reg.scratch), w64: w64)
            return
        }
        if l != d || !w64 { mov(d, .reg(l), w64: true) }
        emitOp(d, r)
    }

    private mutating func extend(_ d: UInt8, _ s: UInt8, from: Width, to: Width, signed: Bool) {
        let w64 = to == .w64
        if !signed {
            switch from {
            case .w8, .w16:
                mov(d, .reg(s))
                put(.alu(.and, false, dst: d, imm: from == .w8 ? 0xff : 0xffff))
            case .w32: mov(d, .reg(s), w64: false)
            case .w64: mov(d, .reg(s))
            }
            return
        }
        if from == .w64 { mov(d, .reg(s)); return }
        if options.cpu >= 4 && !(from == .w32 && !w64) {
            var i = BPFInstruction.alu(.mov, w64, dst: d, src: s)
            i.offset = Int16(from.bits)
            put(i)
            return
        }
        let bits = (w64 ? 64 : 32) - from.bits
        if bits == 0 { mov(d, .reg(s), w64: w64); return }
        mov(d, .reg(s))
        put(.alu(.lsh, w64, dst: d, imm: Int32(bits)))
        put(.alu(.arsh, w64, dst: d, imm: Int32(bits)))
    }

    // MARK: terminators

    private mutating func terminator(_ t: Terminator, next: BlockID?, location: IRLocation?) throws {
        switch t {
        case .jump(let target):
            if target != next { jump(to: target) }
        case .ret(let v):
            if let v = v { mov(Reg.r0, source(v)) }
            put(.exit)
        case .unreachable:
            put(.alu(.mov, true, dst: Reg.r0, imm: 0))
            put(.exit)
        case .branch(let cc, let l, let r, let w, let thenB, let elseB):
            if thenB == elseB { if thenB != next { jump(to: thenB) }; return }
            if elseB == next {
                try conditional(cc, reg(l), source(r), w, to: thenB)
            } else if thenB == next, let inv = cc.negated, encodable(inv, r) {
                try conditional(inv, reg(l), source(r), w, to: elseB)
            } else {
                try conditional(cc, reg(l), source(r), w, to: thenB)
                jump(to: elseB)
            }
        }
    }

    private mutating func jump(to target: BlockID) {
        pendingJumps.append(PendingJump(index: code.count, target: target, kind: .ja, block: currentBlock))
        put(.ja(off: 0))
    }

    /// Legalized compares only (see Legalizer): w64 with a signed 32-bit immediate
    /// or w32 (JMP32, cpu >= 3); cpu v1 sees no jlt/jle/jslt/jsle.
    /// cpu v1 has no jlt/jle/jslt/jsle: only register compares can be swapped into jgt/jge.
    private func encodable(_ cc: CondCode, _ rhs: Operand) -> Bool {
        if options.cpu >= 2 || ![.ult, .ule, .slt, .sle].contains(cc) { return true }
        if case .reg = rhs { return true }
        return false
    }

    private mutating func conditional(_ cc: CondCode, _ lhs: UInt8, _ rhs: Source, _ w: Width, to target: BlockID) throws {
        var cc = cc, lhs = lhs, rhs = rhs
        if options.cpu < 2, [.ult, .ule, .slt, .sle].contains(cc), case .reg(let r) = rhs {
            rhs = .reg(lhs); lhs = r; cc = cc.swapped
        }
        let w32 = w != .w64 && options.cpu >= 3
        if farBranches.contains(currentBlock) {
            // Long form: skip over a gotol when the condition does not hold.
            if let inv = cc.negated {
                put(compare(inv, lhs, rhs, w32, off: 1))
            } else {
                put(compare(cc, lhs, rhs, w32, off: 1))
                put(.ja(off: 1))
            }
            pendingJumps.append(PendingJump(index: code.count, target: target, kind: .gotol, block: currentBlock))
            put(.gotol(imm: 0))
            return
        }
        pendingJumps.append(PendingJump(index: code.count, target: target, kind: .conditional, block: currentBlock))
        put(compare(cc, lhs, rhs, w32, off: 0))
    }

    private func compare(_ cc: CondCode, _ lhs: UInt8, _ rhs: Source, _ w32: Bool, off: Int16) -> BPFInstruction {
        let op: BPFJumpOp
        switch cc {
        case .eq: op = .jeq
        case .ne: op = .jne
        case .ugt: op = .jgt
        case .uge: op = .jge
        case .ult: op = .jlt
        case .ule: op = .jle
        case .sgt: op = .jsgt
        case .sge: op = .jsge
        case .slt: op = .jslt
        case .sle: op = .jsle
        case .set: op = .jset
        }
        switch rhs {
        case .reg(let rr): return .jump(op, w32, dst: lhs, src: rr, off: off)
        case .imm(let k): return .jump(op, w32, dst: lhs, imm: Int32(truncatingIfNeeded: k), off: off)
        }
    }
}
