import BPFIR

/// One assembly statement (labels already taken off) → its instructions, and the jump
/// target when it is a jump whose offset the assembler fills in.
struct StatementParser {
    struct Failure: Error, Equatable { var message: String }
    typealias Token = Assembler.Token

    let tokens: [Token]
    var index = 0

    init(tokens: [Token]) { self.tokens = tokens }

    var atEnd: Bool { index >= tokens.count }
    func peek(_ k: Int = 0) -> Token? { index + k < tokens.count ? tokens[index + k] : nil }

    private mutating func next() throws(Failure) -> Token {
        guard let t = peek() else { throw Failure(message: "unexpected end of statement") }
        index += 1
        return t
    }
    private mutating func expect(_ p: String) throws(Failure) {
        guard case .punct(p) = try next() else { throw Failure(message: "expected '\(p)'") }
    }
    private mutating func expectWord(_ w: String) throws(Failure) {
        guard case .word(w) = try next() else { throw Failure(message: "expected '\(w)'") }
    }
    private mutating func take(_ p: String) -> Bool {
        if case .punct(p)? = peek() { index += 1; return true }
        return false
    }

    struct Register: Equatable { var number: UInt8; var sub: Bool }

    private static func register(_ t: Token?) -> Register? {
        guard case .word(let w)? = t, let r = AsmTemplate.register(named: Substring(w)) else { return nil }
        return Register(number: UInt8(r.number), sub: r.subregister)
    }
    private mutating func register() throws(Failure) -> Register {
        guard let r = Self.register(peek()) else { throw Failure(message: "expected a register") }
        index += 1
        return r
    }

    /// A signed or unsigned constant, range-checked against `bits` (a 32-bit field takes
    /// -2^31 ... 2^32-1 when `unsigned32` allows the unsigned spelling).
    private mutating func immediate(fitting32 unsigned32: Bool) throws(Failure) -> Int32 {
        let v = try constant()
        if let k = Int32(exactly: v) { return k }
        if unsigned32, let k = UInt32(exactly: v) { return Int32(bitPattern: k) }
        throw Failure(message: "immediate \(v) does not fit in 32 bits")
    }
    private mutating func constant() throws(Failure) -> Int64 {
        let negative = take("-")
        if !negative { _ = take("+") }
        guard case .number(let v) = try next() else { throw Failure(message: "expected a number") }
        return negative ? 0 &- v : v
    }
    private var nextIsConstant: Bool {
        switch peek() {
        case .number?: return true
        case .punct("-")?, .punct("+")?: if case .number? = peek(1) { return true }; return false
        default: return false
        }
    }

    /// `rB`, `rB + K`, `rB - K`.
    private mutating func address() throws(Failure) -> (base: UInt8, offset: Int16) {
        let b = try register()
        guard !b.sub else { throw Failure(message: "an address register must be a 64-bit register (rN)") }
        var off: Int64 = 0
        if take("+") { off = try constant() } else if take("-") { off = 0 &- (try constant()) }
        guard let o = Int16(exactly: off) else { throw Failure(message: "offset \(off) does not fit in 16 bits") }
        return (b.number, o)
    }

    /// `(u32 *)` → the access size and whether it is a sign-extending (sN) access.
    private mutating func pointerType() throws(Failure) -> (size: BPFSize, signed: Bool) {
        try expect("(")
        guard case .word(let w) = try next(), let f = w.first, f == "u" || f == "s", let bits = Int(w.dropFirst()),
              [8, 16, 32, 64].contains(bits) else { throw Failure(message: "expected u8, u16, u32 or u64") }
        try expect("*")
        try expect(")")
        return (BPFSize(bytes: bits / 8), f == "s")
    }

    /// `*(uN *)(rB + K)`, the leading `*` already read.
    private mutating func memory() throws(Failure) -> (size: BPFSize, signed: Bool, base: UInt8, offset: Int16) {
        let t = try pointerType()
        try expect("(")
        let a = try address()
        try expect(")")
        return (t.size, t.signed, a.base, a.offset)
    }

    private mutating func target() throws(Failure) -> Assembler.Target {
        switch try next() {
        case .punct("+"):
            guard case .number(let k) = try next() else { throw Failure(message: "expected a jump offset") }
            return .relative(Int(k))
        case .punct("-"):
            guard case .number(let k) = try next() else { throw Failure(message: "expected a jump offset") }
            return .relative(0 &- Int(k))
        case .word(let w) where Self.register(.word(w)) == nil: return .label(w)
        case .localRef(let k, let f): return .local(k, forward: f)
        default: throw Failure(message: "expected a jump target (+N, -N or a label)")
        }
    }

