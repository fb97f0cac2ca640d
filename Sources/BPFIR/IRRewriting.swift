/// Register renaming helpers shared by IR passes and register allocation.

public extension Function {
    /// Sets the operation of instruction `i` of block `b`, leaving the function's storage
    /// (shared with the pass's input) alone when it is unchanged: a pass that rewrites
    /// nothing returns its input's arrays, not copies of them.
    @inline(__always)
    mutating func setInst(_ b: Int, _ i: Int, _ inst: Inst) {
        if blocks[b].instructions[i].inst != inst { blocks[b].instructions[i].inst = inst }
    }

    /// Sets the terminator of block `b`, as `setInst`.
    @inline(__always)
    mutating func setTerminator(_ b: Int, _ t: Terminator) {
        if blocks[b].terminator != t { blocks[b].terminator = t }
    }

    /// Applies a peephole rule to every pair of adjacent instructions of each block:
    /// the rule returns the instructions replacing the pair, or nil to leave it; a
    /// replacement is looked at again with the instruction after it.
    /// Whether `r` holds one value wherever it is read: written once, or a parameter
    /// never written (`defs` from `useDefCounts`).
    func holdsOneValue(_ r: VReg, defs: RegCounts) -> Bool {
        defs[r] == 1 || defs[r] == 0 && parameters.contains(r)
    }

    /// `step` applied again while it changes something (it returns nil when nothing
    /// changed), at most `times` times.
    func repeating(_ times: Int, _ step: (Function) -> Function?) -> Function {
        var f = self
        for _ in 0..<times {
            guard let g = step(f) else { break }
            f = g
        }
        return f
    }

    func foldingAdjacentPairs(_ rule: (Instruction, Instruction) -> [Instruction]?) -> Function {
        var f = self
        for bi in f.blocks.indices {
            var insts = f.blocks[bi].instructions
            var k = 0
            while k + 1 < insts.count {
                if let replacement = rule(insts[k], insts[k + 1]) {
                    insts.replaceSubrange(k...(k + 1), with: replacement)
                    continue
                }
                k += 1
            }
            if insts != f.blocks[bi].instructions { f.blocks[bi].instructions = insts }
        }
        return f
    }

    /// Registers that may hold an address inside this function's stack frame, computed
    /// flow-insensitively: slot addresses and what is computed from them at 64 bits; 64-bit loads only if a
    /// frame address is ever stored to memory (the verifier keeps frame addresses out of
    /// maps and globals); parameters and helper/kfunc results never (a callee's frame is
    /// new); the results of BPF-to-BPF calls given a frame address may.
    ///
    /// CO-RE loads are loads like the others. `countingCoreLoads` makes a CO-RE load
    /// through a frame address (a field of a kernel object copied onto the stack) count as
    /// one anyway: value numbering asks for it, so that a slot's value is loaded again
    /// after a call given such a pointer (bpf_probe_read_str of a name read from a copied
    /// qstr) rather than kept in a register across the call — in path walks, where every
    /// iteration makes such calls, carrying the values costs callee-saved registers and
    /// spills (Inspektor Gadget 1.3 % larger, falco 0.8 %).
    func framePointerRegisters(countingCoreLoads: Bool = false) -> RegSet {
        (countingCoreLoads ? framePointersCountingCoreLoadsMemo : framePointersMemo).value(for: self) {
            $0.computingFramePointerRegisters(countingCoreLoads: countingCoreLoads)
        }
    }

    private func computingFramePointerRegisters(countingCoreLoads: Bool) -> RegSet {
        var set = RegSet(capacity: nextVReg)
        var storedToMemory = false
        var changed = true
        while changed {
            changed = false
            forEachInstruction { _, inst in
                var may = false
                switch inst {
                case .slotAddr: may = true
                // Pointers are 64 bits: a narrower load, or a 32-bit operation (which the
                // verifier refuses on pointers), never gives a stack address; nor does
                // arithmetic other than adding and subtracting (the verifier refuses it on
                // pointers, or makes the result a number).
                case .load(_, _, _, let w, _): may = storedToMemory && w == .w64
                case .coreLoad(_, let base, _, let w, _):
                    may = storedToMemory && w == .w64 || countingCoreLoads && set.contains(base)
                case .binary(_, _, _, _, .w32), .mov(_, _, .w32), .neg, .ext(_, _, _, .w32, _), .ext(_, _, _, _, true),
                     .bswap:
                    may = false
                case .binary(let op, _, _, _, _) where op != .add && op != .sub:
                    may = false
                // A helper or kfunc never returns a stack address (the verifier types
                // their results: map values, kernel objects, scalars), whatever it was given.
                case .call(_, .helper, _), .call(_, .kfunc, _): may = false
                // Only a 64-bit store keeps a pointer (the halves of one are numbers).
                case .store(_, _, .reg(let v), .w64):
                    if set.contains(v) && !storedToMemory { storedToMemory = true; changed = true }
                default: inst.forEachUse { if set.contains($0) { may = true } }
                }
                if may { inst.forEachDef { d in if !set.contains(d) { set.insert(d); changed = true } } }
            }
        }
        return set
    }

