/// Assembles eBPF assembly in LLVM's syntax — what `llvm-objdump -d` prints and clang
/// accepts in inline assembly — into instructions. Statements are separated by new
/// lines or `;`; `#` and `//` start comments; `name:` and `N:` define labels, which
/// jumps name as `name`, `Nf` (next N) or `Nb` (previous N), besides `+K`/`-K`
/// offsets. Calls take helper numbers; instructions that need a relocation (symbols)
/// are not accepted.
enum Assembler {
    struct Error: Swift.Error, Equatable {
        var message: String
        /// The statement (1-based line of the text) the error is about.
        var line: Int
        var statement: String
    }

    static func assemble(_ text: String) throws(Error) -> [BPFInstruction] {
        try assemble(text, externalLabels: []).code
    }

    /// `text` assembled, where jumps may also name `externalLabels` (places outside the
    /// text: `asm goto`'s label, which codegen makes a block): those jumps are left with
    /// offset 0 and listed with the label each names.
    static func assemble(_ text: String, externalLabels: Set<String>) throws(Error)
        -> (code: [BPFInstruction], externalJumps: [(index: Int, label: String)]) {
        var externalJumps: [(index: Int, label: String)] = []
        var code: [BPFInstruction] = []
        var labels: [String: Int] = [:]
        var localLabels: [(number: Int, index: Int)] = []
        var fixups: [(index: Int, target: Target, long: Bool, line: Int, statement: String)] = []
        for (n, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            for piece in withoutComment(rawLine).split(separator: ";") {
                let statement = String(piece.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
                guard !statement.isEmpty else { continue }
                func fail(_ m: String) -> Error { Error(message: m, line: n + 1, statement: statement) }
                var p: StatementParser
                do { p = StatementParser(tokens: try tokenize(statement)) } catch let e { throw fail(e.message) }
                do throws(StatementParser.Failure) {
                    // Leading label definitions.
                    while case .colon? = p.peek(1) {
                        switch p.peek() {
                        case .word(let w)?:
                            guard labels[w] == nil else { throw StatementParser.Failure(message: "label '\(w)' is defined twice") }
                            labels[w] = code.count
                        case .number(let k)?: localLabels.append((Int(k), code.count))
                        default: throw StatementParser.Failure(message: "invalid label")
                        }
                        p.index += 2
                    }
                    if p.atEnd { continue }
                    let parsed = try p.statement()
                    if let t = parsed.target {
                        fixups.append((code.count, t, parsed.instructions[0].opcode == BPFInstruction.gotol(imm: 0).opcode,
                                       n + 1, statement))
                    }
                    code += parsed.instructions
                } catch let e {
                    throw fail(e.message)
                }
            }
        }
        for f in fixups {
            let dest: Int
            switch f.target {
            case .relative(let k):
                let (d, overflow) = (f.index + 1).addingReportingOverflow(k)
                dest = overflow ? -1 : d      // outside, reported below
            case .label(let name):
                if labels[name] == nil && externalLabels.contains(name) {
                    externalJumps.append((f.index, name))
                    continue
                }
                guard let d = labels[name] else { throw Error(message: "undefined label '\(name)'", line: f.line, statement: f.statement) }
                dest = d
            case .local(let k, let forward):
                let found = forward ? localLabels.first(where: { $0.number == k && $0.index > f.index })
                                    : localLabels.last(where: { $0.number == k && $0.index <= f.index })
                guard let d = found else {
                    throw Error(message: "no label '\(k)' \(forward ? "after" : "before") this jump", line: f.line, statement: f.statement)
                }
                dest = d.index
            }
            guard dest >= 0 && dest <= code.count else {
                throw Error(message: "jump target is outside the inline assembly", line: f.line, statement: f.statement)
            }
            let off = dest - (f.index + 1)
            if f.long {
                code[f.index].imm = Int32(off)
            } else {
                guard let o = Int16(exactly: off) else { throw Error(message: "jump offset out of range", line: f.line, statement: f.statement) }
                code[f.index].offset = o
            }
        }
        return (code, externalJumps)
    }

    /// The line up to a `#` or `//` comment.
    private static func withoutComment(_ line: Substring) -> Substring {
        var prev: Character = " "
        for i in line.indices {
            let c = line[i]
            if c == "#" { return line[..<i] }
            if c == "/" && prev == "/" { return line[..<line.index(before: i)] }
            prev = c
        }
        return line
    }

    enum Target: Equatable { case relative(Int), label(String), local(Int, forward: Bool) }

    enum Token: Equatable {
        case word(String)
        case number(Int64)
        case punct(String)
        case localRef(Int, forward: Bool)
        case colon
    }

    private static let puncts = ["<<=", ">>=", "==", "!=", ">=", "<=", "+=", "-=", "*=", "/=", "%=", "|=", "&=", "^=",
                                 "=", "+", "-", "*", "(", ")", ",", "<", ">", "&"]

    static func tokenize(_ s: String) throws(StatementParser.Failure) -> [Token] {
        let c = Array(s.utf8)
        var out: [Token] = []
        var i = 0
        func isWordByte(_ b: UInt8) -> Bool {
            (b >= 0x61 && b <= 0x7a) || (b >= 0x41 && b <= 0x5a) || (b >= 0x30 && b <= 0x39) || b == 0x5f || b == 0x2e
        }
        func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
        while i < c.count {
            let b = c[i]
            if b == 0x20 || b == 0x09 || b == 0x0d { i += 1; continue }
            if b == UInt8(ascii: ":") { out.append(.colon); i += 1; continue }
            if isDigit(b) {
                var j = i
                var value: UInt64 = 0
                var overflow = false
                if b == 0x30, i + 1 < c.count, c[i + 1] | 0x20 == UInt8(ascii: "x") {
                    j = i + 2
                    guard j < c.count, let _ = hexValue(c[j]) else { throw .init(message: "invalid hexadecimal number") }
                    while j < c.count, let h = hexValue(c[j]) {
                        let (m, o1) = value.multipliedReportingOverflow(by: 16)
                        value = m | UInt64(h); overflow = overflow || o1; j += 1
                    }
                } else {
                    while j < c.count, isDigit(c[j]) {
                        let (m, o1) = value.multipliedReportingOverflow(by: 10)
                        let (a, o2) = m.addingReportingOverflow(UInt64(c[j] - 0x30))
                        value = a; overflow = overflow || o1 || o2; j += 1
                    }
                    if j < c.count, c[j] == UInt8(ascii: "f") || c[j] == UInt8(ascii: "b"), j + 1 == c.count || !isWordByte(c[j + 1]) {
                        out.append(.localRef(Int(value), forward: c[j] == UInt8(ascii: "f")))
                        i = j + 1
                        continue
                    }
                }
                if overflow { throw .init(message: "number does not fit in 64 bits") }
                if j < c.count, isWordByte(c[j]) { throw .init(message: "invalid number") }
                out.append(.number(Int64(bitPattern: value)))
                i = j
                continue
            }
            if isWordByte(b) {
                var j = i
                while j < c.count, isWordByte(c[j]) { j += 1 }
                let word = String(decoding: c[i..<j], as: UTF8.self)
                // Signed operators: s>, s>=, s<, s<=, s>>=, s/=, s%=.
                if word == "s", j < c.count, [UInt8(ascii: ">"), UInt8(ascii: "<"), UInt8(ascii: "/"), UInt8(ascii: "%")].contains(c[j]) {
                    var k = j
                    while k < c.count, [UInt8(ascii: ">"), UInt8(ascii: "<"), UInt8(ascii: "/"), UInt8(ascii: "%"), UInt8(ascii: "=")].contains(c[k]) { k += 1 }
                    out.append(.punct("s" + String(decoding: c[j..<k], as: UTF8.self)))
                    i = k
                    continue
                }
                out.append(.word(word))
                i = j
                continue
            }
            guard let p = puncts.first(where: { p in
                let u = Array(p.utf8)
                return i + u.count <= c.count && Array(c[i..<(i + u.count)]) == u
            }) else {
                throw .init(message: "unexpected character '\(String(decoding: [b], as: UTF8.self))'")
            }
            out.append(.punct(p))
            i += p.utf8.count
        }
        return out
    }

    private static func hexValue(_ b: UInt8) -> UInt8? {
        switch b {
        case 0x30...0x39: return b - 0x30
        case 0x61...0x66: return b - 0x61 + 10
        case 0x41...0x46: return b - 0x41 + 10
        default: return nil
        }
    }
}
