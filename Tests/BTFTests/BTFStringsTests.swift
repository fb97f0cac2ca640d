import Testing
@testable import BTF

@Suite struct BTFStringsTests {
    /// The string starting at `offset` of the section.
    func string(_ s: BTFStrings, at offset: UInt32) -> String {
        String(decoding: s.bytes[Int(offset)...].prefix { $0 != 0 }, as: UTF8.self)
    }

    @Test func stringsAreStoredOnceAndFoundAgainAfterTheTableGrows() {
        var s = BTFStrings()
        #expect(s.add("") == 0)
        var offsets: [String: UInt32] = [:]
        let names = (0..<2000).map { "name_\($0 * 7919 % 2000)" } + ["a", "ab", "b", "task_struct", "pid"]
        for n in names { offsets[n] = s.add(n) }
        for n in names {
            #expect(s.add(n) == offsets[n], "\(n) was added twice")
            #expect(string(s, at: offsets[n]!) == n)
        }
        // Every string once, NUL-terminated, after the leading empty one.
        #expect(s.bytes.count == 1 + Set(names).reduce(0) { $0 + $1.utf8.count + 1 })
        #expect(s.bytes.first == 0 && s.bytes.last == 0)
    }

    @Test func aPrefixOfAStoredStringIsAStringOfItsOwn() {
        var s = BTFStrings()
        let long = s.add("abc")
        let short = s.add("ab")
        #expect(long != short)
        #expect(string(s, at: short) == "ab" && string(s, at: long) == "abc")
    }

    @Test func anEmbeddedNulEndsTheString() {
        var s = BTFStrings()
        let cut = s.add("x\u{0}y")
        #expect(string(s, at: cut) == "x")
        #expect(s.add("x") == cut)
        #expect(s.add("\u{0}z") == 0)
    }
}
