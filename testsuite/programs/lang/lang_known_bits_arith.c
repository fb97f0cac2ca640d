// Known bits through sums, differences, choices between constants and shifts by amounts
// only partly known. `(a <= b) + 105` is 105 or 106: bits 3, 5 and 6 are set whichever,
// so a byte `or`-ed with it is never 0. A byte shifted right by `(63 ^ flag) & 31` (30 or
// 31) is 0, so what was stored in it before is dead. `((x | 0xf0) - 0x10) & 0xf0` is
// 0xe0, and `x << ((x & 7) | 8)` has its low byte clear. The expensive arms are never
// taken; each result is also computed where known bits cannot decide it.
// @ctx 0100000000000000
// @ctx ff00ff00ff00ff00
// @ctx 1234567876543210
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(6);

static __always_inline __u64 heavy(__u64 v)
{
	for (int i = 0; i < 8; i++)
		v = v * 31 + (v >> 7);
	return v;
}

static __always_inline signed char with_flag(__s64 v, unsigned short a, unsigned short b)
{
	v |= (unsigned int)(a <= b) + 105u;
	return v;
}

SEC("raw_tp/sys_enter")
int known_bits_arith(__u64 *ctx)
{
	__u64 x = ctx[0];
	unsigned short a = x >> 16, b = x >> 32;
	unsigned char byte = x >> 8;

	ts_put(&results, 0, with_flag(x, a, b) ? 3 : heavy(x));

	unsigned char s = byte;
	if (x & 1)
		s = heavy(x);
	s >>= (63 ^ (x > 7)) & 31;
	ts_put(&results, 1, s + 1);

	ts_put(&results, 2, (((x | 0xf0) - 0x10) & 0xf0) + (((x | 0xf0) - 0x11) & 0xf0));
	ts_put(&results, 3, ((x << ((x & 7) | 8)) & 0xff) + ((x << (x & 7)) & 0xff));

	/* Where the bits are not all known, computed. */
	unsigned int c = (unsigned int)(a <= b) + (unsigned int)byte;
	ts_put(&results, 4, (c & 0x100) ? heavy(x) : c);
	ts_put(&results, 5, (byte >> ((x >> 40) & 7)) + ((__u64)a >> ((x & 3) | 4)));
	return 0;
}

char _license[] SEC("license") = "GPL";
