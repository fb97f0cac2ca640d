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

    /// An inlined function's volatile local, in every copy: the copies' scopes are closed
    /// one after another, so one slot serves them all (random seed 36591: 57 copies, a
    /// frame of 656 bytes refused; clang's stack colouring shares them too). Each of the
    /// eight copies' store and load stays.
    @Test func volatileLocalsOfClosedScopesShareOneSlot() throws {
        let ir = try optimizedIR(of: """
        static __attribute__((always_inline)) int twice(int x) { volatile long v = x; return v * 2; }
        SEC("xdp") int m(unsigned int *ctx)
        {
            int r = twice(ctx[0]);
            r += twice(ctx[1]); r += twice(ctx[2]) * 3; r ^= twice(ctx[3]);
            r += twice(r); r -= twice(ctx[1] + 5); r |= twice(ctx[2] - r); r += twice(7);
            return r;
        }
        """)
        #expect(ir.components(separatedBy: "= slot 8 align 8 volatile").count - 1 == 1, "\(ir)")
        #expect(ir.components(separatedBy: "store.w64 [$").count - 1 == 8, "\(ir)")
        #expect(ir.components(separatedBy: "load.w64 [$").count - 1 == 8, "\(ir)")
    }
}

/// A local whose address only an atomic operation uses, in a scope that closes before a
/// map key's: the two used to share a slot, which the key's call made one a helper may
/// read, so the passes kept every access to the local (random seed 35016: 758,785
/// verified instructions, 231,212 now; clang's build 21,952). Each has a slot of its own.
extension DriverEndToEndTests {
    @Test func aLocalWhoseAddressCallsAreGivenSharesOnlyWithSuch() throws {
        let ir = try optimizedIR(of: """
        static long (*probe)(void *dst, int size, const void *src) = (void *)113;
        SEC("xdp") int m(unsigned int *ctx)
        {
            int r = ctx[0];
            { long a = r; __sync_fetch_and_add(&a, 1); r += 1; }
            { long key = 3; probe(&key, 8, ctx); r += key; }
            return r;
        }
        """)
        #expect(ir.contains("; a\n") && ir.contains("; key\n"), "\(ir)")
        #expect(ir.contains("call helper 113"), "\(ir)")
    }
}
