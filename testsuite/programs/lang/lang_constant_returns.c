// A `__noinline` helper that returns the same constant on every path (`record()` counts
// into a map and returns 0 whatever happened) gives its caller that constant, as clang's
// interprocedural constant propagation does: the caller's error path (`if (record(...)
// < 0) return ...`, with the work only it did) goes, while the call stays for its map
// update. A helper returning two different values keeps its result tested.
// @ctx 0000000000000000 0000000000000000
// @ctx ff00ff00ff00ff00 0000000000000007
// @ctx 1234567876543210 00000000000000ff
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(4);

static __attribute__((noinline)) int record(__u32 slot, __u64 v)
{
	__u64 *p = bpf_map_lookup_elem(&results, &slot);

	if (!p)
		return 0;
	*p += v;
	return 0;
}

static __attribute__((noinline)) int check(__u64 v)
{
	if (v & 1)
		return -1;
	return 1;
}

SEC("raw_tp/sys_enter")
int constant_returns(__u64 *ctx)
{
	__u64 x = ctx[0], y = ctx[1];
	__u64 acc = 0;

	if (record(0, x) < 0) {
		for (int i = 0; i < 8; i++)
			acc = acc * 31 + (x >> i) / ((y & 0xff) | 1);
		ts_put(&results, 3, acc);
		return 1;
	}
	if (record(1, y) != 0)
		return 2;
	ts_put(&results, 2, check(x) + check(y));
	return 0;
}

char _license[] SEC("license") = "GPL";
