// Truth values of bounded numbers computed in every round of unrolled loops: whether a
// byte stepped each round is non-zero, folded into a parity, and how many nibbles of a
// word are zero. swift-bpfcc computes `b != 0` as `-b >> 63` and `n == 0` as `(n - 1) >> 63`
// (`TruthArithmetic`), without a branch: the verifier walks one path per round, and no
// test refines `b`, so the rounds after it are not decided one way or the other.
// @ctx 0000000000000000 0000000000000000
// @ctx 00000000000000ff 0000000000000005
// @ctx 1234567876543210 f0f00000ffff0123
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(3);

__u8 seen;

SEC("raw_tp/sys_enter")
int truth_arithmetic(__u64 *ctx)
{
	__u8 b = ctx[0];
	__u8 step = (ctx[1] & 7) * 4;
	__u64 word = ctx[1];
	__u32 parity = 0, zeros = 0;

	for (int round = 0; round < 4; round++) {
		for (int i = 0; i < 6; i++) {
			parity ^= b != 0;
			b += step;
		}
		seen ^= parity;
	}
	for (int i = 0; i < 16; i++)
		zeros += ((word >> (i * 4)) & 0xf) == 0;
	ts_put(&results, 0, parity);
	ts_put(&results, 1, zeros);
	ts_put(&results, 2, seen + b);
	return 0;
}

char _license[] SEC("license") = "GPL";