    private func finished() throws(Failure) {
        if !atEnd { throw Failure(message: "unexpected text after the instruction") }
    }

    private static let aluOps: [String: (BPFALUOp, signed: Bool)] = [
        "+=": (.add, false), "-=": (.sub, false), "*=": (.mul, false), "/=": (.div, false), "%=": (.mod, false),
        "|=": (.or, false), "&=": (.and, false), "^=": (.xor, false), "<<=": (.lsh, false), ">>=": (.rsh, false),
        "s>>=": (.arsh, false), "s/=": (.div, true), "s%=": (.mod, true),
    ]
    private static let jumpOps: [String: BPFJumpOp] = [
        "==": .jeq, "!=": .jne, ">": .jgt, ">=": .jge, "<": .jlt, "<=": .jle, "&": .jset,
        "s>": .jsgt, "s>=": .jsge, "s<": .jslt, "s<=": .jsle,
    ]
    private static let atomicOps: [String: BPFAtomicOp] = ["+=": .add, "|=": .or, "&=": .and, "^=": .xor]

    mutating func statement() throws(Failure) -> (instructions: [BPFInstruction], target: Assembler.Target?) {
        switch try next() {
        case .word("exit"):
            try finished()
            return ([.exit], nil)
        case .word("call"):
            guard case .number(let k) = try next(), let n = Int32(exactly: k) else {
                throw Failure(message: "only helper calls by number ('call N') are supported in inline assembly")
            }
            try finished()
            return ([.call(imm: n)], nil)
        case .word("goto"):
            let t = try target()
            try finished()
            return ([.ja(off: 0)], t)
        case .word("may_goto"):
            let t = try target()
            try finished()
            return ([.mayGoto(off: 0)], t)
        case .word("gotol"):
            let t = try target()
            try finished()
            return ([.gotol(imm: 0)], t)
        case .word("if"):
            let l = try register()
            guard case .punct(let p) = try next(), let op = Self.jumpOps[p] else { throw Failure(message: "expected a comparison") }
            var i: BPFInstruction
            if let r = Self.register(peek()) {
                index += 1
                guard r.sub == l.sub else { throw Failure(message: "compared registers must have the same width") }
                i = .jump(op, l.sub, dst: l.number, src: r.number, off: 0)
            } else {
                i = .jump(op, l.sub, dst: l.number, imm: try immediate(fitting32: l.sub), off: 0)
            }
            try expectWord("goto")
            let t = try target()
            try finished()
            return ([i], t)
        case .word("lock"):
            try expect("*")
            let m = try memory()
            guard case .punct(let p) = try next(), let op = Self.atomicOps[p] else { throw Failure(message: "expected +=, |=, &= or ^=") }
            let v = try register()
            try finished()
            return ([try atomic(m.size, base: m.base, offset: m.offset, value: v, op: op.rawValue)], nil)
        case .punct("*"):
            let m = try memory()
            guard !m.signed else { throw Failure(message: "stores take an unsigned type") }
            try expect("=")
            if let r = Self.register(peek()) {
                index += 1
                try finished()
                return ([.stx(m.size, dst: m.base, src: r.number, off: m.offset)], nil)
            }
            let k = try immediate(fitting32: m.size != .dw)
            try finished()
            return ([.st(m.size, dst: m.base, off: m.offset, imm: k)], nil)
        case let t:
            guard let d = Self.register(t) else { throw Failure(message: "unknown instruction") }
            return (try assignment(to: d), nil)
        }
    }

