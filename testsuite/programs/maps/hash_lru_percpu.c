// Hash, LRU hash, per-CPU array and per-CPU hash maps: lookup, update, delete.
// @input 0000000000000000000000000800010a
// @input 0000000000000000000000000800020b
// @input 0000000000000000000000000800010c
// @input 0000000000000000000000000800030d
// @input 0000000000000000000000000800020e
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct key { __u8 proto; __u8 pad[3]; __u32 id; };
struct val { __u64 count; __u64 sum; };

struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 64); __type(key, struct key); __type(value, struct val); } flows SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_LRU_HASH); __uint(max_entries, 64); __type(key, __u32); __type(value, __u64); } recent SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY); __uint(max_entries, 4); __type(key, __u32); __type(value, __u64); } pcpu SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_PERCPU_HASH); __uint(max_entries, 8); __type(key, __u32); __type(value, __u32); } pcpu_hash SEC(".maps");

SEC("xdp")
int maps(struct xdp_md *ctx)
{
    unsigned char *p = (void *)(long)ctx->data;
    if ((void *)(p + 16) > (void *)(long)ctx->data_end)
        return XDP_ABORTED;
    struct key k = {};
    k.proto = p[14];
    k.id = p[14] * 1000;
    struct val *v = bpf_map_lookup_elem(&flows, &k);
    if (v) {
        v->count++;
        v->sum += p[15];
    } else {
        struct val nv = { .count = 1, .sum = p[15] };
        bpf_map_update_elem(&flows, &k, &nv, BPF_NOEXIST);
    }
    __u32 rk = p[15];
    __u64 rv = p[14];
    bpf_map_update_elem(&recent, &rk, &rv, BPF_ANY);
    if (p[14] == 3) {
        __u32 del = 0x0b;
        bpf_map_delete_elem(&recent, &del);
    }
    __u32 idx = p[14] & 3;
    __u64 *c = bpf_map_lookup_elem(&pcpu, &idx);
    if (c)
        *c += 1;
    __u32 *h = bpf_map_lookup_elem(&pcpu_hash, &idx);
    if (h)
        *h += p[15];
    else {
        __u32 init = p[15];
        bpf_map_update_elem(&pcpu_hash, &idx, &init, BPF_ANY);
    }
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
