// The swift-bpfcc IR: functions of basic blocks over an unbounded set of
// virtual registers. Each virtual register holds a 64-bit value; an operation's
// `Width` says how many low bits are meaningful and how the operation is done.
//
// Invariant kept by every producer and relied on by codegen: a value of width
// w32 is zero-extended to 64 bits (as eBPF's 32-bit ALU leaves it); w8 and w16
// values are zero-extended as well (loads zero-extend; narrowing is explicit
// through `.zext`). Signed narrow values are widened with `.sext`.
//
// Virtual registers are not SSA in general: lowering assigns a register per
// scalar local and may assign it many times. Passes that need SSA build it.

public struct VReg: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var id: Int
    public init(_ id: Int) { self.id = id }
    public static func < (a: VReg, b: VReg) -> Bool { a.id < b.id }
    public var description: String { "%\(id)" }
    public func hash(into h: inout Hasher) { h.combine(id) }
    /// Sets and dictionaries keyed by registers are much of the optimizer's work:
    /// register numbers are small and dense, so a multiplicative hash (a permutation of
    /// the low bits, which pick the bucket) stands in for SipHash there.
    public func _rawHashValue(seed: Int) -> Int { denseHash(id, seed: seed) }
}

public struct BlockID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var id: Int
    public init(_ id: Int) { self.id = id }
    public static func < (a: BlockID, b: BlockID) -> Bool { a.id < b.id }
    public var description: String { "@b\(id)" }
    public func hash(into h: inout Hasher) { h.combine(id) }
    /// As `VReg`'s.
    public func _rawHashValue(seed: Int) -> Int { denseHash(id, seed: seed) }
}

/// A hash of a small dense number: odd-multiplier hashing (Knuth), the seed added first.
@inline(__always) func denseHash(_ x: Int, seed: Int) -> Int { (x &+ seed) &* -7_046_029_254_386_353_131 }

public enum Width: Int, Hashable, Sendable, CustomStringConvertible {
    case w8 = 1, w16 = 2, w32 = 4, w64 = 8
    public var bytes: Int { rawValue }
    public var bits: Int { rawValue * 8 }
    public var description: String { "w\(bits)" }
    public init?(bytes: Int) { self.init(rawValue: bytes) }

    /// The pieces a copy or fill of `size` bytes is made of when its start is aligned to
    /// `alignment`: the widest access each offset allows, at most 8 bytes.
    public static func pieces(size: Int, alignment: Int) -> [(offset: Int, width: Width)] {
        var out: [(Int, Width)] = []
        var off = 0
        let maxW = max(1, min(8, alignment))
        while off < size {
            var w = maxW
            while w > size - off || off % w != 0 { w /= 2 }
            out.append((off, Width(rawValue: w)!))
            off += w
        }
        return out
    }
}

public enum Operand: Hashable, Sendable, CustomStringConvertible {
    case reg(VReg)
    case imm(Int64)      // codegen materialises values outside the signed 32-bit range
    public var description: String {
        switch self { case .reg(let r): return r.description; case .imm(let v): return "\(v)" }
    }
}

public enum BinOp: String, Hashable, Sendable {
    case add, sub, mul, udiv, sdiv, urem, srem, and, or, xor, shl, lshr, ashr
    /// `a op b == b op a`.
    public var isCommutative: Bool {
        switch self {
        case .add, .mul, .and, .or, .xor: return true
        default: return false
        }
    }
}

extension Int64 {
    /// Whether an instruction can take the value as its immediate: eBPF's 32-bit
    /// immediates are sign-extended to 64 bits.
    var fitsImm32: Bool { self >= Int64(Int32.min) && self <= Int64(Int32.max) }
}

public extension Width {
    /// The low `bits` set.
    var mask: UInt64 { self == .w64 ? ~0 : (1 << UInt64(bits)) - 1 }

    /// The low `bits` of `v`, zero- or sign-extended to 64 bits.
    func extend(_ v: UInt64, signed: Bool) -> UInt64 {
        guard self != .w64 else { return v }
        let bits = UInt64(self.bits)
        let low = v & mask
        return signed && low & (1 << (bits - 1)) != 0 ? low | ~mask : low
    }
}

public enum CondCode: String, Hashable, Sendable {
    case eq, ne, ugt, uge, ult, ule, sgt, sge, slt, sle
    case set      // (lhs & rhs) != 0   (eBPF JSET)
    public var negated: CondCode? {
        switch self {
        case .eq: return .ne
        case .ne: return .eq
        case .ugt: return .ule
        case .uge: return .ult
        case .ult: return .uge
        case .ule: return .ugt
        case .sgt: return .sle
        case .sge: return .slt
        case .slt: return .sge
        case .sle: return .sgt
        case .set: return nil
        }
    }
    public var swapped: CondCode {
        switch self {
        case .ugt: return .ult
        case .uge: return .ule
        case .ult: return .ugt
        case .ule: return .uge
        case .sgt: return .slt
        case .sge: return .sle
        case .slt: return .sgt
        case .sle: return .sge
        default: return self
        }
    }
}

