/// Which memory a store, call or inline assembly may change, by kind, so that passes
/// can keep what they know of a load until something may write its kind:
/// - `other` (0): memory reached through registers that are none of the below (packets,
///   map values, kernel objects, pointer parameters); any store through a register but
///   an exclusive parameter's, or an address inside a known slot, may change it;
/// - `context` (1): the program's context (its first parameter, `struct __sk_buff *` /
///   `xdp_md *` / raw arguments), which only stores through that pointer, calls and
///   inline assembly change — a packet or map store cannot (clang's type-based alias
///   analysis lets it reuse `skb->data` across packet stores too, and programs rely on
///   that for their bounds checks);
/// - `frame` (2): the function's stack slots, written by stores to slots or through
///   registers that may point into the frame, calls given such a register (or, for
///   BPF-to-BPF calls and kfuncs, when a frame address was stored to memory) and inline
///   assembly;
/// - one kind per exclusive parameter (3, 4, ...): the caller's stack object behind it
///   (see `ExclusiveParameters`) is reached only through registers derived from that
///   parameter, which are only used as addresses, so only stores through them change it
///   — not other stores, and not calls, which are never given its address.
///
/// The empty statement before a volatile load writes the kind its address reaches (the
/// load is done again); the one after a volatile load or store writes nothing.
public struct MemoryKinds {
    public static let other = 0, context = 1, frame = 2

    let frameRegisters: RegSet
    /// Registers written once with an address inside a known slot (its address plus a
    /// constant or an index: C keeps such arithmetic inside the object).
    let slotOf: [VReg: Int]
    /// Some frame address is stored to memory (a BPF-to-BPF callee could then find it).
    let frameAddressStored: Bool
    let contextRegister: VReg?
    /// The registers derived from each exclusive parameter that qualifies in this body.
    let exclusive: [RegSet]

    /// Helpers whose pointer arguments are all `const` in the UAPI (they read a key, a
    /// value, a format or data to send): map lookup/update/delete, trace_printk,
    /// perf_event_output, map_push_elem, ringbuf_output. They count as writing the slots
    /// they are given (see `writes`), but constants stored there stay known
    /// (`ValueNumbering`): `verdict(R_TTL)` still tests the reason it stored as a key.
    static let helpersOnlyReadingMemory: Set<Int32> = [1, 2, 3, 6, 25, 87, 130]
    /// Helpers that write their first argument's memory and never read it: bpf_probe_read
    /// (4), bpf_probe_read_str (45), bpf_probe_read_user/_kernel (112, 113) and their
    /// _str forms (114, 115).
    public static let helpersWritingFirstArgument: Set<Int32> = [4, 45, 112, 113, 114, 115]
    /// Of those, the ones that write all `size` bytes (the copy, or zeros on a fault).
    static let helpersFillingFirstArgument: Set<Int32> = [4, 112, 113]

    var count: Int { 3 + exclusive.count }

    public init(_ f: Function) {
        let frame = f.framePointerRegisters(countingCoreLoads: true)
        frameRegisters = frame
        frameAddressStored = f.storesAnyOf(frame)
        let (_, defs) = f.useDefCounts()
        slotOf = f.singleDefinitionFacts(defs: defs) { inst, known in
            switch inst {
            case .slotAddr(_, let s, _): return s
            case .mov(_, .reg(let x), .w64), .binary(.add, _, let x, _, .w64), .binary(.sub, _, let x, .imm, .w64): return known[x]
            default: return nil
            }
        }
        contextRegister = f.section != ".text" && !f.parameters.isEmpty && defs[f.parameters[0]] == 1 ? f.parameters[0] : nil
        exclusive = f.exclusiveParameters.compactMap { Self.derivedAddresses(of: $0, in: f) }
    }

    /// The kind of memory a load through `base` reads (frame registers aside, which the
    /// passes leave to StackForwarding).
    func kind(of base: VReg) -> Int {
        if base == contextRegister { return Self.context }
        if let k = exclusive.firstIndex(where: { $0.contains(base) }) { return 3 + k }
        return Self.other
    }

    /// The slots an instruction that writes the frame can reach, when they are known: a
    /// slot store, a store through an address in a known slot, a call given only such
    /// stack addresses (and, for a BPF-to-BPF call, no frame address in memory).
    public func slotsWritten(_ inst: Inst) -> Set<Int>? {
        switch inst {
        case .store(.slot(let s), _, _, _), .atomic(_, .slot(let s), _, _, _, _), .cmpxchg(_, .slot(let s), _, _, _, _):
            return [s]
        case .store(.reg(let r), _, _, _), .atomic(_, .reg(let r), _, _, _, _), .cmpxchg(_, .reg(let r), _, _, _, _):
            return slotOf[r].map { [$0] }
        case .call(_, let callee, let args):
            if case .helper = callee {} else if frameAddressStored { return nil }
            var out = Set<Int>()
            for case .reg(let r) in args where frameRegisters.contains(r) {
                guard let s = slotOf[r] else { return nil }
                out.insert(s)
            }
            return out
        default:
            return nil
        }
    }

