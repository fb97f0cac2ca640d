// A `__noinline` helper every call gives the same constant for one parameter (`mode`,
// here 2 from both calls) is compiled for that constant, as clang's interprocedural
// constant propagation does: the other modes' code (a byte-swapping loop, a division)
// goes, and the parameter with it; the parameter the calls give different values keeps
// its register. A helper called with two different constants keeps both paths.
// @ctx 0000000000000000 0000000000000000
// @ctx ff00ff00ff00ff00 0000000000000007
// @ctx 1234567876543210 00000000000000ff
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(4);

enum { MODE_SWAP = 1, MODE_FOLD = 2, MODE_DIV = 3 };

static __attribute__((noinline)) __u64 mix(__u64 v, int mode)
{
	__u64 r = 0;

	if (mode == MODE_SWAP) {
		for (int i = 0; i < 8; i++)
			r = (r << 8) | ((v >> (i * 8)) & 0xff);
	} else if (mode == MODE_FOLD) {
		r = (v >> 32) ^ (v & 0xffffffff);
	} else if (mode == MODE_DIV) {
		r = v / ((v & 0xff) | 1);
	}
	return r + mode;
}

static __attribute__((noinline)) __u64 scale(__u64 v, int shift)
{
	return (v << (shift & 31)) + shift;
}

SEC("raw_tp/sys_enter")
int constant_arguments(__u64 *ctx)
{
	__u64 x = ctx[0], y = ctx[1];

	ts_put(&results, 0, mix(x, MODE_FOLD));
	ts_put(&results, 1, mix(y, MODE_FOLD));
	ts_put(&results, 2, scale(x, 3) + scale(y, 5));
	ts_put(&results, 3, scale(x ^ y, 3));
	return 0;
}

char _license[] SEC("license") = "GPL";
