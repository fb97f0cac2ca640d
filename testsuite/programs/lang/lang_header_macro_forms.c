// GNU `a ?: b`, range and member designators and _Generic written inside a header's macros:
// each expression or initializer starts in the header and ends in this file.
// @input 000000000000000000000000080005000300
// @input 000000000000000000000000080000000700
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"
#include "ts_macro_forms.h"

TS_RESULTS(6);
struct pair { __u32 lo, hi; };

SEC("xdp")
int macro_forms(struct xdp_md *ctx)
{
    unsigned char *p = (void *)(long)ctx->data;
    if ((void *)(p + 18) > (void *)(long)ctx->data_end)
        return XDP_ABORTED;
    __u32 a = p[14], b = p[16];
    int table[6] = TS_TABLE_INIT;
    struct pair pr = TS_FIELD_INIT(b * 3);
    ts_put(&results, 0, TS_OR_DEFAULT(a, 42));
    ts_put(&results, 1, table[a & 3] + table[(b & 1) + 4] * 10);
    ts_put(&results, 2, (__u64)pr.hi << 32 | pr.lo);
    ts_put(&results, 3, TS_KIND(p[15]) + TS_KIND(a) * 10 + TS_KIND((__u64)b) * 100);
    ts_put(&results, 4, TS_OR_DEFAULT(a & b, b << 1));
    __u32 total = 0;
    for (int i = 0; i < 6; i++)
        total += table[i] << i;
    ts_put(&results, 5, total);
    return TS_OR_DEFAULT(a, 0) ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
