// A quotient by a value only known at run time is at most its dividend: a truth value
// divided by `(d | 1)` is 0 or 1, so adding a static table's entry that is never written
// (255) makes a sum that is never 0, and the test of it is decided at compile time, as
// clang folds it (random seed 61981). The verifier does not bound quotients: left in, the
// test split its walk at each of the sub-program's calls in the loop.
// @ctx 0000000000000000 0000000000000000
// @ctx 0500000000000000 0500000000000009
// @ctx 1234567876543210 ffffffff00000003
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(2);

static __u32 table[4] = {0, 255, 1};
__u32 divisor;

static __attribute__((noinline)) int nonzero(__u64 a, __u64 b)
{
	return ((unsigned int)(a == b) / (divisor | 1)) + table[1] ? 3 : (int)(a ^ b);
}

SEC("raw_tp/sys_enter")
int quotient_bound(__u64 *ctx)
{
	__u64 a = ctx[0], b = ctx[1];
	__u64 acc = 0;

	for (int i = 0; i < 6; i++) {
		if ((a >> i) & 1)
			continue;
		acc = acc * 7 + nonzero(a + i, b);
	}
	ts_put(&results, 0, acc);
	ts_put(&results, 1, nonzero(b, a) + (a & 0xff) / ((b & 7) | 1));
	return 0;
}

char _license[] SEC("license") = "GPL";
