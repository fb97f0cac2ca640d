/// Reads the attributes BPF code depends on from a pretty-printed declaration
/// (`__attribute__((section("xdp"))) __attribute__((used)) int prog(void *ctx)`):
/// libclang exposes most of them only as unnamed attribute cursors.
enum AttributeParser {
    static func parse(_ text: String) -> DeclAttributes {
        var a = DeclAttributes()
        let s = Array(text.utf8)
        var i = 0
        // Attributes inside parentheses (a function's parameter list) belong to the
        // parameters, not to the declaration.
        var parenDepth = 0
        func skipSpaces() { while i < s.count && (s[i] == 32 || s[i] == 9 || s[i] == 10) { i += 1 } }
        while i < s.count {
            if match(s, i, "__attribute__((") {
                i += 15
                // Attribute list up to the matching "))".
                var depth = 2
                let start = i
                while i < s.count && depth > 0 {
                    if s[i] == UInt8(ascii: "(") { depth += 1 } else if s[i] == UInt8(ascii: ")") { depth -= 1 }
                    else if s[i] == UInt8(ascii: "\"") {
                        i += 1
                        while i < s.count && s[i] != UInt8(ascii: "\"") { if s[i] == UInt8(ascii: "\\") { i += 1 }; i += 1 }
                    }
                    i += 1
                }
                let end = max(start, i - 2)
                if parenDepth == 0 { apply(s[start..<end], to: &a) }
                continue
            }
            if parenDepth == 0, let label = asmLabel(s, &i) { a.asmLabel = label; continue }
            if s[i] == UInt8(ascii: "(") { parenDepth += 1 } else if s[i] == UInt8(ascii: ")") { parenDepth -= 1 }
            if match(s, i, "inline ") || match(s, i, "__inline ") || match(s, i, "__inline__ ") { a.isInline = true }
            if match(s, i, "{") { break }   // body starts: attributes of nested declarations do not count
            i += 1
            skipSpaces()
        }
        return a
    }

    /// The string of an `asm("...")` label starting at `i` (also `__asm` and `__asm__`);
    /// moves `i` past it.
    private static func asmLabel(_ s: [UInt8], _ i: inout Int) -> String? {
        guard i == 0 || s[i - 1] == 32 || s[i - 1] == UInt8(ascii: ")") else { return nil }
        for keyword: StaticString in ["asm(\"", "__asm(\"", "__asm__(\""] where match(s, i, keyword) {
            var j = i + keyword.utf8CodeUnitCount
            let start = j
            while j < s.count && s[j] != UInt8(ascii: "\"") { j += 1 }
            guard j < s.count else { return nil }
            i = j + 1
            return String(decoding: s[start..<j], as: UTF8.self)
        }
        return nil
    }

    private static func match(_ s: [UInt8], _ i: Int, _ p: StaticString) -> Bool {
        let n = p.utf8CodeUnitCount
        guard i + n <= s.count else { return false }
        let u = p.utf8Start
        for k in 0..<n where s[i + k] != u[k] { return false }
        return true
    }

    /// One attribute list body, e.g. `section("xdp")` or `aligned(8), used` (bytes of
    /// the printed declaration).
    private static func apply(_ body: ArraySlice<UInt8>, to a: inout DeclAttributes) {
        for item in splitTopLevel(body) {
            let t = trim(item)
            let open = t.firstIndex(of: UInt8(ascii: "("))
            var name = trim(open.map { t[t.startIndex..<$0] } ?? t)
            if name.count > 4, name.starts(with: [95, 95]), name.reversed().starts(with: [95, 95]) {
                name = name.dropFirst(2).dropLast(2)      // `__section__` is `section`
            }
            // The argument: what follows the first "(", without the last byte (its ")").
            let arg = open.map { o in String(decoding: t[(o + 1)..<max(o + 1, t.endIndex - 1)], as: UTF8.self) } ?? ""
            switch String(decoding: name, as: UTF8.self) {
            case "section": a.section = unquote(arg)
            case "used": a.used = true
            case "noinline": a.noinline = true
            case "always_inline": a.alwaysInline = true
            case "weak": a.weak = true
            case "visibility": a.hidden = ["hidden", "internal"].contains(unquote(arg))
            case "aligned": a.alignment = Int(arg.trimmed) ?? 8
            case "btf_decl_tag": a.btfDeclTags.append(unquote(arg))
            case "cleanup": a.cleanup = arg.trimmed
            default: break
            }
        }
    }

    /// Without leading and trailing spaces, tabs and newlines.
    private static func trim(_ s: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        func blank(_ c: UInt8) -> Bool { c == 32 || c == 9 || c == 10 }
        var lo = s.startIndex, hi = s.endIndex
        while lo < hi && blank(s[lo]) { lo += 1 }
        while hi > lo && blank(s[hi - 1]) { hi -= 1 }
        return s[lo..<hi]
    }

    static func unquote(_ s: String) -> String {
        var t = s.trimmed
        if t.hasPrefix("\"") { t.removeFirst() }
        if t.hasSuffix("\"") { t.removeLast() }
        return t
    }

    /// The items of a comma-separated list, commas inside parentheses or strings left in.
    private static func splitTopLevel(_ s: ArraySlice<UInt8>) -> [ArraySlice<UInt8>] {
        var out: [ArraySlice<UInt8>] = [], start = s.startIndex, depth = 0, inString = false
        for i in s.indices {
            let c = s[i]
            if c == UInt8(ascii: "\"") { inString.toggle() }
            if !inString {
                if c == UInt8(ascii: "(") { depth += 1 } else if c == UInt8(ascii: ")") { depth -= 1 }
                if c == UInt8(ascii: ","), depth == 0 { out.append(s[start..<i]); start = i + 1; continue }
            }
        }
        if start < s.endIndex { out.append(s[start..<s.endIndex]) }
        return out
    }
}

extension StringProtocol {
    var trimmed: String {
        var s = Substring(self)
        while let c = s.first, c == " " || c == "\t" || c == "\n" { s = s.dropFirst() }
        while let c = s.last, c == " " || c == "\t" || c == "\n" { s = s.dropLast() }
        return String(s)
    }
}
