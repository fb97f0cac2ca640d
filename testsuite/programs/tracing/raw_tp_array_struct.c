// raw_tp: an array map of structs indexed by a bounded argument; fields updated through
// the looked-up pointer, out-of-range indexes rejected with a distinct return value.
// @ctx 03000000000000000100010000000000
// @ctx 03000000000000000200020000000000
// @ctx 0700000000000000ffffffffffffffff
// @ctx 08000000000000000100000000000000
// @ctx 00000000000000000000000000000000
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define SLOTS 8

struct slot {
	__u32 hits;
	__u16 last_lo;
	__u8 flags;
	__u8 pad;
	__u64 acc;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SLOTS);
	__type(key, __u32);
	__type(value, struct slot);
} slots SEC(".maps");

SEC("raw_tp/sys_enter")
int array_struct(__u64 *ctx)
{
	__u64 idx = ctx[0];
	if (idx >= SLOTS)
		return 100;
	__u32 key = idx;
	struct slot *s = bpf_map_lookup_elem(&slots, &key);
	if (!s)
		return 101;
	s->hits++;
	s->last_lo = (__u16)ctx[1];
	s->flags |= 1u << (ctx[1] & 7);
	s->acc = s->acc * 31 + ctx[1];
	return s->hits;
}

char LICENSE[] SEC("license") = "GPL";