/// A stack object of a function (an address-taken local, an aggregate, a
/// temporary). Codegen assigns its frame offset.
public struct StackSlot: Hashable, Sendable {
    public var size: Int
    public var alignment: Int
    public var name: String      // for diagnostics and the textual IR
    /// Holds a `volatile` local: every load and store of it happens as written.
    public var isVolatile: Bool
    /// Holds one integer of this width (a map key), at offset 0, in 8 bytes of its own
    /// where codegen gives it them (`FrameLayout.paddedSlots`): a store of the whole
    /// integer may then be written as an 8-byte store (`Emitter.widelyStoredConstants`).
    public var paddedScalar: Width?
    public init(size: Int, alignment: Int, name: String, isVolatile: Bool = false, paddedScalar: Width? = nil) {
        self.size = size; self.alignment = alignment; self.name = name; self.isVolatile = isVolatile
        self.paddedScalar = paddedScalar
    }
}

/// What a memory access is based on.
public enum Address: Hashable, Sendable, CustomStringConvertible {
    case reg(VReg)          // a pointer held in a virtual register
    case slot(Int)          // the start of StackSlot #n of the function (r10 - k)
    public var description: String {
        switch self { case .reg(let r): return r.description; case .slot(let s): return "$\(s)" }
    }
}

public enum Callee: Hashable, Sendable {
    case helper(Int32)          // call imm=N
    case function(SymbolName)   // BPF-to-BPF call to a function in this object (pseudo call, relocated)
    case kfunc(SymbolName)      // call to an extern kernel function (BTF_KIND_FUNC extern, pseudo kfunc call)
    /// The legacy packet loads `llvm.bpf.load.byte/half/word(skb, off)`: BPF_LD_ABS with a
    /// constant offset, BPF_LD_IND with a register; the socket buffer must be in r6, the
    /// value (converted from network byte order) comes back in r0, r1-r5 are clobbered
    /// as by a call.
    case packetLoad(Width)
    /// A `memcpy`, `memmove` or `memset` of a size not known yet (see `MemoryBuiltin`).
    case memoryBuiltin(MemoryBuiltin)
}

public enum AtomicOp: String, Hashable, Sendable {
    case add, or, and, xor, xchg
    /// -mcpu=v4's ordered accesses: `fetch` = load-acquire of the address (`value` is the
    /// address's register, read by nothing); store-release of `value` (no `fetch`). Any
    /// width. Passes treat them as the other atomics: memory read and written in place.
    case loadAcquire, storeRelease
}

/// Reference to a global symbol loaded with ld_imm64 and relocated (R_BPF_64_64).
public struct SymbolRef: Hashable, Sendable {
    private var nameID: Int32
    public var offset: Int64       // added to the symbol's address (the ld_imm64 immediate)
    public var name: String {
        get { InternedStrings.string(nameID) }
        set { nameID = InternedStrings.id(newValue) }
    }
    public init(name: String, offset: Int64 = 0) { nameID = InternedStrings.id(name); self.offset = offset }
    /// The symbol's name as its interned number (equal names, equal numbers).
    var nameNumber: Int32 { nameID }
}

/// A CO-RE relocation attached to the instruction that produces the patched value.
public struct CoreReloc: Hashable, Sendable {
    public var typeID: Int          // BTF id of the root type (filled by the BTF stage if 0)
    private var typeNameID: Int32
    private var accessStringID: Int32
    public var kind: Int            // enum bpf_core_relo_kind
    /// The root type, for the BTF stage to resolve.
    public var typeName: String {
        get { InternedStrings.string(typeNameID) }
        set { typeNameID = InternedStrings.id(newValue) }
    }
    /// "0:1:2"
    public var accessString: String {
        get { InternedStrings.string(accessStringID) }
        set { accessStringID = InternedStrings.id(newValue) }
    }
    public init(typeID: Int = 0, typeName: String, accessString: String, kind: Int) {
        self.typeID = typeID; typeNameID = InternedStrings.id(typeName); accessStringID = InternedStrings.id(accessString)
        self.kind = kind
    }
}

/// A source position (the file's name is numbered in `InternedStrings`).
public struct IRLocation: Hashable, Sendable {
    public var fileID: Int32
    public var line: Int
    public var column: Int
    public var file: String { InternedStrings.string(fileID) }
    public init(file: String, line: Int, column: Int) {
        self.init(fileID: InternedStrings.id(file), line: line, column: column)
    }
    /// A position in a file already numbered (`InternedStrings.id`).
    public init(fileID: Int32, line: Int, column: Int) {
        self.fileID = fileID; self.line = line; self.column = column
    }
}

