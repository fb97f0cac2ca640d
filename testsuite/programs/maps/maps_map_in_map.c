// Map-in-map: an ARRAY_OF_MAPS whose slots are filled at load time with two inner arrays
// (__array(values, struct inner) + .values), and a HASH_OF_MAPS with one inner map; raw_tp
// selects outer slot and inner index from its arguments.
// @ctx 000000000000000001000000000000000500000000000000
// @ctx 010000000000000003000000000000000700000000000000
// @ctx 000000000000000001000000000000000b00000000000000
// @ctx 020000000000000000000000000000000100000000000000
// @ctx 010000000000000009000000000000000100000000000000
// @ctx 050000000000000000000000000000000000000000000000
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct inner {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
};

struct inner inner_a SEC(".maps");
struct inner inner_b SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 3);
	__type(key, __u32);
	__array(values, struct inner);
} outer SEC(".maps") = {
	.values = { &inner_a, &inner_b },
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__uint(max_entries, 4);
	__type(key, __u32);
	__array(values, struct inner);
} outer_hash SEC(".maps") = {
	.values = { [1] = &inner_b },
};

SEC("raw_tp/sys_enter")
int map_in_map(__u64 *ctx)
{
	__u32 slot = ctx[0], idx = ctx[1];
	void *in = bpf_map_lookup_elem(&outer, &slot);
	if (!in)
		return -1;
	__u64 *v = bpf_map_lookup_elem(in, &idx);
	if (!v)
		return -2;
	*v += ctx[2];
	__u32 hk = 1;
	void *hin = bpf_map_lookup_elem(&outer_hash, &hk);
	if (hin) {
		__u32 zero = 0;
		__u64 *w = bpf_map_lookup_elem(hin, &zero);
		if (w)
			*w += 1000;
	}
	return (int)*v;
}

char LICENSE[] SEC("license") = "GPL";
