// `static` variables that one function writes and reads only to compute what it writes
// back (`g_hash = g_hash * 31 + bit`, a counter bumped on a bit of that hash): nothing
// observes them, so their stores and everything computed only for them go, as clang
// drops them; the loop that did only that goes too. A static the result reads, and one
// a second function reads, keep their stores.
// @ctx 0000000000000000
// @ctx ff00ff00ff00ff00
// @ctx 1234567876543210
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(3);

static __u64 g_hash;
static __u32 g_count;
static __u64 g_seen;
static __u32 g_shared;

static __attribute__((noinline)) int shared_value(void)
{
	return g_shared + 1;
}

SEC("raw_tp/sys_enter")
int static_write_only(__u64 *ctx)
{
	__u64 x = ctx[0];

	for (int j = 0; j < 16; j++) {
		g_hash = g_hash * 31 + ((x >> j) & 1);
		if (g_hash & 4)
			g_count += (__u32)(g_hash >> 3);
	}
	g_seen = g_seen * 3 + (x & 0xff);
	g_shared ^= (__u32)x;
	ts_put(&results, 0, x >> 4);
	ts_put(&results, 1, g_seen);
	ts_put(&results, 2, shared_value());
	return 0;
}

char _license[] SEC("license") = "GPL";
