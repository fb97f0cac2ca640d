// Global initializers: a flexible array member's elements, union members by designator
// (array, anonymous struct), bitfields of _Bool, signed and enum type, strings shorter and
// exactly as long as their arrays, a sparse table of structs, nested designators, and the
// address of a global's nested array element (`&nz.in[1].b`) in a static initializer.
// @input 000000000000000000000000080005f00311a2b3c4d5e6f70800
// @input 0000000000000000000000000800ff000000000000ff00ff0000
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"
TS_RESULTS(10);
struct flex { __u32 n; __u16 d[]; };
struct flex fx = { 3, { 7, 8, 9 } };
union un { __u32 w; __u8 b[4]; struct { __u16 lo, hi; }; };
union un u1 = { .b = { 1, 2, 3, 4 } };
union un u2 = { .hi = 0x1234 };
struct bits { _Bool on : 1; __s32 neg : 3; enum { A = 1, B = 2, C = 3 } e : 2; __u8 rest : 2; };
struct bits bt = { 1, -2, C, 3 };
char s3[3] = "abc";
char s8[8] = "hi";
const struct { __u16 port; __u8 proto; } table[] = { { 80, 6 }, { 53, 17 }, { 443, 6 }, [5] = { 8080, 6 } };
struct nested { struct { __u32 a, b; } in[2]; __u64 z; } nz = { .in[1].b = 5, .in[0] = { 1, 2 }, .z = -1 };
static const __u32 *ptrs[] = { &u1.w, &nz.in[1].b };
SEC("xdp")
int global_inits(struct xdp_md *ctx)
{
    unsigned char *p = (void *)(long)ctx->data;
    if ((void *)(p + 26) > (void *)(long)ctx->data_end)
        return XDP_ABORTED;
    __u32 a = p[14];
    ts_put(&results, 0, fx.n + fx.d[a & 1] + sizeof(fx));
    ts_put(&results, 1, u1.w + u1.hi + u2.w + u2.lo);
    ts_put(&results, 2, bt.on + bt.neg * 10 + bt.e * 100 + bt.rest * 1000 + sizeof(bt));
    ts_put(&results, 3, s3[a & 1] + s8[a & 7] + sizeof(s3) + sizeof(s8));
    ts_put(&results, 4, table[a & 3].port + table[5].port + table[4].proto + sizeof(table));
    ts_put(&results, 5, nz.in[0].a + nz.in[0].b + nz.in[1].a + nz.in[1].b + nz.z);
    ts_put(&results, 6, *ptrs[1] + *ptrs[0]);
    bt.neg = a; bt.e = a >> 1;
    ts_put(&results, 7, bt.neg + bt.e * 3);
    union un lu = { .b = { p[14], p[15], p[16], p[17] } };
    ts_put(&results, 8, lu.w + lu.lo);
    struct bits lb = { .neg = -1, .rest = a };
    ts_put(&results, 9, lb.on + lb.neg + lb.e + lb.rest);
    return XDP_PASS;
}
char LICENSE[] SEC("license") = "GPL";
