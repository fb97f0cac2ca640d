@testable import BPFCodegen

/// A small eBPF interpreter for the tests: ALU/ALU64 (incl. sdiv/smod, movsx,
/// byte swaps), JMP/JMP32 (incl. gotol), LDX/LDXSX/ST/STX/atomics on a 512-byte
/// stack, ld_imm64. Registers are tracked as initialised or not, like the
/// verifier does: reading r1-r5 after a call is an error. Helpers: 99 returns
/// r1 * 10 + r2; 100 returns r1 + 2*r2 + 3*r3 + 4*r4 + 5*r5; others return 0.
enum Interpreter {
    struct Failure: Error, CustomStringConvertible { var message: String; var description: String { message } }

    static func run(_ code: [BPFInstruction], r1: Int64 = 0, r2: Int64 = 0) throws -> Int64 {
        try run(code, args: [r1, r2])
    }

    static func run(_ code: [BPFInstruction], args: [Int64]) throws -> Int64 {
        var r = [UInt64](repeating: 0, count: 11)
        var initialised = [Bool](repeating: false, count: 11)
        for (k, a) in args.prefix(5).enumerated() { r[k + 1] = UInt64(bitPattern: a); initialised[k + 1] = true }
        var stack = [UInt8](repeating: 0, count: 512)
        let fp: UInt64 = 0x1000_0000
        r[10] = fp; initialised[10] = true
        var pc = 0
        var steps = 0
        func get(_ n: UInt8) throws -> UInt64 {
            guard n <= 10, initialised[Int(n)] else { throw Failure(message: "read of uninitialised r\(n) at \(pc): \(code[pc])") }
            return r[Int(n)]
        }
        func set(_ n: UInt8, _ v: UInt64) throws {
            guard n < 10 else { throw Failure(message: "write to r\(n) at \(pc)") }
            r[Int(n)] = v; initialised[Int(n)] = true
        }
        func addr(_ a: UInt64, _ n: Int) throws -> Int {
            let o = Int(Int64(bitPattern: a &- fp)) + 512
            guard o >= 0, o + n <= 512 else { throw Failure(message: "bad memory access at \(pc): \(code[pc])") }
            guard o % n == 0 else { throw Failure(message: "misaligned access at \(pc): \(code[pc])") }
            return o
        }
        func load(_ o: Int, _ n: Int) -> UInt64 {
            var v: UInt64 = 0
            for k in 0..<n { v |= UInt64(stack[o + k]) << UInt64(8 * k) }
            return v
        }
        func store(_ o: Int, _ n: Int, _ v: UInt64) {
            for k in 0..<n { stack[o + k] = UInt8(truncatingIfNeeded: v >> UInt64(8 * k)) }
        }
        func sizeOf(_ op: UInt8) -> Int { [0x00: 4, 0x08: 2, 0x10: 1, 0x18: 8][Int(op & 0x18)] ?? 8 }
        func sext(_ v: UInt64, _ bits: Int) -> UInt64 {
            let s = UInt64(64 - bits)
            return UInt64(bitPattern: Int64(bitPattern: v << s) >> Int64(s))
        }
        func swapBytes(_ v: UInt64, _ bits: Int) -> UInt64 {
            switch bits {
            case 16: return UInt64(UInt16(truncatingIfNeeded: v).byteSwapped)
            case 32: return UInt64(UInt32(truncatingIfNeeded: v).byteSwapped)
            default: return v.byteSwapped
            }
        }
        while pc < code.count {
            steps += 1
            if steps > 1_000_000 { throw Failure(message: "too many steps") }
            let i = code[pc]
            let cls = i.opcode & 7
            let imm64 = UInt64(bitPattern: Int64(i.imm))
            switch cls {
            case 0x07, 0x04:
                let w64 = cls == 0x07
                let op = i.opcode & 0xf0
                let isReg = (i.opcode & 0x08) != 0
                if op == 0xd0 {
                    let v = try get(i.dst)
                    let bits = Int(i.imm)
                    // Little-endian host: to_le truncates, to_be and bswap swap.
                    let res = (w64 || isReg) ? swapBytes(v, bits) : (bits == 64 ? v : v & ((1 << UInt64(bits)) - 1))
                    try set(i.dst, res); pc += 1; continue
                }
                let src = isReg ? try get(i.src) : imm64
                var d: UInt64 = (op == 0xb0) ? 0 : try get(i.dst)
                let s = w64 ? src : src & 0xffff_ffff
                if !w64 { d &= 0xffff_ffff }
                let signed = i.offset == 1
                switch op {
                case 0x00: d = d &+ s
                case 0x10: d = d &- s
                case 0x20: d = d &* s
                case 0x30:
                    if s == 0 { d = 0 }
                    else if signed && w64 { d = UInt64(bitPattern: Int64(bitPattern: d).dividedReportingOverflow(by: Int64(bitPattern: s)).partialValue) }
                    else if signed { d = UInt64(UInt32(bitPattern: Int32(truncatingIfNeeded: d).dividedReportingOverflow(by: Int32(truncatingIfNeeded: s)).partialValue)) }
                    else { d = d / s }
                case 0x90:
                    if s == 0 { break }
                    if signed && w64 { d = UInt64(bitPattern: Int64(bitPattern: d).remainderReportingOverflow(dividingBy: Int64(bitPattern: s)).partialValue) }
                    else if signed { d = UInt64(UInt32(bitPattern: Int32(truncatingIfNeeded: d).remainderReportingOverflow(dividingBy: Int32(truncatingIfNeeded: s)).partialValue)) }
                    else { d = d % s }
                case 0x40: d |= s
                case 0x50: d &= s
                case 0x60: d = d << (s & (w64 ? 63 : 31))
                case 0x70: d = d >> (s & (w64 ? 63 : 31))
                case 0x80: d = 0 &- d
                case 0xa0: d ^= s
                case 0xb0:
                    if isReg && i.offset != 0 { d = sext(src, Int(i.offset)) } else { d = s }
                case 0xc0:
                    if w64 { d = UInt64(bitPattern: Int64(bitPattern: d) >> Int64(s & 63)) }
                    else { d = UInt64(UInt32(bitPattern: Int32(bitPattern: UInt32(d)) >> Int32(s & 31))) }
                default: throw Failure(message: "unsupported alu op \(op)")
                }
                try set(i.dst, w64 ? d : d & 0xffff_ffff)
                pc += 1
            case 0x05, 0x06:
                let op = i.opcode & 0xf0
                if op == 0x90 { return Int64(bitPattern: try get(0)) }
                if op == 0x80 {
                    guard i.src == 0 else { throw Failure(message: "pseudo calls are not interpreted") }
                    var a = [UInt64](repeating: 0, count: 6)
                    let argc = i.imm == 99 ? 2 : (i.imm == 100 ? 5 : 0)
                    for k in 0..<argc { a[k + 1] = initialised[k + 1] ? r[k + 1] : 0 }
                    switch i.imm {
                    case 99: try set(0, a[1] &* 10 &+ a[2])
                    case 100: try set(0, a[1] &+ 2 &* a[2] &+ 3 &* a[3] &+ 4 &* a[4] &+ 5 &* a[5])
                    default: try set(0, 0)
                    }
                    for k in 1...5 { r[k] = 0xdead_beef; initialised[k] = false }
                    pc += 1; continue
                }
                if op == 0x00 { pc += 1 + (cls == 0x06 ? Int(i.imm) : Int(i.offset)); continue }
                var a = try get(i.dst), b = (i.opcode & 0x08) != 0 ? try get(i.src) : imm64
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
                let n = sizeOf(i.opcode)
                let o = try addr(try get(i.src) &+ UInt64(bitPattern: Int64(i.offset)), n)
                var v = load(o, n)
                if (i.opcode & 0xe0) == 0x80 { v = sext(v, n * 8) }
                try set(i.dst, v)
                pc += 1
            case 0x02, 0x03:
                let n = sizeOf(i.opcode)
                let o = try addr(try get(i.dst) &+ UInt64(bitPattern: Int64(i.offset)), n)
                if cls == 0x03 && (i.opcode & 0xe0) == 0xc0 {
                    let old = load(o, n)
                    let v = try get(i.src)
                    let mask: UInt64 = n == 8 ? ~0 : 0xffff_ffff
                    switch i.imm & ~1 {
                    case 0x00: store(o, n, old &+ v)
                    case 0x40: store(o, n, old | v)
                    case 0x50: store(o, n, old & v)
                    case 0xa0: store(o, n, old ^ v)
                    case 0xe0: store(o, n, v)
                    case 0xf0:
                        if old == (try get(0)) & mask { store(o, n, v) }
                        try set(0, old); pc += 1; continue
                    default: throw Failure(message: "unsupported atomic \(i.imm)")
                    }
                    if (i.imm & 1) != 0 { try set(i.src, old) }
                    pc += 1; continue
                }
                let v = cls == 0x03 ? try get(i.src) : imm64
                store(o, n, v)
                pc += 1
            case 0x00:
                guard i.opcode == 0x18, pc + 1 < code.count else { throw Failure(message: "bad ld at \(pc)") }
                try set(i.dst, UInt64(UInt32(bitPattern: i.imm)) | (UInt64(UInt32(bitPattern: code[pc + 1].imm)) << 32))
                pc += 2
            default:
                throw Failure(message: "unsupported class \(cls)")
            }
        }
        throw Failure(message: "fell off the end")
    }
}
