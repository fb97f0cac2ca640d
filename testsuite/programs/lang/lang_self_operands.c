// Operations of a value with itself: x ^ x, x - x and x % x are 0, x & x and x | x are x,
// at 32 and 64 bits, on values read from the context and from globals; a result that is
// always 0 makes an inlined helper's loop dead (its value multiplied by g ^ g).
// @ctx 0500000000000000ffffffff00000000
// @ctx 00000000000000000100000000000080
// @ctx 8877665544332211fe00000000000000
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(6);

__u64 g_state = 0x1234;
__u32 g_small = 77;

static __always_inline __u64 churn(__u64 x, __u32 n)
{
	__u64 acc = x;
	for (int i = 0; i < 8; i++) {
		if (acc & 1)
			acc = acc * 3 + n;
		else
			acc >>= 1;
		if ((acc ^ x) & 4)
			acc += i;
	}
	return acc;
}

SEC("raw_tp/sys_enter")
int self_operands(__u64 *ctx)
{
	__u64 a = ctx[0], b = ctx[1];
	__u32 w = (__u32)b;
	ts_put(&results, 0, (a ^ a) + (a - a) * 3 + ((a | 1) % (a | 1)) * 5);
	ts_put(&results, 1, (a & a) + (b | b));
	ts_put(&results, 2, (__u64)((w ^ w) + (w & w) + (w | w) + (w - w)));
	ts_put(&results, 3, (g_state ^ g_state) * churn(a, w) + (g_small % g_small));
	ts_put(&results, 4, churn(b, (__u32)a) & 0xffff);
	g_state += a & 0xff;
	ts_add(&results, 5, 1);
	return (int)((a - a) + (w & w));
}

char LICENSE[] SEC("license") = "GPL";
