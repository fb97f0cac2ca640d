import BPFIR

/// Reference semantics of the IR for the differential tests: executes a
/// Function directly (stack slots as byte arrays, eBPF's division-by-zero
/// rules, helpers 99 and 100 as in `Interpreter`). Addresses must be slots, or
/// registers holding a slot address (`frame + slot << 20 + offset`).
enum IRInterpreter {
    struct Failure: Error { var message: String }

    static func mask(_ v: UInt64, _ w: Width) -> UInt64 { w == .w64 ? v : v & ((1 << UInt64(w.bits)) - 1) }
    static func sext(_ v: UInt64, _ w: Width) -> UInt64 {
        let s = UInt64(64 - w.bits)
        return UInt64(bitPattern: Int64(bitPattern: v << s) >> Int64(s))
    }

    static func run(_ f: Function, args: [Int64]) throws -> Int64 {
        var regs: [VReg: UInt64] = [:]
        for (k, p) in f.parameters.enumerated() { regs[p] = UInt64(bitPattern: k < args.count ? args[k] : 0) }
        var slots = f.slots.map { [UInt8](repeating: 0, count: $0.size) }
        var index: [BlockID: Int] = [:]
        for (i, b) in f.blocks.enumerated() { index[b.id] = i }
        func val(_ o: Operand) -> UInt64 {
            switch o { case .reg(let r): return regs[r] ?? 0; case .imm(let k): return UInt64(bitPattern: k) }
        }
        let frame: UInt64 = 0xffff_8000_0000_0000
        func slotOf(_ a: Address, _ off: inout Int) throws -> Int {
            switch a {
            case .slot(let s): return s
            case .reg(let r):
                let v = (regs[r] ?? 0) &- frame
                guard v >> 20 < f.slots.count else { throw Failure(message: "pointer outside the frame in IR interpreter") }
                off += Int(v & 0xfffff)
                return Int(v >> 20)
            }
        }
        func load(_ s: Int, _ o: Int, _ n: Int) -> UInt64 {
            var v: UInt64 = 0
            for k in 0..<n { v |= UInt64(slots[s][o + k]) << UInt64(8 * k) }
            return v
        }
        func store(_ s: Int, _ o: Int, _ n: Int, _ v: UInt64) {
            for k in 0..<n { slots[s][o + k] = UInt8(truncatingIfNeeded: v >> UInt64(8 * k)) }
        }
        var bi = 0
        var steps = 0
        while true {
            let b = f.blocks[bi]
            for ins in b.instructions {
                steps += 1
                if steps > 1_000_000 { throw Failure(message: "too many steps") }
                switch ins.inst {
                case .mov(let d, let s, let w): regs[d] = mask(val(s), w == .w64 ? .w64 : .w32)
                case .binary(let op, let d, let l, let r, let w):
                    regs[d] = binary(op, regs[l] ?? 0, val(r), w)
                case .neg(let d, let s, let w): regs[d] = mask(0 &- (regs[s] ?? 0), w)
                case .ext(let d, let s, let from, let to, let signed):
                    let v = regs[s] ?? 0
                    regs[d] = mask(signed ? sext(v, from) : mask(v, from), to)
                case .bswap(let d, let s, let w):
                    let v = regs[s] ?? 0
                    switch w {
                    case .w16: regs[d] = UInt64(UInt16(truncatingIfNeeded: v).byteSwapped)
                    case .w32: regs[d] = UInt64(UInt32(truncatingIfNeeded: v).byteSwapped)
                    default: regs[d] = v.byteSwapped
                    }
                case .slotAddr(let d, let s, let o):
                    regs[d] = frame &+ UInt64(s) << 20 &+ UInt64(o)
                case .load(let d, let base, var off, let w, let signed):
                    let v = load(try slotOf(base, &off), off, w.bytes)
                    regs[d] = signed ? sext(v, w) : v
                case .store(let base, var off, let v, let w):
                    store(try slotOf(base, &off), off, w.bytes, val(v))
                case .loadImm64(let d, let v): regs[d] = UInt64(bitPattern: v)
                case .call(let d, .helper(let n), let a):
                    let x = a.map(val)
                    var r: UInt64 = 0
                    if n == 99 { r = x[0] &* 10 &+ x[1] }
                    if n == 100 { for (k, v) in x.enumerated() { r = r &+ UInt64(k + 1) &* v } }
                    if let d = d { regs[d] = r }
                case .atomic(let op, let base, var off, let v, let w, let fetch):
                    let s = try slotOf(base, &off)
                    let old = load(s, off, w.bytes), x = regs[v] ?? 0
                    let new: UInt64
                    switch op {
                    case .add: new = old &+ x
                    case .or: new = old | x
                    case .and: new = old & x
                    case .xor: new = old ^ x
                    case .xchg: new = x
                    case .loadAcquire: new = old
                    case .storeRelease: new = x
                    }
                    store(s, off, w.bytes, new)
                    if let f = fetch { regs[f] = old }
                case .cmpxchg(let d, let base, var off, let e, let n, let w):
                    let s = try slotOf(base, &off)
                    let old = load(s, off, w.bytes)
                    if old == mask(regs[e] ?? 0, w) { store(s, off, w.bytes, regs[n] ?? 0) }
                    regs[d] = old
                // An empty statement (the barriers around a volatile access) does nothing.
                case .inlineAsm(let t, _, let outs) where t.text.isEmpty && outs.isEmpty: break
                default: throw Failure(message: "unsupported in IR interpreter: \(ins.inst)")
                }
            }
            switch b.terminator {
            case .ret(let v): return Int64(bitPattern: v.map(val) ?? 0)
            case .unreachable: throw Failure(message: "unreachable reached")
            case .jump(let t): bi = index[t]!
            case .branch(let cc, let l, let r, let w, let t, let e):
                let a = mask(regs[l] ?? 0, w), c = mask(val(r), w)
                let sa = Int64(bitPattern: sext(a, w)), sc = Int64(bitPattern: sext(c, w))
                let taken: Bool
                switch cc {
                case .eq: taken = a == c
                case .ne: taken = a != c
                case .ugt: taken = a > c
                case .uge: taken = a >= c
                case .ult: taken = a < c
                case .ule: taken = a <= c
                case .sgt: taken = sa > sc
                case .sge: taken = sa >= sc
                case .slt: taken = sa < sc
                case .sle: taken = sa <= sc
                case .set: taken = a & c != 0
                }
                bi = index[taken ? t : e]!
            }
        }
    }

    /// The IR's arithmetic is eBPF's (BPFIR's `BinOp.evaluate`, which constant folding
    /// uses too); the eBPF interpreter in BPFInterpreter.swift is the independent check.
    static func binary(_ op: BinOp, _ x: UInt64, _ y: UInt64, _ w: Width) -> UInt64 {
        op.evaluate(x, y, width: w)
    }
}
