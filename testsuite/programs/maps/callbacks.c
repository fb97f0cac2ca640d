// bpf_loop and bpf_for_each_map_elem with static callback functions.
// @input 0000000000000000000000000800050a
// @input 00000000000000000000000008000e03
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 8); __type(key, __u32); __type(value, __u64); } vals SEC(".maps");

struct loop_ctx { __u64 acc; __u32 step; };

static long add_step(__u32 index, void *data)
{
    struct loop_ctx *c = data;
    c->acc += index * c->step;
    return c->acc > 1000 ? 1 : 0;
}

static long sum_elem(struct bpf_map *map, __u32 *key, __u64 *val, void *data)
{
    *(__u64 *)data += *val + *key;
    return 0;
}

SEC("xdp")
int callbacks(struct xdp_md *ctx)
{
    unsigned char *p = (void *)(long)ctx->data;
    if ((void *)(p + 16) > (void *)(long)ctx->data_end)
        return XDP_ABORTED;
    struct loop_ctx c = { .acc = 0, .step = p[15] };
    long n = bpf_loop(p[14], add_step, &c, 0);
    __u32 k = p[14] & 7;
    bpf_map_update_elem(&vals, &k, &c.acc, BPF_ANY);
    __u64 total = 0;
    bpf_for_each_map_elem(&vals, sum_elem, &total, 0);
    k = 7;
    total += n;
    bpf_map_update_elem(&vals, &k, &total, BPF_ANY);
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