    /// Statements that start with a destination register.
    private mutating func assignment(to d: Register) throws(Failure) -> [BPFInstruction] {
        guard case .punct(let p) = try next() else { throw Failure(message: "expected an assignment") }
        if let (op, signed) = Self.aluOps[p] {
            var i: BPFInstruction
            if let s = Self.register(peek()) {
                index += 1
                guard s.sub == d.sub else { throw Failure(message: "operands must have the same width") }
                i = .alu(op, !d.sub, dst: d.number, src: s.number)
            } else {
                i = .alu(op, !d.sub, dst: d.number, imm: try immediate(fitting32: d.sub))
            }
            if signed { i.offset = 1 }
            try finished()
            return [i]
        }
        guard p == "=" else { throw Failure(message: "unknown operator '\(p)'") }
        let result: [BPFInstruction]
        if take("*") {
            let m = try memory()
            result = [.ldx(m.size, dst: d.number, src: m.base, off: m.offset, signExtend: m.signed)]
        } else if case .punct("-") = peek(), let s = Self.register(peek(1)) {
            index += 2
            guard s == d else { throw Failure(message: "negation works in place ('\(d.sub ? "w" : "r")\(d.number) = -\(d.sub ? "w" : "r")\(d.number)')") }
            result = [BPFInstruction(opcode: (d.sub ? BPFClass.alu : .alu64).rawValue | BPFALUOp.neg.rawValue, dst: d.number)]
        } else if nextIsConstant {
            let v = try constant()
            if case .word("ll") = peek() {
                index += 1
                guard !d.sub else { throw Failure(message: "a 64-bit constant needs a 64-bit register") }
                result = BPFInstruction.ldImm64(dst: d.number, value: v)
            } else if let k = Int32(exactly: v) {
                result = [.alu(.mov, !d.sub, dst: d.number, imm: k)]
            } else if d.sub, let k = UInt32(exactly: v) {
                result = [.alu(.mov, false, dst: d.number, imm: Int32(bitPattern: k))]
            } else {
                throw Failure(message: "immediate \(v) does not fit in 32 bits (a 64-bit constant is written '\(v) ll')")
            }
        } else if take("(") {
            guard case .word(let w) = try next(), w.first == "s", let bits = Int(w.dropFirst()), [8, 16, 32].contains(bits) else {
                throw Failure(message: "expected (s8), (s16) or (s32)")
            }
            try expect(")")
            let s = try register()
            guard s.sub == d.sub else { throw Failure(message: "operands must have the same width") }
            result = [.movsx(!d.sub, dst: d.number, src: s.number, bits: bits)]
        } else if let s = Self.register(peek()) {
            index += 1
            guard s.sub == d.sub else { throw Failure(message: "operands must have the same width") }
            result = [.alu(.mov, !d.sub, dst: d.number, src: s.number)]
        } else if case .word(let w) = try next() {
            result = [try named(w, d)]
        } else {
            throw Failure(message: "unknown instruction")
        }
        try finished()
        return result
    }

    /// `rD = be16 rD`, `rD = bswap32 rD`, atomic fetch, exchange and compare-exchange.
    private mutating func named(_ w: String, _ d: Register) throws(Failure) -> BPFInstruction {
        for (prefix, kind) in [("be", BPFEndian.toBE), ("le", .toLE), ("bswap", .bswap)] where w.hasPrefix(prefix) {
            guard let bits = Int(w.dropFirst(prefix.count)), [16, 32, 64].contains(bits) else { continue }
            let s = try register()
            guard s == d, !d.sub else { throw Failure(message: "'\(w)' works in place on a 64-bit register") }
            return .endian(kind, dst: d.number, bits: bits)
        }
        if w.hasPrefix("atomic_fetch_"), let op = [ "add": BPFAtomicOp.add, "or": .or, "and": .and, "xor": .xor][String(w.dropFirst(13))] {
            try expect("(")
            let t = try pointerType()
            try expect("(")
            let a = try address()
            try expect(")")
            try expect(",")
            let v = try register()
            try expect(")")
            guard v == d else { throw Failure(message: "an atomic fetch returns the old value in its value register") }
            return try atomic(t.size, base: a.base, offset: a.offset, value: v, op: op.rawValue | BPFAtomicOp.fetch)
        }
        let sizes: [String: BPFSize] = ["xchg_64": .dw, "xchg32_32": .w, "cmpxchg_64": .dw, "cmpxchg32_32": .w]
        guard let size = sizes[w] else { throw Failure(message: "unknown instruction '\(w)'") }
        try expect("(")
        let a = try address()
        try expect(",")
        if w.hasPrefix("cmpxchg") {
            let e = try register()
            guard e.number == 0, d.number == 0 else { throw Failure(message: "compare-exchange uses r0 for the expected and old value") }
            try expect(",")
            let n = try register()
            try expect(")")
            return try atomic(size, base: a.base, offset: a.offset, value: n, op: BPFAtomicOp.cmpxchg.rawValue | BPFAtomicOp.fetch)
        }
        let v = try register()
        try expect(")")
        guard v == d else { throw Failure(message: "an exchange returns the old value in its value register") }
        return try atomic(size, base: a.base, offset: a.offset, value: v, op: BPFAtomicOp.xchg.rawValue | BPFAtomicOp.fetch)
    }

    private func atomic(_ size: BPFSize, base: UInt8, offset: Int16, value: Register, op: Int32) throws(Failure) -> BPFInstruction {
        guard size == .dw || size == .w else { throw Failure(message: "atomic operations are 32 or 64 bits wide") }
        return .atomic(size, dst: base, src: value.number, off: offset, op: op)
    }
}
