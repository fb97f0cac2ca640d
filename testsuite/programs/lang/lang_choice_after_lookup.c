// A value chosen by a condition before a map lookup and added only where the lookup
// found its element (`v = c ? a : b; p = lookup(); if (p) *p += v`) is chosen below the
// test of `p`, as clang sinks the `select` into the block of its only use: the verifier's
// walk no longer splits on `c` on the path where `p` is NULL. A choice read on both paths,
// or whose inputs would all have to live across the call for it, stays where it is.
// @ctx 0000000000000000 0000000000000000 0000000000000000
// @ctx 0100000000000000 0700000000000000 ff00000000000000
// @ctx 1234567876543210 0000000080000000 0300000000000000
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(6);

__u32 mode = 5;

static __always_inline void add(__u32 slot, __u64 v)
{
	__u64 *p = bpf_map_lookup_elem(&results, &slot);

	if (p)
		*p = *p * 31 + v;
}

SEC("raw_tp/sys_enter")
int choice_after_lookup(__u64 *ctx)
{
	__u64 a = ctx[0], b = ctx[1], c = ctx[2];
	__u64 total = 0;

	for (int i = 0; i < 4; i++) {
		add(0, (mode & (1 << i)) ? a + i : b ^ i);
		total += a >> i;
	}
	add(1, c & 1 ? (a << 3) + 1 : b - 7);
	add(2, total + a + b);
	__u64 w = (c & 2) ? a * 3 : b + 1;
	__u32 key = 3;
	__u64 *p = bpf_map_lookup_elem(&results, &key);
	if (p)
		*p += w;
	else
		total ^= w;
	add(4, total);
	add(5, (c >> 8) ? a : c);
	return 0;
}

char _license[] SEC("license") = "GPL";
