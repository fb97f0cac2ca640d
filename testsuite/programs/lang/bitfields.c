// Bitfield reads and writes, signed bitfields, packing.
// @input 000000000000000000000000080012345678
// @input 0000000000000000000000000800fedcba98
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct flags {
    unsigned int lo : 4;
    unsigned int mid : 7;
    int sgn : 5;
    unsigned int hi : 16;
};

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 4);
    __type(key, __u32);
    __type(value, struct flags);
} bits SEC(".maps");

SEC("xdp")
int bitfields(struct xdp_md *ctx)
{
    unsigned char *p = (void *)(long)ctx->data;
    if ((void *)(p + 18) > (void *)(long)ctx->data_end)
        return XDP_ABORTED;
    struct flags f = {};
    f.lo = p[14];
    f.mid = p[15];
    f.sgn = p[16];
    f.hi = p[17] * 257;
    __u32 k = 0;
    bpf_map_update_elem(&bits, &k, &f, BPF_ANY);
    struct flags g = { .lo = 3, .sgn = -2, .hi = 0xbeef };
    g.mid = f.mid + f.lo;
    k = 1;
    bpf_map_update_elem(&bits, &k, &g, BPF_ANY);
    int s = f.sgn;
    return s < 0 ? XDP_DROP : (int)(f.lo + f.mid) % 4;
}

char LICENSE[] SEC("license") = "GPL";
