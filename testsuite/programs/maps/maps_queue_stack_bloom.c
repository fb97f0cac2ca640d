// QUEUE, STACK and BLOOM_FILTER maps (no key): bpf_map_push_elem with BPF_EXIST overwrite,
// bpf_map_pop_elem, bpf_map_peek_elem; results returned and copied into an array map.
// @ctx 00000000000000000100000000000000
// @ctx 00000000000000000200000000000000
// @ctx 00000000000000000300000000000000
// @ctx 00000000000000000400000000000000
// @ctx 00000000000000000500000000000000
// @ctx 01000000000000000000000000000000
// @ctx 02000000000000000000000000000000
// @ctx 02000000000000000000000000000000
// @ctx 03000000000000000300000000000000
// @ctx 03000000000000006300000000000000
// @ctx 01000000000000000000000000000000
// @ctx 01000000000000000000000000000000
// @ctx 01000000000000000000000000000000
// @ctx 01000000000000000000000000000000
// @ctx 02000000000000000000000000000000
// @ctx 02000000000000000000000000000000
// @ctx 02000000000000000000000000000000
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__uint(max_entries, 4);
	__type(value, __u32);
} q SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK);
	__uint(max_entries, 4);
	__type(value, __u64);
} st SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_BLOOM_FILTER);
	__uint(max_entries, 64);
	__type(value, __u32);
	__uint(map_extra, 3);
} seen SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __s64);
} out SEC(".maps");

static __always_inline void put(__u32 k, __s64 v)
{
	bpf_map_update_elem(&out, &k, &v, BPF_ANY);
}

SEC("raw_tp/sys_enter")
int queue_stack(__u64 *ctx)
{
	__u32 qv = (__u32)ctx[1];
	__u64 sv = ctx[1] << 8;
	switch (ctx[0]) {
	case 0: /* push both, note in the bloom filter */
		put(0, bpf_map_push_elem(&q, &qv, BPF_EXIST));
		put(1, bpf_map_push_elem(&st, &sv, 0));
		bpf_map_push_elem(&seen, &qv, BPF_ANY);
		return 0;
	case 1: {
		__u32 got = 0;
		long r = bpf_map_pop_elem(&q, &got);
		put(0, r);
		put(2, got);
		return got;
	}
	case 2: {
		__u64 got = 0;
		long r = bpf_map_peek_elem(&st, &got);
		put(1, r);
		put(3, (__s64)got);
		r = bpf_map_pop_elem(&st, &got);
		return (int)(got >> 8) + (r ? 1000 : 0);
	}
	default:
		return bpf_map_peek_elem(&seen, &qv) == 0 ? 1 : 2;
	}
}

char LICENSE[] SEC("license") = "GPL";