public enum Inst: Hashable, Sendable {
    /// dst = src (width w32 truncates/zero-extends, w64 copies all bits).
    case mov(dst: VReg, src: Operand, width: Width)
    /// dst = lhs op rhs. Width is w32 (eBPF ALU32: result zero-extended) or w64.
    case binary(BinOp, dst: VReg, lhs: VReg, rhs: Operand, width: Width)
    /// dst = -src (w32 or w64)
    case neg(dst: VReg, src: VReg, width: Width)
    /// dst = zero- or sign-extension of the low `from` bits of src, producing a
    /// value of width `to` (w32 results are zero-extended to 64 bits).
    case ext(dst: VReg, src: VReg, from: Width, to: Width, signed: Bool)
    /// dst = byte swap of the low `width` bits (w16/w32/w64), zero-extended.
    case bswap(dst: VReg, src: VReg, width: Width)
    /// dst = *(width*)(base + offset), zero-extended (signed: sign-extended load, needs v4).
    case load(dst: VReg, base: Address, offset: Int, width: Width, signed: Bool)
    /// *(width*)(base + offset) = value
    case store(base: Address, offset: Int, value: Operand, width: Width)
    /// dst = address of stack slot + offset (r10 - k)
    case slotAddr(dst: VReg, slot: Int, offset: Int)
    /// dst = address of a global symbol (map, .data/.rodata/.bss variable, ...) via ld_imm64.
    case symbolAddr(dst: VReg, symbol: SymbolRef)
    /// dst = 64-bit constant produced by ld_imm64, optionally patched by a CO-RE relocation.
    case loadImm64(dst: VReg, value: Int64)
    /// Call; args go to r1..r5, result (if dst) comes from r0.
    case call(dst: VReg?, callee: Callee, args: OperandList)
    /// Atomic read-modify-write of (base + offset). fetch: dst receives the old value.
    case atomic(AtomicOp, base: Address, offset: Int, value: VReg, width: Width, fetch: VReg?)
    /// Compare-and-exchange: if *(base+offset) == expected then store new; dst = old value.
    case cmpxchg(dst: VReg, base: Address, offset: Int, expected: VReg, new: VReg, width: Width)
    /// An instruction whose immediate/offset a CO-RE relocation patches:
    /// `dst = value` (a mov of a constant the loader may rewrite).
    case coreValue(dst: VReg, value: Int64, reloc: CoreReloc)
    /// A load whose offset is patched by CO-RE.
    case coreLoad(dst: VReg, base: VReg, offset: Int, width: Width, reloc: CoreReloc)
    /// A store whose offset is patched by CO-RE: `*(width*)(base + offset) = value`.
    case coreStore(base: VReg, offset: Int, value: Operand, width: Width, reloc: CoreReloc)
    /// Inline assembly: codegen assembles the template with the registers allocated to
    /// its inputs and outputs. With empty text it is a compiler barrier: nothing is
    /// emitted, its inputs stay live up to it. No pass reuses a memory value across it,
    /// except across the empty statements lowering puts around a volatile load through a
    /// pointer (`AsmTemplate.Role`): the one before forgets only the memory its address
    /// reaches, the one after nothing (see `MemoryKinds`).
    case inlineAsm(AsmTemplate, inputs: RegisterList, outputs: RegisterList)
}

extension Inst {
    /// The 64-bit constant a `mov` of an immediate or an `ld_imm64` puts in its register.
    var movedConstant: Int64? {
        switch self {
        case .mov(_, .imm(let k), .w64), .loadImm64(_, let k): return k
        default: return nil
        }
    }

    /// The operation, its registers and its constants folded into one word, then hashed
    /// (the synthesized hash fed every field to the hasher on its own, and the optimizer's
    /// value tables hash instructions all the time). Names and inline-assembly parts are
    /// left out: equality tells such instructions apart.
    public func hash(into h: inout Hasher) { h.combine(foldedHash) }
    /// As `VReg`'s: value numbering keeps a table keyed by instructions, and their folded
    /// words are mixed already, so no SipHash runs over them.
    public func _rawHashValue(seed: Int) -> Int { denseHash(Int(bitPattern: UInt(foldedHash)), seed: seed) }