    /// Whether a value held in one of `regs` is stored to memory (a frame address there
    /// can be found by a callee; a narrower store keeps only part of it, a number).
    func storesAnyOf(_ regs: RegSet) -> Bool {
        containsInstruction { inst in
            switch inst {
            case .store(_, _, .reg(let v), .w64), .atomic(_, _, _, let v, _, _), .cmpxchg(_, _, _, _, let v, _): return regs.contains(v)
            default: return false
            }
        }
    }

    /// A fact about each register written once, derived from its definition and the
    /// facts of the registers it reads, to a fixpoint (`fact` returns nil where there is
    /// none): the slot an address points into, the alignment of a helper's result plus
    /// constant offsets.
    func singleDefinitionFacts<T>(defs: RegCounts, _ fact: (Inst, [VReg: T]) -> T?) -> [VReg: T] {
        var known: [VReg: T] = [:]
        var growing = true
        while growing {
            growing = false
            for b in blocks {
                for i in b.instructions {
                    guard let d = i.inst.singleDef, defs[d] == 1, known[d] == nil, let x = fact(i.inst, known) else { continue }
                    known[d] = x
                    growing = true
                }
            }
        }
        return known
    }

    /// Registers written once, with `addr $s + k`: the slot and offset each points to.
    var slotAddresses: [VReg: (slot: Int, offset: Int)] {
        let (_, defs) = useDefCounts()
        var out: [VReg: (slot: Int, offset: Int)] = [:]
        forEachInstruction { _, inst in
            if case .slotAddr(let d, let s, let k) = inst, defs[d] == 1 { out[d] = (s, k) }
        }
        return out
    }

    /// Registers written once, with a constant (a copy of an immediate or a 64-bit load
    /// of one): the constant each holds.
    var singleConstants: [VReg: Int64] {
        let (_, defs) = useDefCounts()
        var out: [VReg: Int64] = [:]
        forEachInstruction { _, inst in
            switch inst {
            case .mov(let d, .imm(let k), .w64) where defs[d] == 1, .loadImm64(let d, let k) where defs[d] == 1: out[d] = k
            default: break
            }
        }
        return out
    }

    /// Every instruction defining each register.
    var definitionsByRegister: [VReg: [Inst]] { definitionsByRegister { $0.inst } }

    /// `part` of every instruction defining each register (the whole `Instruction` where
    /// its flags matter).
    @inline(__always)
    func definitionsByRegister<T>(_ part: (Instruction) -> T) -> [VReg: [T]] {
        var definitions: [VReg: [T]] = [:]
        for b in blocks {
            for i in b.instructions { i.inst.forEachDef { definitions[$0, default: []].append(part(i)) } }
        }
        return definitions
    }

    /// How many times each register is used and defined in the function (a parameter's
    /// arrival in its register counts as a definition).
    func useDefCounts() -> (uses: RegCounts, defs: RegCounts) { useDefMemo.value(for: self) { $0.countingUsesAndDefs() } }

    func countingUsesAndDefs() -> (uses: RegCounts, defs: RegCounts) {
        let capacity = nextVReg
        var uses = RegCounts(capacity: capacity), defs = RegCounts(capacity: capacity)
        for p in parameters { defs[p] += 1 }
        forEachInstruction { _, inst in
            inst.forEachUse { uses[$0] += 1 }
            inst.forEachDef { defs[$0] += 1 }
        }
        blocks.withUnsafeBufferPointer { bs in
            for b in bs.indices { bs[b].terminator.forEachUse { uses[$0] += 1 } }
        }
        return (uses, defs)
    }

    /// Whether some instruction of the function passes `test` (a pass's quick look before
    /// its analyses), read in place as `forEachInstruction` reads them.
    func containsInstruction(where test: (Inst) -> Bool) -> Bool {
        blocks.withUnsafeBufferPointer { bs in
            bs.indices.contains { b in
                bs[b].instructions.withUnsafeBufferPointer { insts in insts.contains { test($0.inst) } }
            }
        }
    }

