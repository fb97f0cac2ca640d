// raw_tp program run with BPF_PROG_TEST_RUN: arithmetic on its u64 arguments, results in maps.
// @ctx 0500000000000000ffffffffffffffff0300000000000000
// @ctx 0700000000000000020000000000000009000000000000ff
// @ctx 000000000000000000000000000000000000000000000000
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 32); __type(key, __u64); __type(value, __u64); } by_arg SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 4); __type(key, __u32); __type(value, __s64); } stats SEC(".maps");

SEC("raw_tp/sys_enter")
int args(__u64 *ctx)
{
    __u64 a = ctx[0], b = ctx[1], c = ctx[2];
    __s64 sb = (__s64)b;
    __u64 v = a * 3 + (c >> 56) + (sb < 0 ? 100 : 0);
    bpf_map_update_elem(&by_arg, &a, &v, BPF_ANY);
    __u32 k = 0;
    __s64 *s = bpf_map_lookup_elem(&stats, &k);
    if (s) {
        *s += sb;
        s[0] -= 1;
    }
    k = 1;
    __s64 m = sb / 4 + (sb % 4);
    bpf_map_update_elem(&stats, &k, &m, BPF_ANY);
    return a > c ? 1 : 0;
}

char LICENSE[] SEC("license") = "GPL";
