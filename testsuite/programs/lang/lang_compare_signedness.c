// Comparisons: signed vs unsigned in every width, usual arithmetic conversions (int vs
// unsigned, long vs unsigned int), 32-bit compares on truncated values, boolean results as ints.
// @ctx 01000000000000000200000000000000
// @ctx ffffffffffffffff0100000000000000
// @ctx 00000080000000000500000000000000
// @ctx 38ff0000000000007f00000000000000
// @ctx 0100000001000000ffffffff00000000
// @ctx 00000000000000000000000000000000
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(2);

SEC("raw_tp/sys_enter")
int compare_signedness(__u64 *ctx)
{
	__u64 a = ctx[0], b = ctx[1];
	int ia = (int)a, ib = (int)b;
	unsigned ua = (unsigned)a, ub = (unsigned)b;
	long la = (long)a;
	__u64 bits = 0;
	int i = 0;
#define BIT(c) bits |= (__u64)((c) ? 1 : 0) << i++
	BIT(ia < ib);
	BIT(ua < ub);
	BIT(ia < ub);            /* converted to unsigned */
	BIT(la < ub);            /* ub converted to long */
	BIT((short)a < (short)b);
	BIT((unsigned short)a < (unsigned short)b);
	BIT((signed char)a > (signed char)b);
	BIT((unsigned char)a > (unsigned char)b);
	BIT(a > b);
	BIT((long)a > (long)b);
	BIT(ia <= -1);
	BIT(ua >= 0x80000000u);
	BIT(ia == (int)ub);
	BIT(la != (long)ua);
	BIT(ia >= ib && ua <= ub);
	BIT(-1 < 0u);            /* constant: false */
	BIT((__s64)a >= 0);
	BIT((__s32)a > 100);
	BIT((__u32)a > 100);
	BIT((__s16)a <= -200);
#undef BIT
	ts_put(&results, 0, bits);
	ts_put(&results, 1, (__u64)(ia < ib) + (ua < ub) * 2 + (la > 0) * 4);
	return (int)(bits & 0xffff);
}

char LICENSE[] SEC("license") = "GPL";
