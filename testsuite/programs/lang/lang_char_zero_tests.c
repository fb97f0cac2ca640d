// `on ? (0 >= (unsigned long)c) : 0` of signed `char`s read from the packet, in each
// round of a 16-round loop that is unrolled: the test is one of the byte itself against
// 0 (tested as a sign-extended 64-bit value, every round split the verifier's paths
// again: over its limit), and the later rounds' copies of the expression are the first
// round's value (the extension inside it is read nowhere after), as clang computes it
// once. `(unsigned long)d > 0` likewise tests the byte.
// @input 00000000000000000000000000000000000000000000000000000000000000000000000000000000
// @input 0000000000000000000000000000000000000000000000000000000000000001ff000000000000ff
// @input 00000000000000000000000000000000000000000000000000000000000000000080000000000007
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(2);

SEC("xdp")
int char_zero_tests(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	if (data + 40 > data_end)
		return XDP_PASS;
	__s8 on = *(__s8 *)(data + 32);
	__s8 c = *(__s8 *)(data + 33);
	__s8 d = *(__s8 *)(data + 39);
	__u16 flags[16] = {};
	__u64 sum = 0;

	for (int i = 0; i < 16; i++)
		flags[i] = on ? ((__u64)0 >= (unsigned long)c) : 0;
	for (int i = 0; i < 16; i++)
		sum = (sum * 3) ^ (flags[i] << (i & 3)) ^ ((unsigned long)d > 0);
	ts_put(&results, 0, sum);
	ts_put(&results, 1, flags[7]);
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