    /// The instruction's kind and operands folded into one word, multiplied and shifted at
    /// every step (a call or inline assembly by its result and operand counts only).
    private var foldedHash: UInt64 {
        var x: UInt64 = 0
        func mix(_ v: UInt64) { x = (x ^ v) &* 0x9e37_79b9_7f4a_7c15; x ^= x >> 29 }
        func r(_ v: VReg) -> UInt64 { UInt64(bitPattern: Int64(v.id)) }
        func o(_ v: Operand) -> UInt64 {
            switch v { case .reg(let q): return r(q) << 1; case .imm(let k): return UInt64(bitPattern: k) << 1 | 1 }
        }
        func a(_ v: Address) -> UInt64 {
            switch v { case .reg(let q): return r(q) << 1; case .slot(let s): return UInt64(bitPattern: Int64(s)) << 1 | 1 }
        }
        func w(_ v: Width) -> UInt64 { UInt64(v.rawValue) }
        func k(_ v: Int) -> UInt64 { UInt64(bitPattern: Int64(v)) }
        func b(_ v: Bool) -> UInt64 { v ? 1 : 0 }
        mix(UInt64(kindNumber))
        switch self {
        case .mov(let d, let s, let wd): mix(r(d)); mix(o(s)); mix(w(wd))
        case .binary(let op, let d, let l, let rr, let wd): mix(UInt64(op.hashCode)); mix(r(d)); mix(r(l)); mix(o(rr)); mix(w(wd))
        case .neg(let d, let s, let wd): mix(r(d)); mix(r(s)); mix(w(wd))
        case .ext(let d, let s, let from, let to, let signed): mix(r(d)); mix(r(s)); mix(w(from) << 8 | w(to) << 1 | b(signed))
        case .bswap(let d, let s, let wd): mix(r(d)); mix(r(s)); mix(w(wd))
        case .load(let d, let base, let off, let wd, let signed): mix(r(d)); mix(a(base)); mix(k(off)); mix(w(wd) << 1 | b(signed))
        case .store(let base, let off, let v, let wd): mix(a(base)); mix(k(off)); mix(o(v)); mix(w(wd))
        case .slotAddr(let d, let slot, let off): mix(r(d)); mix(k(slot)); mix(k(off))
        case .symbolAddr(let d, let sym): mix(r(d)); mix(UInt64(bitPattern: sym.offset))
        case .loadImm64(let d, let v): mix(r(d)); mix(UInt64(bitPattern: v))
        case .call(let d, _, let args): mix(d.map(r) ?? ~0); mix(UInt64(args.count))
        case .atomic(_, let base, let off, let v, let wd, _): mix(a(base)); mix(k(off)); mix(r(v)); mix(w(wd))
        case .cmpxchg(let d, let base, let off, _, _, _): mix(r(d)); mix(a(base)); mix(k(off))
        case .coreValue(let d, let v, _): mix(r(d)); mix(UInt64(bitPattern: v))
        case .coreLoad(let d, let base, let off, let wd, _): mix(r(d)); mix(r(base)); mix(k(off)); mix(w(wd))
        case .coreStore(let base, let off, let v, let wd, _): mix(r(base)); mix(k(off)); mix(o(v)); mix(w(wd))
        case .inlineAsm(_, let ins, let outs): mix(UInt64(ins.count)); mix(UInt64(outs.count))
        }
        return x
    }

    /// A number per kind of instruction (its case), from 1.
    public var kindNumber: Int {
        switch self {
        case .mov: return 1
        case .binary: return 2
        case .neg: return 3
        case .ext: return 4
        case .bswap: return 5
        case .load: return 6
        case .store: return 7
        case .slotAddr: return 8
        case .symbolAddr: return 9
        case .loadImm64: return 10
        case .call: return 11
        case .atomic: return 12
        case .cmpxchg: return 13
        case .coreValue: return 14
        case .coreLoad: return 15
        case .coreStore: return 16
        case .inlineAsm: return 17
        }
    }
}

extension CondCode {
    /// A number per condition (the raw value's hash would hash its name).
    public func hash(into h: inout Hasher) {
        let code: Int
        switch self {
        case .eq: code = 0
        case .ne: code = 1
        case .ugt: code = 2
        case .uge: code = 3
        case .ult: code = 4
        case .ule: code = 5
        case .sgt: code = 6
        case .sge: code = 7
        case .slt: code = 8
        case .sle: code = 9
        case .set: code = 10
        }
        h.combine(code)
    }
}

extension BinOp {
    public func hash(into h: inout Hasher) { h.combine(hashCode) }

    /// A number per operation (the raw value's hash would hash its name).
    var hashCode: Int {
        switch self {
        case .add: return 0
        case .sub: return 1
        case .mul: return 2
        case .udiv: return 3
        case .sdiv: return 4
        case .urem: return 5
        case .srem: return 6
        case .and: return 7
        case .or: return 8
        case .xor: return 9
        case .shl: return 10
        case .lshr: return 11
        case .ashr: return 12
        }
    }
}

