// raw_tp: counts events per (cpu-independent) key in a PERCPU_HASH and an LRU_PERCPU_HASH;
// the harness sums per-CPU slots. Key derived from the first argument modulo 7.
// @ctx 64000000000000000100000000000000
// @ctx 64000000000000000200000000000000
// @ctx 0f000000000000000500000000000000
// @ctx 00000000000000000000000000000000
// @ctx 06000000000000000900000000000000
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} hits SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_PERCPU_HASH);
	__uint(max_entries, 16);
	__type(key, __u64);
	__type(value, __u64);
} weights SEC(".maps");

SEC("raw_tp/sys_exit")
int percpu_hash(__u64 *ctx)
{
	__u32 k = ctx[0] % 7;
	__u64 one = 1, *v = bpf_map_lookup_elem(&hits, &k);
	if (v)
		*v += 1;
	else
		bpf_map_update_elem(&hits, &k, &one, BPF_ANY);
	__u64 wk = ctx[1] & 3;
	__u64 *wv = bpf_map_lookup_elem(&weights, &wk);
	__u64 add = ctx[0] >> 4;
	if (wv)
		*wv += add;
	else
		bpf_map_update_elem(&weights, &wk, &add, BPF_NOEXIST);
	return k;
}

char LICENSE[] SEC("license") = "GPL";
