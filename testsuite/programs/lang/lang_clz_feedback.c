// A value or-ed with the count of leading zeros of itself doubled, round after round
// (`x |= __builtin_clz((x + x) | 1)`): `__builtin_clz` becomes a chain of shifts, tests
// and sums, every step of it written twice and each reading `x`, which reads itself
// through the loop. Bounding such a web register by register followed every path
// through it again under each assumption about the loop (random seed 60267: the
// compile ran for minutes); the bound search now gives up after a fixed number of steps.
// @ctx 000000000000000000000000000000000000000000000000
// @ctx 0100000000000000ffff0000000000000300000000000000
// @ctx 34120000000000000080000000000000ffff000000000000
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(3);

SEC("raw_tp/sys_enter")
int clz_feedback(__u64 *ctx)
{
	__s32 limit = ctx[0];
	__u8 small = ctx[1];
	__u16 x = ctx[2];
	__u16 y = ctx[1] >> 8;

	if (small <= limit) {
		for (__u8 i = 5; i > 0; i--)
			x |= __builtin_clz(((unsigned int)x + (unsigned int)x) | 1u);
	}
	for (__u8 i = 4; i > 0; i--)
		y ^= __builtin_clz((((unsigned int)y << 1) + i) | 1u) + i;
	ts_put(&results, 0, x);
	ts_put(&results, 1, y);
	ts_put(&results, 2, (__u64)x * 65537 + y);
	return 0;
}

char _license[] SEC("license") = "GPL";