public enum Terminator: Hashable, Sendable {
    case jump(BlockID)
    case branch(CondCode, lhs: VReg, rhs: Operand, width: Width, then: BlockID, else: BlockID)
    case ret(Operand?)
    case unreachable
}

public struct Instruction: Hashable, Sendable {
    public var inst: Inst
    public var location: IRLocation?
    /// A 32-bit `add`/`sub` of C signed `int` arithmetic, which cannot overflow (C leaves
    /// overflow undefined): the mathematical result fits in 32 signed bits. Passes that
    /// rewrite `inst` into something else may leave the flag; only `SignedBranches`
    /// reads it, and only on a 32-bit add or subtract of a constant.
    public var noSignedWrap = false
    public init(_ inst: Inst, location: IRLocation? = nil, noSignedWrap: Bool = false) {
        self.inst = inst; self.location = location; self.noSignedWrap = noSignedWrap
    }
}

public struct Block: Hashable, Sendable {
    public var id: BlockID
    public var instructions: [Instruction]
    public var terminator: Terminator
    public var terminatorLocation: IRLocation?
    /// A layout hint: the program rarely enters this block (lowering marks the taken side
    /// of an equality test between two pointers, as LLVM's pointer heuristic predicts, and
    /// the NULL side of a test against NULL where that side leaves early).
    /// BlockPlacement keeps such blocks off the fall-through path; nothing else reads it.
    public var unlikely = false
    public init(id: BlockID, instructions: [Instruction] = [], terminator: Terminator = .unreachable,
                terminatorLocation: IRLocation? = nil) {
        self.id = id; self.instructions = instructions; self.terminator = terminator
        self.terminatorLocation = terminatorLocation
    }
}

public enum Linkage: Hashable, Sendable { case global, `static`, weak }

public struct Function: Hashable, Sendable {
    public var name: String
    /// Program section (SEC("xdp")) or ".text" for sub-programs.
    public var section: String
    public var linkage: Linkage
    /// Parameters in r1..r5 order.
    public var parameters: [VReg]
    public var blocks: [Block]           // blocks[0] is the entry
    public var slots: [StackSlot]
    public var nextVReg: Int
    public var location: IRLocation?
    /// Parameters that point to a caller's stack object nothing else given to this
    /// function reaches (found by `ExclusiveParameters` over the module; `MemoryKinds`
    /// checks the body keeps it that way).
    public var exclusiveParameters: [VReg] = []
    /// The target's byte order (bpfeb): which bytes of a stored constant a narrower load
    /// of the same memory reads.
    public var bigEndian = false
    /// The largest value each static sub-program this function may call returns (found by
    /// `ReturnBounds` once the callee is optimized, before this function is): a call's
    /// result is at most that (`ValueBounds`).
    public var returnBounds: [SymbolName: UInt64] = [:]
    public init(name: String, section: String, linkage: Linkage, parameters: [VReg], blocks: [Block],
                slots: [StackSlot], nextVReg: Int, location: IRLocation? = nil) {
        self.name = name; self.section = section; self.linkage = linkage; self.parameters = parameters
        self.blocks = blocks; self.slots = slots; self.nextVReg = nextVReg; self.location = location
    }
    public mutating func newVReg() -> VReg { defer { nextVReg += 1 }; return VReg(nextVReg) }
    /// Position of each block in `blocks` by its id (ids need not be dense).
    public var blockIndexByID: BlockIndex { BlockIndex(blocks) }

    /// A depth-first walk from the entry: blocks in post-order (unreachable ones left
    /// out) and the targets of retreating edges (loop headers).
    public var depthFirst: (postOrder: [Int], loopHeaders: Set<Int>) {
        let index = blockIndexByID
        // A block's state: 0 not reached, 1 on the walk's stack, 2 finished.
        var state = [UInt8](filled: 0, count: blocks.count)
        var headers = Set<Int>(), post: [Int] = []
        post.reserveCapacity(blocks.count)
        // Each stack entry: a block and how many of its (at most two) successors were taken.
        var stack: [(block: Int, next: Int)] = []
        if !blocks.isEmpty { stack.append((0, 0)); state[0] = 1 }
        while let (b, k) = stack.last {
            if let t = blocks[b].terminator.successor(at: k) {
                stack[stack.count - 1].next += 1
                guard let j = index[t] else { continue }
                if state[j] == 1 { headers.insert(j) }
                if state[j] == 0 { stack.append((j, 0)); state[j] = 1 }
            } else {
                post.append(b); state[b] = 2; stack.removeLast()
            }
        }
        return (post, headers)
    }

    /// Block positions in reverse post-order from the entry (unreachable blocks last).
    func reversePostOrder() -> [Int] {
        let post = depthFirst.postOrder
        var reached = [Bool](filled: false, count: blocks.count)
        for b in post { reached[b] = true }
        return post.reversed() + blocks.indices.filter { !reached[$0] }
    }

