// A nested truth value the same in every round of an unrolled loop:
// `acc = acc * 5 + (((a + b) != (c < 63)) < limit)` with `a`, `b`, `c` and the global
// `limit` not changing in the loop. Every round's inner comparison shares the first
// round's; the outer one reads the inner one's copy, so it is the first round's too once
// the copies are seen through (`RegionNumbering` repeats while it shares and reads a copy
// of a value as the value when nothing on the way writes it): one computation of each
// comparison instead of one per round, for the code and for the verifier's walk.
// @ctx 0000000000000000 0000000000000000 0000000000000000
// @ctx 00000000000000ff 0000000000000001 0000000000000040
// @ctx 1234567876543210 edcba98789abcdf0 fffffffffffffff0
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(2);

int limit[2] = { 4, 1 };

SEC("raw_tp/sys_enter")
int shared_round_truths(__u64 *ctx)
{
	__u8 a = ctx[0];
	__s64 b = ctx[1], c = ctx[2];
	__u64 acc = ctx[0] >> 8;

	for (int i = 0; i < 10; i++)
		acc = acc * 5 + ((((unsigned long)a + b) != (c < 63)) < limit[1]);
	ts_put(&results, 0, acc);
	ts_put(&results, 1, limit[0]);
	return 0;
}

char _license[] SEC("license") = "GPL";
