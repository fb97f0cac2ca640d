// A local read before a loop and then reused by the loop for values nothing reads after
// it: the loop is dead (its definitions of the local reach no live read) and goes, as
// clang's loop deletion removes it. Divisions, remainders and shifts of a value known to
// be 0 by an unknown amount are 0 (eBPF's division by zero gives 0), a division by 1 is
// the value, a remainder by 1 is 0: a zero dividend written through an inlined helper.
// @ctx 0500000000000000ffffffff0000000007000000000000000300000000000000
// @ctx 00000000000000000100000000000080fdffffffffffffff0000000000000000
// @ctx 8877665544332211fe000000000000000000000000000000ffffffffffffffff
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(6);

__u64 g_div = 9;

static __always_inline __u64 scaled(__u64 base, __u64 by)
{
	// base is 0 at every call below: the quotient, remainder and shifts are 0.
	return base / (by | g_div) + base % by + (base >> (by & 63)) + ((__s64)base >> (by & 31)) + (base << (by & 7));
}

SEC("raw_tp/sys_enter")
int dead_reused_loop(__u64 *ctx)
{
	__u64 a = ctx[0], b = ctx[1], c = ctx[2];
	__s64 d = (__s64)ctx[3];
	__u64 t = a * 3 + 1;
	ts_put(&results, 0, t);
	// t is reused by this loop, and nothing reads it afterwards.
	for (int i = 0; i < 12; i++) {
		if (t & 1)
			t = t * 3 + b;
		else
			t >>= 1;
	}
	ts_put(&results, 1, scaled(a & 0, b) + scaled((a ^ a) + (c - c), c));
	ts_put(&results, 2, (b / 1) + (c % 1) + ((__u64)(d / 1) ^ 5) + (__u32)((__u32)b / 1));
	ts_put(&results, 3, (__u64)(d % 1) + (__u64)((__s32)d / 1));
	// The same loop on a variable read afterwards stays.
	__u64 u = b | 1;
	for (int i = 0; i < 12; i++) {
		if (u & 1)
			u = u * 3 + a;
		else
			u >>= 1;
	}
	ts_put(&results, 4, u);
	ts_put(&results, 5, g_div);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
