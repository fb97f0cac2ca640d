// Values that are one variable xor-ed with a constant: `x ^ (0x7fffffff - x)` is
// 0x7fffffff in 32 bits whatever x is (subtracting from a constant whose bits below the
// top one are all ones borrows nowhere), adding the top bit is xor-ing it, and two such
// forms of one value cancel. Carried around a loop, the folded variable holds a constant
// the verifier follows without the history of the other variables it was mixed with.
// Each form is also computed where it does not fold (0x0fffffff - x borrows), so the
// folded and the run-time results are both checked.
// @ctx 0100000000000000
// @ctx ffffffff80000000
// @ctx 1234567876543210
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(4);

SEC("raw_tp/sys_enter")
int xor_forms(__u64 *ctx)
{
	__u64 x = ctx[0];
	int a = (int)x;
	unsigned int u = (unsigned int)(x >> 32);

	a ^= (unsigned long)0x7fffffffl - (unsigned long)a;
	ts_put(&results, 0, (__u64)(unsigned int)a);

	unsigned int b = u ^ (0x0fffffffu - u);
	unsigned int c = (u + 0x80000000u) ^ u;
	unsigned int d = ((u ^ 0x55u) - 0x80000000u) ^ (u ^ 0x3u);
	ts_put(&results, 1, ((__u64)b << 32) | (c ^ d));

	__u64 l = x ^ (0x7fffffffffffffffULL - x);
	ts_put(&results, 2, l);

	/* A variable folded in a loop, mixed into another the loop tests. */
	int v = (int)u, w = (int)x;
	for (int i = 0; i < 6; i++) {
		w += v & 0xff;
		v ^= (unsigned long)0x7fffffffl - (unsigned long)v;
		if ((w & 3) == 1)
			v += i;
		w |= v & 0x10;
	}
	ts_put(&results, 3, ((__u64)(unsigned int)v << 32) | (unsigned int)w);
	return 0;
}

char _license[] SEC("license") = "GPL";
