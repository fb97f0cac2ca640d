// Narrow accumulators in unrolled loops: a `__s8` running `acc * 5 + t` and a `__u8`
// hash of a word's bytes. Each round's product and sum feed only the next round's byte,
// so the masks and sign extensions C's conversions put between rounds read bits nobody
// uses: the rounds compute in 32 bits and one extension ends them, as clang's
// demanded-bits analysis makes them (`DemandedBits`: an extension demands only its
// operand's low bits).
// @ctx 0000000000000000 0000000000000000
// @ctx 00000000000000ff 0000000000000001
// @ctx 1234567876543210 fedcba9876543210
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(3);

SEC("raw_tp/sys_enter")
int byte_accumulators(__u64 *ctx)
{
	__u64 x = ctx[0], y = ctx[1];
	__s8 acc = x >> 8;
	__u8 h = 7;
	__u16 s = 1;

	for (int i = 0; i < 10; i++)
		acc = acc * 5 + (y & 3);
	ts_put(&results, 0, acc);
	for (int i = 0; i < 8; i++)
		h = h * 31 + (__u8)(x >> (i * 8));
	ts_put(&results, 1, h);
	for (int i = 0; i < 4; i++)
		s = (s << 3) ^ (__u16)(y >> (i * 16));
	ts_put(&results, 2, s);
	return 0;
}

char _license[] SEC("license") = "GPL";
