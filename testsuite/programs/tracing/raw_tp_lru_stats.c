// raw_tp (sys_enter): per-syscall-id statistics (count, sum, min, max of arg) in an LRU hash
// with struct values updated in place; the second u64 argument is the syscall id.
// @ctx 34120000000000003b00000000000000
// @ctx 20000000000000003b00000000000000
// @ctx 0500ffff000000003b00000000000000
// @ctx 99000000000000000100000000000000
// @ctx 07000000000000003b00000000000000
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct stat {
	__u64 count;
	__u64 sum;
	__u64 min;
	__u64 max;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 128);
	__type(key, __u32);
	__type(value, struct stat);
} by_id SEC(".maps");

SEC("raw_tp/sys_enter")
int lru_stats(__u64 *ctx)
{
	__u64 regs = ctx[0];
	__u32 id = (__u32)ctx[1];
	__u64 v = regs & 0xffff;
	struct stat *s = bpf_map_lookup_elem(&by_id, &id);
	if (!s) {
		struct stat init = { .count = 1, .sum = v, .min = v, .max = v };
		bpf_map_update_elem(&by_id, &id, &init, BPF_NOEXIST);
		return 1;
	}
	s->count++;
	s->sum += v;
	if (v < s->min)
		s->min = v;
	if (v > s->max)
		s->max = v;
	return 2;
}

char LICENSE[] SEC("license") = "GPL";
