// A `__noinline` function that only reads (a global table and its arguments) called in
// every round of an unrolled loop with the same argument, and called for an argument its
// callee never reads: clang reuses the first call's result (a `readonly` call, nothing
// written between) and drops the call whose result nothing reads; so does swift-bpfcc.
// The verifier walks the callee's loop once per call left. After a store to the table
// the call is made again.
// @ctx 0000000000000000 0000000000000000
// @ctx 0000000000000009 0000000000000102
// @ctx 1234567876543210 00000000000000ff
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(3);

__u64 limits[4] = {3, 5, 7, 11};

static __attribute__((noinline)) __u64 scale(__u64 unused, __u64 k)
{
	__u64 acc = k;

	for (int i = 0; i < 4; i++)
		acc = acc * 31 + limits[(k + i) & 3];
	return acc;
}

SEC("raw_tp/sys_enter")
int pure_call_reuse(__u64 *ctx)
{
	__u64 x = ctx[0], k = ctx[1] & 0xff;
	__u64 sum = 0;

	for (int i = 0; i < 6; i++)
		sum += scale(x, k) ^ (x >> i);
	ts_put(&results, 0, sum);
	ts_put(&results, 1, scale(scale(x, 1), k + 1));
	limits[k & 3] = x;
	ts_put(&results, 2, scale(x, k));
	return 0;
}

char _license[] SEC("license") = "GPL";