    /// Calls `body` with every instruction and the position of its block, block by block,
    /// reading them in place (a loop over `blocks` and their `instructions` copies each
    /// one out).
    @inline(__always)
    func forEachInstruction(_ body: (_ block: Int, Inst) -> Void) {
        blocks.withUnsafeBufferPointer { bs in
            guard let first = bs.baseAddress else { return }
            for b in bs.indices {
                // Through the element's address: only its instructions are read, not the
                // whole block copied out.
                (first + b).pointee.instructions.withUnsafeBufferPointer { insts in
                    for k in insts.indices { body(b, insts[k].inst) }
                }
            }
        }
    }
}

private let useDefMemo = AnalysisMemo<(uses: RegCounts, defs: RegCounts)>()
private let framePointersMemo = AnalysisMemo<RegSet>()
private let framePointersCountingCoreLoadsMemo = AnalysisMemo<RegSet>()

/// A count per virtual register, by id (0 for registers never counted).
public struct RegCounts: Sendable {
    var counts: [Int]
    public init(capacity: Int) { counts = Array(filled: 0, count: capacity) }
    public subscript(r: VReg) -> Int {
        get { r.id < counts.count ? counts[r.id] : 0 }
        set {
            if r.id >= counts.count { counts += Array(filled: 0, count: r.id + 1 - counts.count) }
            counts[r.id] = newValue
        }
    }
}

extension Operand {
    public func replacing(_ v: VReg, _ t: VReg) -> Operand { if case .reg(v) = self { return .reg(t) }; return self }
}
extension Address {
    public func replacing(_ v: VReg, _ t: VReg) -> Address { if case .reg(v) = self { return .reg(t) }; return self }
}

extension Inst {
    public func replacingUses(of v: VReg, with t: VReg) -> Inst {
        func r(_ x: VReg) -> VReg { x == v ? t : x }
        switch self {
        case .mov(let d, let s, let w): return .mov(dst: d, src: s.replacing(v, t), width: w)
        case .binary(let op, let d, let l, let rr, let w): return .binary(op, dst: d, lhs: r(l), rhs: rr.replacing(v, t), width: w)
        case .neg(let d, let s, let w): return .neg(dst: d, src: r(s), width: w)
        case .ext(let d, let s, let a, let b, let sg): return .ext(dst: d, src: r(s), from: a, to: b, signed: sg)
        case .bswap(let d, let s, let w): return .bswap(dst: d, src: r(s), width: w)
        case .load(let d, let b, let o, let w, let s): return .load(dst: d, base: b.replacing(v, t), offset: o, width: w, signed: s)
        case .store(let b, let o, let val, let w): return .store(base: b.replacing(v, t), offset: o, value: val.replacing(v, t), width: w)
        case .call(let d, let c, let args): return .call(dst: d, callee: c, args: OperandList(args.map { $0.replacing(v, t) }))
        case .atomic(let op, let b, let o, let val, let w, let f):
            return .atomic(op, base: b.replacing(v, t), offset: o, value: r(val), width: w, fetch: f)
        case .cmpxchg(let d, let b, let o, let e, let n, let w):
            return .cmpxchg(dst: d, base: b.replacing(v, t), offset: o, expected: r(e), new: r(n), width: w)
        case .coreLoad(let d, let b, let o, let w, let rel): return .coreLoad(dst: d, base: r(b), offset: o, width: w, reloc: rel)
        case .coreStore(let b, let o, let val, let w, let rel):
            return .coreStore(base: r(b), offset: o, value: val.replacing(v, t), width: w, reloc: rel)
        case .inlineAsm(let t, let ins, let outs): return .inlineAsm(t, inputs: RegisterList(ins.map(r)), outputs: outs)
        case .slotAddr, .symbolAddr, .loadImm64, .coreValue: return self
        }
    }

    /// A load or store with its address (base and offset) replaced by `transform`'s;
    /// other instructions unchanged.
    public func rebasingMemory(_ transform: (Address, Int) -> (Address, Int)) -> Inst {
        switch self {
        case .load(let d, let base, let off, let w, let s):
            let (b, o) = transform(base, off)
            return .load(dst: d, base: b, offset: o, width: w, signed: s)
        case .store(let base, let off, let v, let w):
            let (b, o) = transform(base, off)
            return .store(base: b, offset: o, value: v, width: w)
        default:
            return self
        }
    }