    /// The control flow graph by block position: each block's successors and
    /// predecessors (an edge appears once per terminator target).
    public var flowGraph: (successors: [[Int]], predecessors: [[Int]]) { flowGraphMemo.value(for: self) { $0.computingFlowGraph() } }

    func computingFlowGraph() -> (successors: [[Int]], predecessors: [[Int]]) {
        let index = blockIndexByID
        // Each list is made once at its final size (appending one edge at a time would
        // grow every list through the standard library's unspecialized growth path).
        var succs: [[Int]] = []
        succs.reserveCapacity(blocks.count)
        var predecessorCount = [Int](filled: 0, count: blocks.count)
        for i in blocks.indices {
            let term = blocks[i].terminator
            let first = term.successor(at: 0).flatMap { index[$0] }, second = term.successor(at: 1).flatMap { index[$0] }
            var out: [Int] = []
            if let a = first, let b = second { out = [a, b] } else if let a = first ?? second { out = [a] }
            for j in out { predecessorCount[j] += 1 }
            succs.append(out)
        }
        var preds: [[Int]] = predecessorCount.map { n in
            var list: [Int] = []
            list.reserveCapacity(n)
            return list
        }
        for i in succs.indices { for j in succs[i] { preds[j].append(i) } }
        return (succs, preds)
    }
}

extension Function {
    /// `self == g`, with the blocks compared in place (the synthesized `==` copies each
    /// block out of its array to compare it: a pass that rebuilt an equal function paid
    /// a copy and a release of every block).
    func isEqual(to g: Function) -> Bool {
        let equalBlocks = blocks.withUnsafeBufferPointer { x in
            g.blocks.withUnsafeBufferPointer { y in
                guard x.count == y.count else { return false }
                if x.baseAddress == y.baseAddress { return true }
                // Field by field, each read in place (every stored property of `Block`).
                for i in x.indices {
                    guard x[i].id == y[i].id, x[i].instructions == y[i].instructions, x[i].terminator == y[i].terminator,
                          x[i].terminatorLocation == y[i].terminatorLocation, x[i].unlikely == y[i].unlikely else { return false }
                }
                return true
            }
        }
        return equalBlocks && nextVReg == g.nextVReg && slots == g.slots && otherFieldsEqual(g)
    }

    /// The fields other than the blocks, the slots and the register count are equal.
    func otherFieldsEqual(_ g: Function) -> Bool {
        parameters == g.parameters && exclusiveParameters == g.exclusiveParameters && bigEndian == g.bigEndian
            && returnBounds == g.returnBounds
            && linkage == g.linkage && section == g.section && name == g.name && location == g.location
    }
}

private let flowGraphMemo = AnalysisMemo<(successors: [[Int]], predecessors: [[Int]])>()

/// Block positions by block id: an array over the ids (which are small and mostly
/// dense), the first block of an id winning.
public struct BlockIndex: Sendable {
    var position: [Int]
    init(_ blocks: [Block]) {
        var top = -1
        for b in blocks where b.id.id > top { top = b.id.id }
        position = Array(filled: -1, count: top + 1)
        for (i, b) in blocks.enumerated() where b.id.id >= 0 && position[b.id.id] < 0 { position[b.id.id] = i }
    }
    public subscript(id: BlockID) -> Int? {
        guard id.id >= 0, id.id < position.count, position[id.id] >= 0 else { return nil }
        return position[id.id]
    }
}

public struct Module: Hashable, Sendable {
    public var functions: [Function]
    /// The bytes of read-only data objects whose contents are fixed when the program is
    /// compiled (`static const` tables; not `const volatile` configuration the loader may
    /// rewrite), by symbol: loads from them at known offsets are constants.
    public var readOnlyData: [String: [UInt8]] = [:]
    /// The addresses such objects hold (`static const char *const name = "x";`): by
    /// symbol, the offset of each 8-byte word the loader would fill, and the address it
    /// holds. A load of that word is that address, as clang folds it (the loader does not
    /// relocate data, so the word itself reads as its addend).
    public var readOnlyAddresses: [String: [Int: SymbolRef]] = [:]
    /// Symbols whose address data or code takes (initializers, `&f` in an expression):
    /// such a function may be called with any arguments, not only the ones its calls pass.
    public var addressTaken: Set<String> = []
    /// Byte ranges of `readOnlyData` objects that functions write at known offsets (a
    /// `static` array of which only some elements are written): only the other bytes
    /// keep their initial contents.
    public var writtenBytes: [String: [Range<Int>]] = [:]
    /// Of those written bytes, the ones only constants are stored to: the constants' bytes
    /// (with the initial byte, every value the byte can hold).
    public var storedBytes: [String: [Int: [UInt8]]] = [:]
    /// `static` objects of fixed contents (as `readOnlyData` holds) that some function, as
    /// lowered, writes at a place not known or lets escape, with their initial bytes:
    /// should the optimized functions' writes all be at known places (the store at an
    /// index not known was in a branch folding decided), they join `readOnlyData`.
    public var unknownlyWritten: [String: [UInt8]] = [:]
    /// The same facts about the globals as `other`: what is known of their contents and of
    /// the writes to them, which the optimizer folds every function's loads with.
    public func knowsTheSameOfGlobals(as other: Module) -> Bool {
        readOnlyData == other.readOnlyData && readOnlyAddresses == other.readOnlyAddresses && writtenBytes == other.writtenBytes
            && storedBytes == other.storedBytes && unknownlyWritten == other.unknownlyWritten && addressTaken == other.addressTaken
    }

