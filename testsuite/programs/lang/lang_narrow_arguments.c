// A sub-program (not inlined) given only 32-bit values from both its calls: its 64-bit
// parameter has no upper half, so the compiler may drop the path a `v >> 32` test takes
// (a histogram bucket as a base-2 logarithm, clamped). Both calls' buckets are stored.
// @ctx 0000000000000000
// @ctx 0100000000000000
// @ctx ffffffff00000000
// @ctx 0000000000010000
// @ctx 12345678ffffffff
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(3);

static __attribute__((noinline)) __u64 bucket(__u64 v)
{
	__u64 r;

	if (v == 0)
		return 0;
	if (v >> 32)
		r = ts_log2_32(v >> 32) + 32;
	else
		r = ts_log2_32(v);
	if (r > 17)
		r = 17;
	return r + 1;
}

SEC("raw_tp/sys_enter")
int narrow_arguments(__u64 *ctx)
{
	__u32 low = ctx[0];
	__u32 high = ctx[0] >> 40;

	ts_put(&results, 0, bucket(low));
	ts_put(&results, 1, bucket(high));
	ts_put(&results, 2, low ^ high);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
