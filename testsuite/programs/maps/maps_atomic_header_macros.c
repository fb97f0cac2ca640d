// __atomic_* builtins (the value forms, compare-exchange, and the generic forms that pass
// values through pointers) and offsetof reached through a header's macros (each call
// starts in the header, where the macro's body spells it, and ends here), on a map value
// and globals.
// @cflags -mcpu=v4
// @input 0000000000000000000000000800050f
// @input 000000000000000000000000080007f0
// @input 00000000000000000000000086dd0001
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"
#include "ts_atomic_macros.h"

struct state { __u64 seen, mask, last, swapped; __u32 narrow, pad; };
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, __u32); __type(value, struct state); } st SEC(".maps");
TS_RESULTS(9);
__u64 packets;
__u32 generation;

SEC("xdp")
int atomic_macros(struct xdp_md *ctx)
{
    unsigned char *p = (void *)(long)ctx->data;
    if ((void *)(p + 16) > (void *)(long)ctx->data_end)
        return XDP_ABORTED;
    __u32 k = 0;
    struct state *s = bpf_map_lookup_elem(&st, &k);
    if (!s)
        return XDP_ABORTED;
    __u64 v = p[14] | (__u64)p[15] << 8;
    __u64 before = TS_FETCH_ADD(&s->seen, v);
    __u64 total = TS_ADD_FETCH(&packets, 1);
    __u64 old_mask = TS_FETCH_OR(&s->mask, (__u64)1 << (p[15] & 63));
    __u64 prev = TS_XCHG(&s->last, v);
    TS_STORE(&s->narrow, (__u32)(v * 3));
    __u32 narrow = TS_LOAD(&s->narrow);
    ts_put(&results, 0, before);
    ts_put(&results, 1, total);
    ts_put(&results, 2, old_mask);
    ts_put(&results, 3, prev);
    ts_put(&results, 4, narrow + TS_LOAD(&s->seen));
    ts_put(&results, 5, TS_OFFSET(struct state, narrow) * 100 + TS_OFFSET(struct state, last));
    // Compare-exchange: succeeds when the packet's byte matches what the last run left.
    __u64 expected = p[14];
    int swapped = TS_CMPXCHG(&s->swapped, &expected, v + 1);
    ts_put(&results, 6, swapped * 1000 + expected);
    // Generic forms: the value stored, read back and exchanged through locals.
    __u32 gen_in = p[15] + 7, gen_out = 0, gen_prev = 0;
    TS_STORE_FROM(&generation, &gen_in);
    TS_LOAD_INTO(&generation, &gen_out);
    __u32 next = gen_out * 5;
    TS_XCHG_VIA(&generation, &next, &gen_prev);
    ts_put(&results, 7, gen_out);
    ts_put(&results, 8, (__u64)gen_prev << 32 | generation);
    return narrow & 1 ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