    /// Every register the instruction reads or writes renamed by `r` at once.
    public func renaming(_ r: (VReg) -> VReg) -> Inst {
        func a(_ x: Address) -> Address { if case .reg(let v) = x { return .reg(r(v)) }; return x }
        func o(_ x: Operand) -> Operand { if case .reg(let v) = x { return .reg(r(v)) }; return x }
        switch self {
        case .mov(let d, let s, let w): return .mov(dst: r(d), src: o(s), width: w)
        case .binary(let op, let d, let l, let rr, let w): return .binary(op, dst: r(d), lhs: r(l), rhs: o(rr), width: w)
        case .neg(let d, let s, let w): return .neg(dst: r(d), src: r(s), width: w)
        case .ext(let d, let s, let f, let t, let sg): return .ext(dst: r(d), src: r(s), from: f, to: t, signed: sg)
        case .bswap(let d, let s, let w): return .bswap(dst: r(d), src: r(s), width: w)
        case .load(let d, let b, let off, let w, let s): return .load(dst: r(d), base: a(b), offset: off, width: w, signed: s)
        case .store(let b, let off, let v, let w): return .store(base: a(b), offset: off, value: o(v), width: w)
        case .slotAddr(let d, let s, let off): return .slotAddr(dst: r(d), slot: s, offset: off)
        case .symbolAddr(let d, let s): return .symbolAddr(dst: r(d), symbol: s)
        case .loadImm64(let d, let x): return .loadImm64(dst: r(d), value: x)
        case .call(let d, let c, let args): return .call(dst: d.map(r), callee: c, args: OperandList(args.map(o)))
        case .atomic(let op, let b, let off, let v, let w, let f):
            return .atomic(op, base: a(b), offset: off, value: r(v), width: w, fetch: f.map(r))
        case .cmpxchg(let d, let b, let off, let e, let n, let w):
            return .cmpxchg(dst: r(d), base: a(b), offset: off, expected: r(e), new: r(n), width: w)
        case .coreValue(let d, let x, let rel): return .coreValue(dst: r(d), value: x, reloc: rel)
        case .coreLoad(let d, let b, let off, let w, let rel): return .coreLoad(dst: r(d), base: r(b), offset: off, width: w, reloc: rel)
        case .coreStore(let b, let off, let v, let w, let rel): return .coreStore(base: r(b), offset: off, value: o(v), width: w, reloc: rel)
        case .inlineAsm(let t, let ins, let outs): return .inlineAsm(t, inputs: RegisterList(ins.map(r)), outputs: RegisterList(outs.map(r)))
        }
    }

    public func replacingDefs(of v: VReg, with t: VReg) -> Inst {
        func r(_ x: VReg) -> VReg { x == v ? t : x }
        switch self {
        case .mov(let d, let s, let w): return .mov(dst: r(d), src: s, width: w)
        case .binary(let op, let d, let l, let rr, let w): return .binary(op, dst: r(d), lhs: l, rhs: rr, width: w)
        case .neg(let d, let s, let w): return .neg(dst: r(d), src: s, width: w)
        case .ext(let d, let s, let a, let b, let sg): return .ext(dst: r(d), src: s, from: a, to: b, signed: sg)
        case .bswap(let d, let s, let w): return .bswap(dst: r(d), src: s, width: w)
        case .load(let d, let b, let o, let w, let s): return .load(dst: r(d), base: b, offset: o, width: w, signed: s)
        case .slotAddr(let d, let s, let o): return .slotAddr(dst: r(d), slot: s, offset: o)
        case .symbolAddr(let d, let s): return .symbolAddr(dst: r(d), symbol: s)
        case .loadImm64(let d, let x): return .loadImm64(dst: r(d), value: x)
        case .call(let d, let c, let a): return .call(dst: d.map(r), callee: c, args: a)
        case .atomic(let op, let b, let o, let val, let w, let f): return .atomic(op, base: b, offset: o, value: val, width: w, fetch: f.map(r))
        case .cmpxchg(let d, let b, let o, let e, let n, let w): return .cmpxchg(dst: r(d), base: b, offset: o, expected: e, new: n, width: w)
        case .coreValue(let d, let x, let rel): return .coreValue(dst: r(d), value: x, reloc: rel)
        case .coreLoad(let d, let b, let o, let w, let rel): return .coreLoad(dst: r(d), base: b, offset: o, width: w, reloc: rel)
        case .inlineAsm(let t, let ins, let outs): return .inlineAsm(t, inputs: ins, outputs: RegisterList(outs.map(r)))
        case .store, .coreStore: return self
        }
    }
}

