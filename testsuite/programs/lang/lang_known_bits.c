// Masks and tests that known bits decide: `(x | 0xffff) & 1` is 1, `((b << 4) | 3) & 0xf`
// is 3, `(b << 4) == 0x13` never holds, `(5 | x) != (c >> 9)` of a byte `c` always holds
// (`c` assigned twice: its bound gives the clear bits). A switch on `((x | 0xffff) &
// flag) % 6` can only take cases 0 and 1: the other cases' inlined work goes, as clang's
// known-bits analysis removes it. Masks reaching unknown bits are computed at run time.
// @ctx 0100000000000000
// @ctx ff00ff00ff00ff00
// @ctx 1234567876543210
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(4);

static __always_inline __u64 heavy(__u64 v)
{
	for (int i = 0; i < 8; i++)
		v = v * 31 + (v >> 7);
	return v;
}

SEC("raw_tp/sys_enter")
int known_bits(__u64 *ctx)
{
	__u64 x = ctx[0];
	unsigned char b = (unsigned char)(x >> 8);
	unsigned int flag = b > 100;
	__u64 r = 0;

	switch (((unsigned int)(x | 0xffff) & flag) % 6) {
	case 0:
		r = 10;
		break;
	case 1:
		r = 20;
		break;
	case 3:
		r = heavy(x);
		break;
	case 5:
		r = heavy(x + 1);
		break;
	}
	ts_put(&results, 0, r);
	ts_put(&results, 1, ((((__u64)b << 4) | 3) & 0xf) + (((__u64)b | 0xff00) | 0xff) +
			    (((__u64)b << 4) == 0x13 ? heavy(x) : 7));
	ts_put(&results, 2, ((x | 0xffff) & 0x10000) + ((x << 4) & 0x30));

	/* A byte, or 0 where the context says so, shifted right by 9 is 0: never equal to an
	   `or` with bit 0 set. */
	unsigned char c = 0;
	if (x & 0x10000)
		c = (unsigned char)x + 1;
	ts_put(&results, 3, (5 | (int)x) != (c >> 9) ? 1 : heavy(x));
	return 0;
}

char _license[] SEC("license") = "GPL";