    public init(functions: [Function], readOnlyData: [String: [UInt8]] = [:], readOnlyAddresses: [String: [Int: SymbolRef]] = [:],
                addressTaken: Set<String> = [], writtenBytes: [String: [Range<Int>]] = [:], storedBytes: [String: [Int: [UInt8]]] = [:]) {
        self.functions = functions; self.readOnlyData = readOnlyData; self.readOnlyAddresses = readOnlyAddresses
        self.addressTaken = addressTaken; self.writtenBytes = writtenBytes; self.storedBytes = storedBytes
    }
}

// MARK: - Def/use queries used by every pass and by register allocation

extension Inst {
    public var definedRegs: [VReg] {
        switch self {
        case .mov(let d, _, _), .binary(_, let d, _, _, _), .neg(let d, _, _), .ext(let d, _, _, _, _),
             .bswap(let d, _, _), .load(let d, _, _, _, _), .slotAddr(let d, _, _), .symbolAddr(let d, _),
             .loadImm64(let d, _), .cmpxchg(let d, _, _, _, _, _), .coreValue(let d, _, _),
             .coreLoad(let d, _, _, _, _):
            return [d]
        case .call(let d, _, _): return d.map { [$0] } ?? []
        case .atomic(_, _, _, _, _, let f): return f.map { [$0] } ?? []
        case .store, .coreStore: return []
        case .inlineAsm(_, _, let outs): return outs.array
        }
    }
    public var usedRegs: [VReg] {
        func a(_ x: Address) -> [VReg] { if case .reg(let r) = x { return [r] }; return [] }
        func o(_ x: Operand) -> [VReg] { if case .reg(let r) = x { return [r] }; return [] }
        switch self {
        case .mov(_, let s, _): return o(s)
        case .binary(_, _, let l, let r, _): return [l] + o(r)
        case .neg(_, let s, _), .ext(_, let s, _, _, _), .bswap(_, let s, _): return [s]
        case .load(_, let b, _, _, _): return a(b)
        case .store(let b, _, let v, _): return a(b) + o(v)
        case .slotAddr, .symbolAddr, .loadImm64, .coreValue: return []
        case .call(_, _, let args): return args.flatMap(o)
        case .atomic(_, let b, _, let v, _, _): return a(b) + [v]
        case .cmpxchg(_, let b, _, let e, let n, _): return a(b) + [e, n]
        case .coreLoad(_, let b, _, _, _): return [b]
        case .coreStore(let b, _, let v, _, _): return [b] + o(v)
        case .inlineAsm(_, let ins, _): return ins.array
        }
    }
    /// Whether the instruction may read or write memory (or, as a call or inline
    /// assembly, do anything): every kind but register arithmetic and address and
    /// constant materialization.
    public var touchesMemory: Bool {
        switch self {
        case .mov, .binary, .neg, .ext, .bswap, .slotAddr, .symbolAddr, .loadImm64, .coreValue: return false
        case .load, .store, .call, .atomic, .cmpxchg, .coreLoad, .coreStore, .inlineAsm: return true
        }
    }

    /// The constant offset of a memory access (from its base) or of a slot address.
    public var memoryOffset: Int? {
        switch self {
        case .load(_, _, let off, _, _), .store(_, let off, _, _), .slotAddr(_, _, let off),
             .atomic(_, _, let off, _, _, _), .cmpxchg(_, _, let off, _, _, _): return off
        default: return nil
        }
    }

    /// For a copy or an extension of a register: that register, and how many of its low
    /// bytes the result keeps (a store of at most that many bytes of the result stores
    /// the same bytes as one of the register).
    public var lowBytesCopy: (from: VReg, bytes: Int)? {
        switch self {
        case .mov(_, .reg(let t), let w): return (t, w.bytes)
        case .ext(_, let t, let from, _, _): return (t, from.bytes)
        default: return nil
        }
    }

