// __attribute__((cleanup(fn))): fn(&var) runs where var's scope ends, in reverse order of
// declaration: at the end of a block, before a return (after the returned value is
// computed), before break and continue leaving the scope, after a for loop whose first
// clause declares it; a bpf_for-style open-coded iterator whose destroy kfunc is its
// cleanup (the verifier refuses the program if one is missed).
// @input 000000000000000000000000080005f00311a2b3c4d5e6f70800
// @input 0000000000000000000000000800ff000000000000ff00ff0000
// @input 0000000000000000000000000800030a00000000000000000000
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(6);
__u64 trail;

struct bpf_iter_num { __u64 __opaque[1]; } __attribute__((aligned(8)));
extern int bpf_iter_num_new(struct bpf_iter_num *it, int start, int end) __weak __ksym;
extern int *bpf_iter_num_next(struct bpf_iter_num *it) __weak __ksym;
extern void bpf_iter_num_destroy(struct bpf_iter_num *it) __weak __ksym;

#define for_range(i, start, end)                                                         \
    for (struct bpf_iter_num ___it __attribute__((aligned(8), cleanup(bpf_iter_num_destroy))), \
         *___p __attribute__((unused)) = (bpf_iter_num_new(&___it, (start), (end)), (void *)0); \
         ({ int *___t = bpf_iter_num_next(&___it); (___t && ((i) = *___t, 1)); });)

static void note(__u32 *tag) { trail = trail * 16 + *tag; }

static __attribute__((noinline)) int scoped(__u32 n)
{
    __u32 outer __attribute__((cleanup(note))) = 1;
    {
        __u32 inner __attribute__((cleanup(note))) = 2;
        if (n & 1)
            return n * 3 + trail;          // computed before 2 and 1 are noted
        __u32 last __attribute__((cleanup(note))) = 3;
    }
    for (__u32 i = 0; i < 4; i++) {
        __u32 step __attribute__((cleanup(note))) = 4 + i;
        if (i == (n & 3))
            continue;
        if (i == 2)
            break;
    }
    switch (n & 7) {
    case 2: {
        __u32 c __attribute__((cleanup(note))) = 9;
        if (n > 8)
            break;
        trail += 1;
        break;
    }
    default:
        break;
    }
    return n;
}

SEC("xdp")
int cleanups(struct xdp_md *ctx)
{
    unsigned char *p = (void *)(long)ctx->data;
    if ((void *)(p + 26) > (void *)(long)ctx->data_end)
        return XDP_ABORTED;
    trail = 0;
    int r = scoped(p[14]);
    ts_put(&results, 0, r);
    ts_put(&results, 1, trail);
    trail = 0;
    r = scoped(p[15]);
    ts_put(&results, 2, (__u64)r << 32 | trail);
    int v, sum = 0;
    for_range(v, 0, p[14] & 7)
        sum += v * 5;
    ts_put(&results, 3, sum);
    int prod = 1;
    for_range(v, 1, 5) {
        if (v == (p[15] & 7))
            break;
        prod *= v + 1;
    }
    ts_put(&results, 4, prod);
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
