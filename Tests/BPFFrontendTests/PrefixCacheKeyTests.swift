import Testing
@testable import BPFFrontend

/// Cache keys are file names made of a content hash: the hexadecimal writer must give
/// the digits `String(_:radix:)` gives, or every entry made before would be missed.
@Suite struct PrefixCacheKeyTests {
    @Test func hexWritesTheDigitsOfStringRadix16() {
        let values: [UInt64] = [0, 1, 9, 10, 15, 16, 255, 256, 0xdead_beef, 0x0123_4567_89ab_cdef, 1 << 63, .max]
        for v in values { #expect(PrefixCache.hex(v) == String(v, radix: 16), "\(v)") }
    }

    @Test func equalBytesHashEquallyAndAnyChangedByteChangesTheHash() {
        let text = Array("#include <linux/bpf.h>\n#include <bpf/bpf_helpers.h>\n".utf8)
        let h = PrefixCache.hash(text)
        #expect(PrefixCache.hash(text) == h)
        for i in text.indices {
            var changed = text
            changed[i] ^= 1
            #expect(PrefixCache.hash(changed) != h, "byte \(i)")
        }
        #expect(PrefixCache.hash(text + [0]) != h)
    }
}
