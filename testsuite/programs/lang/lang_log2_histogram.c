// A latency histogram's slot: the base-2 logarithm of a 64-bit value, computed as the
// logarithm of its upper half plus 32 when that half is not zero, then clamped to the
// last of 20 slots. On the upper-half path the clamp always applies (the logarithm is at
// least 32): the compiler may drop that path's shifts and tests. The slot is counted with
// a plain or an atomic increment. Values below, at and above 2^32, zero, and a full
// 64-bit value.
// @ctx 0000000000000000
// @ctx 0100000000000000
// @ctx e803000000000000
// @ctx ffff0f0000000000
// @ctx ffffffff00000000
// @ctx 0000000001000000
// @ctx 00000000ffffffff
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(3);

#define SLOTS 20

struct histogram {
	__u32 slots[SLOTS];
	__u64 total;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct histogram);
} hist SEC(".maps");

static __always_inline __u64 log2_64(__u64 v)
{
	__u32 hi = v >> 32;

	if (hi)
		return ts_log2_32(hi) + 32;
	return ts_log2_32(v);
}

SEC("raw_tp/sys_enter")
int log2_histogram(__u64 *ctx)
{
	__u32 zero = 0;
	struct histogram *h = bpf_map_lookup_elem(&hist, &zero);
	__u64 slot;

	if (!h)
		return 0;
	slot = log2_64(ctx[0]);
	if (slot >= SLOTS)
		slot = SLOTS - 1;
	/* Odd values count with a plain increment, even ones atomically: both sides
	 * compute the slot's address (which the compiler may compute once). */
	if (ctx[0] & 1)
		h->slots[slot]++;
	else
		__sync_fetch_and_add(&h->slots[slot], 1);
	h->total += ctx[0];
	ts_put(&results, 0, slot);
	ts_put(&results, 1, h->slots[slot]);
	ts_put(&results, 2, h->total);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
