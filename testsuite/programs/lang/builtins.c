// __builtin_memcpy/memset/memcmp, bswap, expect, constant_p, statement expressions,
// typeof, __auto_type, compound literals, sizeof/offsetof/_Alignof, _Static_assert.
// @input 00000000000000000000000008001122334455667788aabbccdd
// @input 000000000000000000000000080011223344556677889900ccdd
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include <stddef.h>

struct rec { __u8 tag; __u32 v; __u64 w; };
_Static_assert(sizeof(struct rec) == 16, "layout");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 8);
    __type(key, __u32);
    __type(value, __u64);
} out SEC(".maps");

#define PUT(k, v) ({ __u32 _k = (k); __u64 _v = (v); bpf_map_update_elem(&out, &_k, &_v, BPF_ANY); })

SEC("xdp")
int builtins(struct xdp_md *ctx)
{
    unsigned char *p = (void *)(long)ctx->data;
    if ((void *)(p + 26) > (void *)(long)ctx->data_end)
        return XDP_ABORTED;
    __u8 buf[8];
    __builtin_memcpy(buf, p + 14, 8);
    __u64 w;
    __builtin_memcpy(&w, buf, 8);
    PUT(0, w);
    PUT(1, __builtin_bswap64(w));
    PUT(2, __builtin_bswap32((__u32)w));
    PUT(3, bpf_ntohs(*(__u16 *)buf));
    struct rec r;
    __builtin_memset(&r, 0, sizeof(r));
    r.tag = buf[0];
    r.v = bpf_htonl(r.tag);
    __auto_type q = r.v + 1;
    typeof(q) z = q * 2;
    PUT(4, z + offsetof(struct rec, w) + _Alignof(struct rec));
    __u8 pattern[4] = { 0xaa, 0xbb, 0xcc, 0xdd };
    int same = __builtin_memcmp(p + 22, pattern, 4) == 0;
    PUT(5, same);
    int v = ({ int t = buf[1]; t * 3; });
    if (__builtin_expect(v > 100, 0))
        v = 100;
    PUT(6, v + __builtin_constant_p(42) * 1000);
    struct rec *cl = &(struct rec){ .tag = 7, .w = 9 };
    PUT(7, cl->tag + cl->w);
    return same ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
