import Testing

/// A volatile local used to lend its stack slot to the locals of later scopes, and the
/// slot, volatile, made every one of them be read and written as written (random seed
/// 34262: an inlined function's byte array kept in memory through an unrolled loop, over
/// the verifier's limit where clang's build needed 4,072 instructions).
extension DriverEndToEndTests {
    @Test func aVolatileLocalKeepsItsSlotToItself() throws {
        let ir = try optimizedIR(of: """
        SEC("xdp") int m(unsigned int *ctx)
        {
            int r;
            { volatile long v = 5; }
            { signed char a[2] = {1, 2}; __builtin_memset(&a, 127, sizeof(a)); r = a[1]; }
            return r + ctx[0];
        }
        """)
        // The volatile store stays; the array's byte reads 127 from the memset.
        #expect(ir.contains("volatile"), "\(ir)")
        #expect(ir.contains("store.w64 [$"), "\(ir)")
        #expect(!ir.contains("load.w8"), "\(ir)")
        #expect(ir.contains("127"), "\(ir)")
    }
}
