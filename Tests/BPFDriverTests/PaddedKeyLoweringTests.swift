import Testing

/// Lowering gives an integer of 1, 2 or 4 bytes whose address calls are given 8 bytes of
/// stack of its own (`StackSlot.paddedScalar`), so codegen can store it whole with an
/// 8-byte store; a struct key of the same size, a volatile one and an integer whose
/// address no call is given keep their size.
extension DriverEndToEndTests {
    @Test func integerMapKeysUnderEightBytesArePadded() throws {
        let ir = try optimizedIR(of: """
        struct { int type; int max_entries; } m SEC(".maps");
        struct pair { unsigned short a, b; };
        static void *(*lookup)(void *map, const void *key) = (void *) 1;
        static long (*probe)(void *dst, unsigned int size, const void *src) = (void *) 113;
        SEC("xdp") int f(unsigned int *ctx)
        {
            unsigned short version = ctx[0];
            unsigned int id = ctx[1];
            struct pair p = { ctx[2], ctx[3] };
            volatile unsigned int v = ctx[4];
            unsigned char b = ctx[5], *q = &b;
            long r = (long)lookup(&m, &version) + (long)lookup(&m, &id) + (long)lookup(&m, &p) + (long)lookup(&m, (void *)&v);
            probe(q, 1, ctx);
            return r + b;
        }
        """)
        #expect(ir.contains("slot 8 align 8 padded w16 ; version"), "\(ir)")
        #expect(ir.contains("slot 8 align 8 padded w32 ; id"), "\(ir)")
        #expect(ir.contains("slot 4 align 2 ; p"), "\(ir)")
        #expect(ir.contains("volatile ; v"), "\(ir)")
        #expect(!ir.contains("padded w8"), "a local passed through a pointer variable is not a key: \(ir)")
    }
}
