// A `static` table whose only writes are in code folding removes — a store at an index
// not known in a `switch` case of an inlined helper that its constant argument never
// takes, and a `memset` in a function only that case calls — keeps its initializer
// (zero), so the loads at run-time indices in a 16-round loop are 0, as with clang, and
// the loop only adds and multiplies. A static written at a run-time index on a path that
// runs keeps its loads from memory.
// @ctx 0000000000000000
// @ctx ff00ff00ff00ff00
// @ctx 1234567876543210
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(3);

#define MODE_COUNT 1
#define MODE_RESET 3

static __u32 g_hits[8];
static __u32 g_seen[4];

static __attribute__((noinline)) int reset_hits(__u32 v)
{
	__builtin_memset(&g_hits, v & 0xff, sizeof(g_hits));
	return 1;
}

static __always_inline __u64 note_hit(__u64 x, int mode)
{
	switch (mode) {
	case MODE_COUNT:
		g_hits[x & 7]++;
		break;
	case MODE_RESET:
		return reset_hits((__u32)x);
	default:
		break;
	}
	return 0;
}

SEC("raw_tp/sys_enter")
int static_dead_writers(__u64 *ctx)
{
	__u64 x = ctx[0];
	__s64 a[16] = {};
	__u64 acc = note_hit(x, 2);

	for (int j = 0; j < 16; j++) {
		acc = acc * 31 + a[j] + (g_hits[(x >> (j * 3)) & 7] & 1);
		if ((acc & 3) == 0)
			a[j] = acc;
	}
	ts_put(&results, 0, acc ^ x);
	ts_put(&results, 1, a[5] + a[15] + g_hits[x & 7]);

	g_seen[x & 3] += (__u32)(x >> 8);
	ts_put(&results, 2, g_seen[(x >> 2) & 3]);
	return 0;
}

char _license[] SEC("license") = "GPL";
