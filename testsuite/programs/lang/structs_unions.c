// Structs, unions, nested and anonymous members, arrays of structs, copies.
// @input 0000000000000000000000000800010203040506070809
// @input 00000000000000000000000008ff10203040506070809a
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct inner { unsigned char a; unsigned short b; };
struct outer {
    struct inner in[2];
    union { unsigned int word; unsigned char bytes[4]; };
    struct { unsigned char x, y; } pt;
    long long total;
};

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct outer);
} store SEC(".maps");

SEC("xdp")
int structs(struct xdp_md *ctx)
{
    unsigned char *p = (void *)(long)ctx->data;
    if ((void *)(p + 24) > (void *)(long)ctx->data_end)
        return XDP_ABORTED;
    struct outer o = {};
    o.in[0].a = p[14];
    o.in[0].b = p[15] | (p[16] << 8);
    o.in[1] = o.in[0];
    o.in[1].a += 1;
    o.bytes[0] = p[17]; o.bytes[1] = p[18]; o.bytes[2] = p[19]; o.bytes[3] = p[20];
    o.pt.x = p[21];
    o.pt.y = o.pt.x ^ 0x5a;
    o.total = o.in[0].a + o.in[1].a + o.in[1].b + o.word + o.pt.y;
    __u32 k = 0;
    bpf_map_update_elem(&store, &k, &o, BPF_ANY);
    struct outer copy = o;
    copy.total = 0;
    return copy.in[1].a > 0x80 ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
