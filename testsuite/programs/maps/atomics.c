// __sync_* and __atomic_* builtins on map values and globals.
// @input 0000000000000000000000000800050f
// @input 000000000000000000000000080007f0
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct counters { __u64 add, sub, or, and, xor, xchg, cas, fetched; __u32 small_add, small_or; };
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, __u32); __type(value, struct counters); } ctrs SEC(".maps");
__u64 global_total;

SEC("xdp")
int atomics(struct xdp_md *ctx)
{
    unsigned char *p = (void *)(long)ctx->data;
    if ((void *)(p + 16) > (void *)(long)ctx->data_end)
        return XDP_ABORTED;
    __u32 k = 0;
    struct counters *c = bpf_map_lookup_elem(&ctrs, &k);
    if (!c)
        return XDP_ABORTED;
    __u64 v = p[14];
    __sync_fetch_and_add(&c->add, v);
    __sync_fetch_and_sub(&c->sub, v);
    __sync_fetch_and_or(&c->or, (__u64)p[15] << 8);
    __sync_fetch_and_and(&c->and, 0xff00ff);
    __sync_fetch_and_xor(&c->xor, v * 3);
    __u64 old = __sync_lock_test_and_set(&c->xchg, v);
    __u64 prev = __sync_val_compare_and_swap(&c->cas, 0, 100 + v);
    c->fetched = old + prev + __sync_fetch_and_add(&c->add, 1);
    __atomic_fetch_add(&c->small_add, (__u32)v, __ATOMIC_RELAXED);
    __u32 before = __atomic_fetch_or(&c->small_or, (__u32)p[15], __ATOMIC_SEQ_CST);
    __atomic_add_fetch(&global_total, v, __ATOMIC_RELAXED);
    return before & 1 ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
