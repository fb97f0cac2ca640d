import Testing
import Foundation
import CClang
import TestSupport
@testable import BPFFrontend

/// The converter reads the word a main-file expression starts with itself
/// (`SourceText.word(at:)`) where libclang would tokenize the expression: at every token
/// libclang finds, the word must be the token's spelling if it is an identifier or keyword,
/// and empty otherwise; where only a lexer can tell, it must decline.
@Suite struct SourceTextTests {
    @Test func wordsAreLibclangsTokens() throws {
        let source = "int a_1, $b;\r\nunsigned long c = sizeof(a_1) + 0x1f + 'x' + L'y';\n"
            + "#define OFF(t, m) __builtin_offsetof(t, m)\nstruct s { int m[2]; };\n"
            + "int d = OFF(struct s, m[1]) * -(int)2.5e1;\rchar *e = \"q\" u8\"r\";"
        let path = Tool.tempFile(Array(source.utf8), suffix: ".c")
        let (bytes, tokens) = try libclangTokens(of: path, in: path)
        #expect(tokens.count > 60)
        bytes.withUnsafeBytes { raw in
            let text = SourceText(bytes: raw)
            var words = 0
            for t in tokens {
                let isWord = t.kind == CXToken_Identifier || t.kind == CXToken_Keyword
                if isWord { words += 1 }
                // A literal with an encoding prefix (`L'y'`, `u8"r"`) starts with a word's
                // letters: its first word is the prefix, which names no builtin either.
                let expected = isWord ? t.spelling : t.kind == CXToken_Literal && t.spelling.first!.isLetter ? String(t.spelling.prefix { $0.isLetter || $0.isNumber }) : ""
                #expect(text.word(at: t.offset) == expected, "token '\(t.spelling)' at \(t.offset)")
            }
            #expect(words > 25)
            // Past the end: no answer; at the end: no word.
            #expect(text.word(at: raw.count + 1) == nil)
            #expect(text.word(at: raw.count) == "")
        }
    }

    @Test func wordsThatOnlyALexerReadsAreDeclined() {
        for (source, offset) in [("ab\\\ncd", 0), ("caf\u{e9} = 1", 0), ("x\\u00e9", 0)] {
            let bytes = Array(source.utf8)
            bytes.withUnsafeBytes { raw in
                #expect(SourceText(bytes: raw).word(at: offset) == nil, "\(source)")
            }
        }
    }

    /// Builtins written as calls inside a header's macros and inline functions: the word
    /// naming each is read from the header's text where its tokens are spelled (a macro's
    /// body for what a macro produces), as libclang would tokenize it.
    @Test func builtinsSpelledInAHeaderAreNamed() throws {
        let dir = NSTemporaryDirectory() + "words-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try """
        #define LOAD(p) __atomic_load_n(p, __ATOMIC_RELAXED)
        #define OFF(t, m) __builtin_offsetof(t, m)
        #define PICK(c, a, b) __builtin_choose_expr(c, a, b)
        static inline long bump(long *p) { return __atomic_fetch_add(p, 3, __ATOMIC_SEQ_CST); }
        """.write(toFile: dir + "/h.h", atomically: true, encoding: .utf8)
        try """
        #include "h.h"
        struct s { int a; int m[2]; };
        long f(long *p) { return LOAD(p); }
        long g(void) { return OFF(struct s, m[1]); }
        long h(void) { return PICK(1, 7, 9); }
        long k(long *p) { return bump(p); }
        """.write(toFile: dir + "/t.c", atomically: true, encoding: .utf8)
        let tu = try Frontend.parse(file: dir + "/t.c", arguments: [])
        func dump(_ fn: String) -> String { returnedExpr(tu, fn).map { ASTDump.expr($0, tu) } ?? "" }
        #expect(dump("f").contains("__atomic_load_n"), "\(dump("f"))")
        #expect(dump("g") == "8:long", "\(dump("g"))")
        #expect(dump("h") == "(icast 7:int):long", "\(dump("h"))")
        #expect(dump("bump").contains("__atomic_fetch_add"), "\(dump("bump"))")
    }

    /// Designators read from the text where an initializer element is spelled: each
    /// `[...]` group up to the `=`, and whether it is a GNU range; comments, literals and
    /// line splices skipped as a lexer skips them; anything else declined.
    @Test func designatorsAreReadFromTheText() {
        let cases: [(String, [Bool]?)] = [
            ("[0 ... 2] = 7, [5] = 9", [true]),
            (".a[1][2 ...3].b = 1", [false, true]),
            ("[N /* ] ... */ + 1] = 2", [false]),
            ("[']' ... 'z'] = 3", [true]),
            ("[x[0 ... 1]] = 4", [false]),
            (".m \\\n = 5", []),
            ("[4] 6", nil),
            ("x + 1", nil),
        ]
        for (source, expected) in cases {
            let bytes = Array(source.utf8)
            bytes.withUnsafeBytes { raw in
                #expect(SourceText(bytes: raw).designatorRanges(at: 0) == expected, "\(source)")
            }
        }
        for (source, starts) in [("[1] = 2", true), (".a = 1", true), (".5", false), ("...", false), ("a", false)] {
            Array(source.utf8).withUnsafeBytes { raw in
                #expect(SourceText(bytes: raw).startsDesignator(at: 0) == starts, "\(source)")
            }
        }
    }
}
