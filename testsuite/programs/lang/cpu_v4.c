// -mcpu=v4: signed division and modulo, sign-extending loads and moves, bswap.
// @cflags -mcpu=v4
// @input 0000000000000000000000000800f9ff0300f0
// @input 00000000000000000000000008000700fdff7f
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 4); __type(key, __u32); __type(value, __s64); } out SEC(".maps");

SEC("xdp")
int v4(struct xdp_md *ctx)
{
    unsigned char *p = (void *)(long)ctx->data;
    if ((void *)(p + 19) > (void *)(long)ctx->data_end)
        return XDP_ABORTED;
    short a = *(short *)(p + 14);
    short b = *(short *)(p + 16);
    signed char c = (signed char)p[18];
    __s64 q = a / b, r = a % b, s = (__s64)c * 1000 / 7;
    __u32 k = 0;
    bpf_map_update_elem(&out, &k, &q, BPF_ANY);
    k = 1;
    bpf_map_update_elem(&out, &k, &r, BPF_ANY);
    k = 2;
    bpf_map_update_elem(&out, &k, &s, BPF_ANY);
    k = 3;
    __s64 sw = (__s64)__builtin_bswap32((__u32)a);
    bpf_map_update_elem(&out, &k, &sw, BPF_ANY);
    return q < 0 ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
