import Testing
import Foundation
@testable import BPFFrontend

@Suite struct FrontendTests {
    func parse(_ source: String, _ args: [String] = []) throws -> TranslationUnit {
        let dir = NSTemporaryDirectory() + "fe-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/t.c"
        try source.write(toFile: path, atomically: true, encoding: .utf8)
        return try Frontend.parse(file: path, arguments: args)
    }

    /// A file's text is its bytes exactly, or nil: bytes that are not UTF-8 (a Latin-1
    /// comment, a lone surrogate's encoding) are not replaced (the text is given to
    /// libclang in place of the file when the parse cache is used).
    @Test func textFilesAreReadExactlyOrNotAtAll() throws {
        let dir = NSTemporaryDirectory() + "fe-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let cases: [(bytes: [UInt8], valid: Bool)] = [
            (Array("int x; // é ✓\n".utf8), true),
            ([0x69, 0x6e, 0x74, 0x20, 0x2f, 0x2f, 0x20, 0xe9, 0x0a], false),     // Latin-1 é
            ([0x2f, 0x2f, 0xed, 0xa0, 0x80, 0x0a], false),                       // a surrogate
            ([0x2f, 0x2f, 0xe2, 0x9c, 0x0a], false),                             // cut short
            ([0x61, 0x00, 0x62, 0x0a], true),                                    // a NUL byte
        ]
        for (i, c) in cases.enumerated() {
            let path = dir + "/f\(i).c"
            #expect(FileManager.default.createFile(atPath: path, contents: Data(c.bytes)))
            let text = System.readTextFile(path)
            #expect((text != nil) == c.valid, "case \(i)")
            if let text { #expect(Array(text.utf8) == c.bytes, "case \(i)") }
        }
        #expect(System.readTextFile(dir + "/missing.c") == nil)
    }

    @Test func attributesFromPrettyPrinting() throws {
        let tu = try parse("""
        #define SEC(n) __attribute__((section(n), used))
        SEC("xdp") int prog(void *ctx) { return 2; }
        static __attribute__((noinline)) int helper(int x) { return x; }
        """)
        let prog = try #require(tu.functions.first { $0.name == "prog" })
        #expect(prog.attributes.section == "xdp")
        #expect(prog.attributes.used)
        #expect(tu.functions.first { $0.name == "helper" }?.attributes.noinline == true)
    }

    @Test func implicitCastsAndConstants() throws {
        let tu = try parse("""
        enum e { A = 3, B };
        unsigned long f(unsigned char c) { return c; }
        int g(void) { return sizeof(int) + B; }
        """)
        let f = try #require(tu.functions.first)
        guard case .compound(let stmts)? = f.body?.kind, case .returnStmt(let e?)? = stmts.first?.kind else {
            Issue.record("unexpected body"); return
        }
        // The return value is converted to unsigned long explicitly.
        guard case .cast(_, implicit: true) = e.kind else { Issue.record("expected an implicit cast, got \(e.kind)"); return }
        #expect(e.type.canonical == .int(bytes: 8, signed: false, name: "unsigned long"))
        // sizeof and enum constants arrive folded.
        let g = try #require(tu.functions.first { $0.name == "g" })
        guard case .compound(let gs)? = g.body?.kind, case .returnStmt(let r?)? = gs.first?.kind else { Issue.record("body"); return }
        guard case .cast(let inner, implicit: true) = r.kind else { Issue.record("expected the conversion to int"); return }
        #expect(inner.kind == .intLiteral(8))
    }

    @Test func recordsBitfieldsAnonymousMembers() throws {
        let tu = try parse("""
        struct s { int a; struct { short b; char c; }; unsigned x : 3, y : 5; long tail[]; };
        int f(struct s *p) { return p->c + p->y; }
        """)
        let s = try #require(tu.records.first { $0.name == "s" })
        #expect(s.fields.count == 5)
        #expect(s.fields[1].name == nil)
        #expect(s.fields[2].bitWidth == 3 && s.fields[3].bitWidth == 5 && s.fields[3].bitOffset == s.fields[2].bitOffset + 3)
        if case .array(_, let n) = s.fields[4].type.canonical { #expect(n == nil) } else { Issue.record("flexible array expected") }
    }

    @Test func designatedInitializers() throws {
        let tu = try parse("""
        struct p { int x, y; int arr[3]; };
        struct p g = { .y = 2, .arr = { [2] = 7 }, .x = 1 };
        """)
        let g = try #require(tu.globals.first { $0.name == "g" })
        guard case .list(_, let items)? = g.initializer else { Issue.record("list expected"); return }
        #expect(Set(items.map(\.0)) == [0, 1, 2])
    }

    @Test func forLoopWithMissingParts() throws {
        let tu = try parse("int f(int n) { int s = 0; for (;n;) { s++; n--; } for (int i = 0; ; i++) { if (i > 3) break; } return s; }")
        let f = try #require(tu.functions.first)
        guard case .compound(let stmts)? = f.body?.kind, case .forStmt(let i, let c, let inc, _) = stmts[1].kind else {
            Issue.record("for expected"); return
        }
        #expect(i == nil && c != nil && inc == nil)
        guard case .forStmt(let i2, let c2, let inc2, _) = stmts[2].kind else { Issue.record("for expected"); return }
        #expect(i2 != nil && c2 == nil && inc2 != nil)
    }

    @Test func syntaxErrorHasLocation() {
        do {
            _ = try parse("int f(void) {\n  return 1\n}\n")
            Issue.record("expected a diagnostic")
        } catch let l as DiagnosticList {
            let e = l.diagnostics.first { $0.severity == .error }
            #expect(e?.location.line == 2)
            #expect(e?.message.contains("expected ';'") == true)
        } catch { Issue.record("unexpected \(error)") }
    }

    @Test func libbpfHeadersParse() throws {
        let tu = try parse("""
        #include <linux/bpf.h>
        #include <bpf/bpf_helpers.h>
        struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 8); __type(key, int); __type(value, long); } m SEC(".maps");
        SEC("xdp") int prog(struct xdp_md *ctx) { int k = 0; long *v = bpf_map_lookup_elem(&m, &k); return v ? XDP_PASS : XDP_DROP; }
        char LICENSE[] SEC("license") = "GPL";
        """, ["-I/usr/include/x86_64-linux-gnu"])
        #expect(tu.globals.first { $0.name == "m" }?.attributes.section == ".maps")
        #expect(tu.globals.first { $0.name == "LICENSE" }.map { $0.type.canonical } == .array(.int(bytes: 1, signed: true, name: "char"), count: 4))
        #expect(tu.globals.contains { $0.name == "bpf_map_lookup_elem" })
    }
}
