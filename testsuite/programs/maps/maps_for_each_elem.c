// bpf_for_each_map_elem over an array and a hash map with static callbacks that read the
// key and value, modify values in place, and stop early by returning 1.
// @ctx 01000000000000000a00000000000000e803000000000000
// @ctx 020000000000000014000000000000000500000000000000
// @ctx 01000000000000001e000000000000000000000000000000
// @ctx 0700000000000000280000000000000040420f0000000000
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u64);
} arr SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u32);
} h SEC(".maps");

struct acc {
	__u64 sum;
	__u32 limit;
	__u32 visited;
};

static long visit_arr(struct bpf_map *map, __u32 *key, __u64 *val, struct acc *a)
{
	a->visited++;
	*val += *key;
	a->sum += *val;
	return a->sum > a->limit;
}

static long visit_hash(struct bpf_map *map, __u32 *key, __u32 *val, struct acc *a)
{
	a->sum += *key * 100 + *val;
	return 0;
}

SEC("raw_tp/sys_enter")
int for_each_elem(__u64 *ctx)
{
	__u32 k = ctx[0] & 7, v = (__u32)ctx[1];
	bpf_map_update_elem(&h, &k, &v, BPF_ANY);
	struct acc a = { .limit = (__u32)ctx[2] };
	long n = bpf_for_each_map_elem(&arr, visit_arr, &a, 0);
	struct acc b = {};
	long m = bpf_for_each_map_elem(&h, visit_hash, &b, 0);
	__u32 z = 0;
	bpf_map_update_elem(&arr, &z, &b.sum, BPF_ANY);
	return (int)(n * 100 + m) + (a.visited << 16);
}

char LICENSE[] SEC("license") = "GPL";