    /// Whether `inst` may change memory of `kind`.
    public func writes(_ inst: Inst, kind: Int) -> Bool {
        switch inst {
        case .inlineAsm(let t, let inputs, _) where t.role == .volatileLoadStart && inputs.count == 1:
            return kind == self.kind(of: inputs[0]) || (kind == Self.frame && frameRegisters.contains(inputs[0]))
        case .inlineAsm(let t, _, _) where t.role == .volatileAccessEnd:
            return false
        case .call(_, let callee, let args) where kind == Self.frame:
            // Only through a stack address it is given (helpers keep none), or, for a
            // BPF-to-BPF call, one it could load from memory. Helpers whose pointers are
            // const (map updates) count as writing what they are given, as clang assumes:
            // forwarding a register stored there across such a call lengthens its live
            // range where clang reloads, which measured 3.5 times the verifier's work for a
            // hash kept in a register over the call (maps_percpu_struct.c).
            let given = args.contains { if case .reg(let r) = $0 { return frameRegisters.contains(r) }; return false }
            if case .helper = callee { return given }
            return given || frameAddressStored
        case .call, .inlineAsm:
            return kind < 3
        case .store(.reg(let r), _, _, _), .atomic(_, .reg(let r), _, _, _, _), .cmpxchg(_, .reg(let r), _, _, _, _),
             .coreStore(let r, _, _, _, _):
            switch kind {
            // (An address inside a known slot writes only that slot.)
            case Self.other: return self.kind(of: r) < 3 && slotOf[r] == nil
            case Self.context: return r == contextRegister
            case Self.frame: return frameRegisters.contains(r)
            default: return exclusive[kind - 3].contains(r)
            }
        case .store(.slot, _, _, _), .atomic(_, .slot, _, _, _, _), .cmpxchg(_, .slot, _, _, _, _):
            return kind == Self.frame
        default:
            return false
        }
    }

    /// The registers holding `p` plus a constant or an integer (addresses inside its
    /// object), if those registers are used only as the base of loads and stores, in
    /// more such address arithmetic, in comparisons and in differences of two of them —
    /// never stored, passed to a call, returned or given to assembly — and are defined
    /// only that way. Otherwise nil: the object may be reached some other way.
    static func derivedAddresses(of p: VReg, in f: Function) -> RegSet? {
        var set = RegSet(capacity: f.nextVReg)
        set.insert(p)
        func derivation(_ inst: Inst) -> VReg? {
            switch inst {
            case .mov(let d, .reg(let s), .w64) where set.contains(s):
                return d
            case .binary(let op, let d, let l, let r, .w64) where (op == .add || op == .sub) && set.contains(l):
                if case .reg(let x) = r, set.contains(x) { return nil }
                return d
            case .binary(.add, let d, let l, .reg(let r), .w64) where set.contains(r) && !set.contains(l):
                return d
            default:
                return nil
            }
        }
        var changed = true
        while changed {
            changed = false
            for b in f.blocks {
                for i in b.instructions {
                    if let d = derivation(i.inst), !set.contains(d) { set.insert(d); changed = true }
                }
            }
        }
        for b in f.blocks {
            for i in b.instructions {
                let inst = i.inst
                var defines = false
                inst.forEachDef { if set.contains($0) { defines = true } }
                if let d = derivation(inst) {
                    if !set.contains(d) { return nil }
                    continue
                }
                if defines { return nil }
                let escaping: [VReg]
                switch inst {
                case .load, .coreLoad: escaping = []
                case .store(_, _, let v, _), .coreStore(_, _, let v, _, _):
                    if case .reg(let r) = v { escaping = [r] } else { escaping = [] }
                case .atomic(_, _, _, let v, _, _): escaping = [v]
                case .cmpxchg(_, _, _, let e, let n, _): escaping = [e, n]
                case .binary(.sub, _, let l, .reg(let r), .w64) where set.contains(l) && set.contains(r): escaping = []
                default: escaping = inst.usedRegs
                }
                if escaping.contains(where: { set.contains($0) }) { return nil }
            }
            if case .ret(.reg(let r)?) = b.terminator, set.contains(r) { return nil }
        }
        return set
    }
}
