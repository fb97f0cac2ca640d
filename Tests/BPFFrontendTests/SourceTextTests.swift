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
        let index = try #require(clang_createIndex(0, 0))
        defer { clang_disposeIndex(index) }
        var tuOut: CXTranslationUnit? = nil
        let err = clang_parseTranslationUnit2(index, path, nil, 0, nil, 0, 0, &tuOut)
        let tu = try #require(err == CXError_Success ? tuOut : nil)
        defer { clang_disposeTranslationUnit(tu) }
        let file = try #require(clang_getFile(tu, path))
        var size = 0
        let bytes = try #require(clang_getFileContents(tu, file, &size))
        let text = SourceText(bytes: UnsafeRawBufferPointer(start: bytes, count: size))
        var tokens: UnsafeMutablePointer<CXToken>? = nil
        var count: UInt32 = 0
        let whole = clang_getRange(clang_getLocationForOffset(tu, file, 0), clang_getLocationForOffset(tu, file, UInt32(size)))
        clang_tokenize(tu, whole, &tokens, &count)
        defer { clang_disposeTokens(tu, tokens, count) }
        #expect(count > 60)
        var words = 0
        for t in UnsafeBufferPointer(start: tokens, count: Int(count)) {
            var offset: UInt32 = 0
            clang_getSpellingLocation(clang_getTokenLocation(tu, t), nil, nil, nil, &offset)
            let spelling = string(clang_getTokenSpelling(tu, t))
            let kind = clang_getTokenKind(t)
            let isWord = kind == CXToken_Identifier || kind == CXToken_Keyword
            if isWord { words += 1 }
            // A literal with an encoding prefix (`L'y'`, `u8"r"`) starts with a word's letters:
            // its first word is the prefix, which names no builtin either.
            let expected = isWord ? spelling : kind == CXToken_Literal && spelling.first!.isLetter ? String(spelling.prefix { $0.isLetter || $0.isNumber }) : ""
            #expect(text.word(at: Int(offset)) == expected, "token '\(spelling)' at \(offset)")
        }
        #expect(words > 25)
        // Past the end: no answer; at the end: no word.
        #expect(text.word(at: size + 1) == nil)
        #expect(text.word(at: size) == "")
    }

    @Test func wordsThatOnlyALexerReadsAreDeclined() {
        for (source, offset) in [("ab\\\ncd", 0), ("caf\u{e9} = 1", 0), ("x\\u00e9", 0)] {
            let bytes = Array(source.utf8)
            bytes.withUnsafeBytes { raw in
                #expect(SourceText(bytes: raw).word(at: offset) == nil, "\(source)")
            }
        }
    }
}
