// -mcpu=v4 load-acquire and store-release: __atomic_load_n/__atomic_load with acquire or
// consume order, __atomic_store_n/__atomic_store with release order, on a map value and
// globals of 8, 16, 32 and 64 bits; relaxed ones stay plain loads and stores.
// @cflags -mcpu=v4
// @input 0000000000000000000000000800050f0311a2b3
// @input 000000000000000000000000080007f0ff00ff00
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

struct slot { __u64 seq; __u32 head; __u16 tail; __u8 flag; };
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, __u32); __type(value, struct slot); } ring SEC(".maps");
TS_RESULTS(6);
__u64 published;
__u16 generation;

SEC("xdp")
int acquire_release(struct xdp_md *ctx)
{
    unsigned char *p = (void *)(long)ctx->data;
    if ((void *)(p + 20) > (void *)(long)ctx->data_end)
        return XDP_ABORTED;
    __u32 k = 0;
    struct slot *s = bpf_map_lookup_elem(&ring, &k);
    if (!s)
        return XDP_ABORTED;
    __u64 v = *(__u64 *)(p + 12);
    __u64 seen = __atomic_load_n(&s->seq, __ATOMIC_ACQUIRE);
    __atomic_store_n(&s->seq, seen + v, __ATOMIC_RELEASE);
    __u32 head = __atomic_load_n(&s->head, __ATOMIC_CONSUME);
    __atomic_store_n(&s->head, head ^ (__u32)v, __ATOMIC_RELEASE);
    __u16 tail;
    __atomic_load(&s->tail, &tail, __ATOMIC_ACQUIRE);
    __u16 next = tail + p[16];
    __atomic_store(&s->tail, &next, __ATOMIC_RELEASE);
    __u8 flag = __atomic_load_n(&s->flag, __ATOMIC_ACQUIRE);
    __atomic_store_n(&s->flag, (__u8)(flag + 1), __ATOMIC_RELAXED);
    __atomic_store_n(&published, v >> 3, __ATOMIC_RELEASE);
    __u16 gen = __atomic_load_n(&generation, __ATOMIC_RELAXED);
    __atomic_store_n(&generation, (__u16)(gen + p[17]), __ATOMIC_RELEASE);
    ts_put(&results, 0, seen);
    ts_put(&results, 1, head);
    ts_put(&results, 2, tail);
    ts_put(&results, 3, flag);
    ts_put(&results, 4, __atomic_load_n(&published, __ATOMIC_ACQUIRE));
    ts_put(&results, 5, __atomic_load_n(&generation, __ATOMIC_ACQUIRE));
    return seen & 1 ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
