// bpf_map_lookup_percpu_elem on a PERCPU_ARRAY and PERCPU_HASH, writing and reading CPU 0's
// slot explicitly so results are independent of the CPU that runs the program; invalid CPU
// numbers return NULL.
// @ctx 00000000000000000500000000000000
// @ctx 00000000000000000600000000000000
// @ctx 03000000000000006400000000000000
// @ctx 07000000000000000100000000000000
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} pa SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} ph SEC(".maps");

SEC("raw_tp/sys_enter")
int percpu_elem(__u64 *ctx)
{
	__u32 k = ctx[0] & 3;
	__u64 *v0 = bpf_map_lookup_percpu_elem(&pa, &k, 0);
	if (!v0)
		return -1;
	*v0 += ctx[1];
	__u64 init = ctx[1] * 2;
	if (!bpf_map_lookup_elem(&ph, &k))
		bpf_map_update_elem(&ph, &k, &init, BPF_NOEXIST);
	__u64 *h0 = bpf_map_lookup_percpu_elem(&ph, &k, 0);
	int bad = bpf_map_lookup_percpu_elem(&pa, &k, 100000) == 0;
	return (int)(*v0 & 0xffff) + (h0 ? 0x10000 : 0) + (bad << 20);
}

char LICENSE[] SEC("license") = "GPL";
