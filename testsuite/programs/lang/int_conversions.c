// Integer widths, signedness and conversions: results stored in an array map.
// @input 00000000000000000000000008009cff7f80fe01ff7f0080ffffff7f0a000000
// @input 0000000000000000000000000800010203040506070809101112131415161718
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 16);
    __type(key, __u32);
    __type(value, __u64);
} out SEC(".maps");

static __always_inline void put(__u32 k, __u64 v)
{
    bpf_map_update_elem(&out, &k, &v, BPF_ANY);
}

SEC("xdp")
int conversions(struct xdp_md *ctx)
{
    unsigned char *p = (void *)(long)ctx->data;
    unsigned char *end = (void *)(long)ctx->data_end;
    if (p + 32 > end)
        return XDP_ABORTED;
    signed char sc = (signed char)p[14];
    unsigned char uc = p[15];
    short ss = (short)(p[16] | (p[17] << 8));
    unsigned short us = (unsigned short)(p[18] | (p[19] << 8));
    int si = (int)(p[20] | (p[21] << 8) | (p[22] << 16) | ((unsigned)p[23] << 24));
    unsigned int ui = (unsigned)si;
    long long sl = si;
    unsigned long long ul = ui;
    put(0, (__u64)(long long)sc);
    put(1, (__u64)uc + sc);
    put(2, (__u64)(long long)ss * 3);
    put(3, us >> 3);
    put(4, (__u64)(sl >> 4));
    put(5, ul >> 4);
    put(6, (__u64)(long long)(si / 8));
    put(7, ui / 7 + ui % 7);
    put(8, (__u64)(sc < uc) | ((__u64)(si < 0) << 1) | ((__u64)(ui > 5u) << 2));
    put(9, (__u64)(unsigned char)(sc + uc * 3));
    put(10, (__u64)(short)(us + 0x8000));
    put(11, (__u64)(-sl));
    put(12, (__u64)(~ui));
    put(13, (__u64)((int)uc << 24));
    return sc < 0 ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