extension Terminator {
    /// The terminator with its successors mapped (a branch whose two edges then meet
    /// becomes a jump).
    public func mappingTargets(_ map: (BlockID) -> BlockID) -> Terminator {
        switch self {
        case .jump(let t): return .jump(map(t))
        case .branch(let cc, let l, let r, let w, let a, let b):
            let aa = map(a), bb = map(b)
            return aa == bb ? .jump(aa) : .branch(cc, lhs: l, rhs: r, width: w, then: aa, else: bb)
        default: return self
        }
    }

    public func replacingUses(of v: VReg, with t: VReg) -> Terminator {
        switch self {
        case .branch(let cc, let l, let r, let w, let a, let b):
            return .branch(cc, lhs: l == v ? t : l, rhs: r.replacing(v, t), width: w, then: a, else: b)
        case .ret(let o?): return .ret(o.replacing(v, t))
        default: return self
        }
    }
}

extension Inst {
    /// Whether the instruction writes `r` (as `definedRegs.contains(r)`, without building
    /// an array).
    @inline(__always)
    public func defines(_ r: VReg) -> Bool {
        if let d = singleDef { return d == r }
        if case .inlineAsm(_, _, let outs) = self { return outs.contains(r) }
        return false
    }

    /// An `add` or `sub` (what `Instruction.noSignedWrap` speaks of).
    var isAddOrSub: Bool { if case .binary(let op, _, _, _, _) = self { return op == .add || op == .sub }; return false }
}

extension Array where Element == Instruction {
    /// The index of the last instruction before `end` (default: the end) that defines `r`:
    /// in a block, the definition a branch on `r` sees.
    public func lastDefinition(of r: VReg, before end: Int? = nil) -> Int? {
        self[..<(end ?? count)].lastIndex { $0.inst.defines(r) }
    }

    /// Whether an instruction after index `k` defines one of `regs` (a value computed at
    /// `k` from them no longer matches them).
    public func redefines(_ regs: [VReg], after k: Int) -> Bool {
        self[(k + 1)...].contains { $0.inst.definedRegs.contains { regs.contains($0) } }
    }
}

extension Dictionary where Value: Equatable {
    /// The entries `other` holds too, with the same value: what two paths into a block
    /// agree on, in the forward data flows over known values.
    func agreeing(with other: Self) -> Self { filter { other[$0.key] == $0.value } }
}

/// What each register written once copies whole (`d = s`), to find the register a copy
/// stands for: a branch testing a copy narrows the original for the verifier too (it
/// tracks copies as one value). Passes that must not move code above such a test ask for
/// the root of what they read.
struct CopyRoots {
    private var copyOf: [VReg: VReg] = [:]

    init(_ f: Function) {
        let (_, defs) = f.useDefCounts()
        var copies: [VReg: VReg] = [:]
        f.forEachInstruction { _, inst in
            if case .mov(let d, .reg(let s), .w64) = inst, defs[d] == 1 { copies[d] = s }
        }
        copyOf = copies
    }

    /// The register `v` copies, through at most 16 copies.
    func root(_ v: VReg) -> VReg {
        var v = v, steps = 0
        while let s = copyOf[v], steps < 16 { v = s; steps += 1 }
        return v
    }
}

extension Inst {
    /// Register arithmetic (no memory, no call): what may move above a branch or out of
    /// a loop on its own (`CommonCodeHoisting`, `LoopInvariantHoisting`).
    var isArithmetic: Bool {
        switch self {
        case .binary, .neg, .ext, .bswap: return true
        default: return false
        }
    }

    /// Register arithmetic, a copy or a constant: what a region of blocks moved or shared
    /// whole may hold (`LoopInvariantHoisting`, `RegionNumbering`).
    var isArithmeticOrCopy: Bool {
        switch self {
        case .binary, .neg, .ext, .bswap, .mov, .loadImm64: return true
        default: return false
        }
    }
}

extension Function {
    /// A block id no block has (one past the largest).
    public var unusedBlockID: BlockID { BlockID((blocks.map(\.id.id).max() ?? 0) + 1) }

    /// Whether one of the blocks (positions) calls a function or runs inline assembly.
    func calls<S: Sequence>(in blocks: S) -> Bool where S.Element == Int {
        blocks.contains { b in
            self.blocks[b].instructions.contains { i in
                switch i.inst { case .call, .inlineAsm: return true; default: return false }
            }
        }
    }
}
