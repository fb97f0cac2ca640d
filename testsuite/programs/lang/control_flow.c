// Loops (bounded, stay loops), break/continue, switch (dense, sparse, fallthrough,
// default in the middle), goto, early returns, conditional operator, comma, logical ops.
// @input 000000000000000000000000080003010203040506070809
// @input 000000000000000000000000080007ff0203040506070809
// @input 0000000000000000000000000800640a0b0c0d0e0f101112
// @input 000000000000000000000000080000000000000000000000
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 8);
    __type(key, __u32);
    __type(value, __u32);
} res SEC(".maps");

static __always_inline void put(__u32 k, __u32 v) { bpf_map_update_elem(&res, &k, &v, BPF_ANY); }

static __always_inline int classify(int v)
{
    switch (v) {
    case 0: return 10;
    case 1:
    case 2: return 20;
    default: return 99;
    case 3: v += 1; /* fallthrough */
    case 4: return 30 + v;
    case 100: return 7;
    case 1000 ... 1005: return 8;
    }
}

SEC("xdp")
int control(struct xdp_md *ctx)
{
    unsigned char *p = (void *)(long)ctx->data;
    unsigned char *end = (void *)(long)ctx->data_end;
    if (p + 24 > end)
        return XDP_ABORTED;
    unsigned n = p[14];
    __u32 sum = 0, odd = 0;
    for (unsigned i = 0; i < 8; i++) {
        if (i >= n)
            break;
        if (p[15 + i] & 1) { odd++; continue; }
        sum += p[15 + i];
    }
    put(0, sum);
    put(1, odd);
    put(2, classify(n));
    int w = 0, k = 0;
    while (k < 5) { w += k * n; k++; }
    do { w ^= 0x55; } while (0);
    put(3, w);
    int x = (n > 5 && p[15] != 0) || p[16] == 2;
    int y = (x, n ? 3 : 4);
    put(4, x * 10 + y);
    if (n == 0)
        goto out;
    put(5, n * 2);
out:
    return n > 50 ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
