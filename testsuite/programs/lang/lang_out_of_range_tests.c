// Equality tests that the operand's range decides once the operation is undone:
// `21 != -(unsigned)byte` (the negation of a byte is 0 or above 0xffffff00), `byte + 300
// == 10`, `(byte ^ 0x100) == 3`, `half - 70000 == 5` are always the same way, so the
// branch and what only one side needs go, as clang decides them. Tests the range does not
// decide (`-byte == 0xffffffeb`, `byte + 3 == 10`) stay and are checked at run time.
// @ctx 0100000000000000
// @ctx ff00000000000000
// @ctx 07000000fbffffff
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(3);

static __u64 table[4] = {3, 5, 7, 11};

static __always_inline __u64 pick(unsigned char b, __u64 i)
{
	if (21ll != (-(unsigned int)b))
		return table[i & 3];
	return table[(i + 1) & 3] * 1000;
}

SEC("raw_tp/sys_enter")
int out_of_range_tests(__u64 *ctx)
{
	__u64 x = ctx[0];
	unsigned char b = (unsigned char)x;
	unsigned short h = (unsigned short)(x >> 8);
	__u64 bits = 0;

	if ((unsigned int)b + 300u == 10u)
		bits |= 1;
	if ((b ^ 0x100) == 3)
		bits |= 2;
	if ((unsigned int)h - 70000u == 5u)
		bits |= 4;
	if (-(unsigned int)b == 0xffffffebu)
		bits |= 8;
	if ((unsigned int)b + 3u == 10u)
		bits |= 16;
	ts_put(&results, 0, bits);
	ts_put(&results, 1, pick(b, x >> 32) + pick((unsigned char)(x >> 32), b));
	ts_put(&results, 2, (unsigned int)b - 7u == 0 ? 1 : 2);
	return 0;
}

char _license[] SEC("license") = "GPL";
