import Testing
@testable import BPFIR

/// The array helpers the passes use in place of `Array(repeating:count:)` and of a `Set`
/// made to visit each of a few registers once.
@Suite struct ArrayHelpersTests {
    @Test func filledIsRepeating() {
        for n in [0, 1, 7, 64, 1000] {
            #expect(Array(filled: UInt64(0x5a), count: n) == Array(repeating: UInt64(0x5a), count: n))
            #expect([RegSet](filled: RegSet(capacity: 70), count: n) == [RegSet](repeating: RegSet(capacity: 70), count: n))
            #expect([VReg?](filled: nil, count: n).count == n)
        }
    }

    @Test func distinctKeepsFirstAppearances() {
        #expect([3, 1, 3, 2, 1, 3].distinct == [3, 1, 2])
        #expect([Int]().distinct == [])
        let regs = [VReg(4), VReg(2), VReg(4)]
        #expect(regs.distinct == [VReg(4), VReg(2)])
        // The same elements as a set of them, whatever the input.
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<100 {
            let a = (0..<Int.random(in: 0..<12, using: &rng)).map { _ in Int.random(in: 0..<6, using: &rng) }
            #expect(Set(a.distinct) == Set(a) && a.distinct.count == Set(a).count)
        }
    }
}