    /// The register the instruction writes when it writes exactly one.
    public var singleDef: VReg? {
        switch self {
        case .mov(let d, _, _), .binary(_, let d, _, _, _), .neg(let d, _, _), .ext(let d, _, _, _, _),
             .bswap(let d, _, _), .load(let d, _, _, _, _), .slotAddr(let d, _, _), .symbolAddr(let d, _),
             .loadImm64(let d, _), .cmpxchg(let d, _, _, _, _, _), .coreValue(let d, _, _),
             .coreLoad(let d, _, _, _, _):
            return d
        case .call(let d, _, _): return d
        case .atomic(_, _, _, _, _, let f): return f
        case .store, .coreStore: return nil
        case .inlineAsm(_, _, let outs): return outs.count == 1 ? outs[0] : nil
        }
    }

    /// Calls `body` with each register the instruction reads (as `usedRegs`, without
    /// building an array).
    @inline(__always)
    public func forEachUse(_ body: (VReg) -> Void) {
        func a(_ x: Address) { if case .reg(let r) = x { body(r) } }
        func o(_ x: Operand) { if case .reg(let r) = x { body(r) } }
        switch self {
        case .mov(_, let s, _): o(s)
        case .binary(_, _, let l, let r, _): body(l); o(r)
        case .neg(_, let s, _), .ext(_, let s, _, _, _), .bswap(_, let s, _): body(s)
        case .load(_, let b, _, _, _): a(b)
        case .store(let b, _, let v, _): a(b); o(v)
        case .slotAddr, .symbolAddr, .loadImm64, .coreValue: break
        case .call(_, _, let args): for x in args { o(x) }
        case .atomic(_, let b, _, let v, _, _): a(b); body(v)
        case .cmpxchg(_, let b, _, let e, let n, _): a(b); body(e); body(n)
        case .coreLoad(_, let b, _, _, _): body(b)
        case .coreStore(let b, _, let v, _, _): body(b); o(v)
        case .inlineAsm(_, let ins, _): for x in ins { body(x) }
        }
    }

    /// Calls `body` with each register the instruction writes (as `definedRegs`).
    @inline(__always)
    public func forEachDef(_ body: (VReg) -> Void) {
        switch self {
        case .mov(let d, _, _), .binary(_, let d, _, _, _), .neg(let d, _, _), .ext(let d, _, _, _, _),
             .bswap(let d, _, _), .load(let d, _, _, _, _), .slotAddr(let d, _, _), .symbolAddr(let d, _),
             .loadImm64(let d, _), .cmpxchg(let d, _, _, _, _, _), .coreValue(let d, _, _),
             .coreLoad(let d, _, _, _, _):
            body(d)
        case .call(let d, _, _): if let d = d { body(d) }
        case .atomic(_, _, _, _, _, let f): if let f = f { body(f) }
        case .store, .coreStore: break
        case .inlineAsm(_, _, let outs): for x in outs { body(x) }
        }
    }

    /// The stack slot the instruction names: its address, or memory it accesses there.
    public var slotReferenced: Int? {
        switch self {
        case .slotAddr(_, let s, _), .load(_, .slot(let s), _, _, _), .store(.slot(let s), _, _, _),
             .atomic(_, .slot(let s), _, _, _, _), .cmpxchg(_, .slot(let s), _, _, _, _):
            return s
        default: return nil
        }
    }

    /// True when removing the instruction (if its result is unused) changes behaviour.
    public var hasSideEffects: Bool {
        switch self {
        case .store, .coreStore, .call, .atomic, .cmpxchg, .inlineAsm: return true
        default: return false
        }
    }
}

extension Terminator {
    /// Calls `body` with each register the terminator reads, in `usedRegs` order.
    @inline(__always)
    public func forEachUse(_ body: (VReg) -> Void) {
        switch self {
        case .branch(_, let l, let r, _, _, _):
            body(l)
            if case .reg(let x) = r { body(x) }
        case .ret(.reg(let x)?): body(x)
        default: break
        }
    }
    public var usedRegs: [VReg] {
        switch self {
        case .branch(_, let l, let r, _, _, _):
            if case .reg(let x) = r { return [l, x] }
            return [l]
        case .ret(let v?): if case .reg(let x) = v { return [x] }; return []
        default: return []
        }
    }
    public var successors: [BlockID] {
        switch self {
        case .jump(let b): return [b]
        case .branch(_, _, _, _, let t, let e): return [t, e]
        default: return []
        }
    }
    /// Successor `k` in `successors` order (then before else), without building the array.
    public func successor(at k: Int) -> BlockID? {
        switch self {
        case .jump(let b): return k == 0 ? b : nil
        case .branch(_, _, _, _, let t, let e): return k == 0 ? t : k == 1 ? e : nil
        default: return nil
        }
    }
}
