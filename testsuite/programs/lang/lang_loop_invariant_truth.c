// Truth values and arithmetic a loop computes from values it never changes:
// `(a >= b) > (c || b)` and `a * 7 + (c >> 3)` inside a loop of up to 31 rounds,
// and a comparison in the middle of the body after the accumulator's update. Both
// compilers compute them once before the loop; inside it, each comparison of two
// registers narrowed their ranges differently round after round, and the verifier's
// states stopped matching (21,906 verified instructions for 40 rounds before; clang
// 121 once it unrolls them).
// @input 00000000000000000005000000000000000000000000000000000000000000000000000000000000000000000000000000000000
// @input 0000000000000000ff280000000000000000000000000000f0ffffff00000000000000000000000000000000000000000000000000
// @input 000000000000000000170000000000000000000000000000070000000000000000000000000000000000000000000000000000000000
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(4);

SEC("xdp")
int loop_invariant_truth(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	if (data + 52 > data_end)
		return XDP_ABORTED;
	__s32 a = *(__s32 *)(data + 24);
	__u8 b = *(__u8 *)(data + 8);
	__u32 c = *(__u32 *)(data + 28);
	__u32 rounds = *(__u8 *)(data + 9) & 31;
	__u64 acc = 0, odd = 0;
	for (__u32 i = 0; i < rounds; i++) {
		acc += ((a >= b) > (c || b)) + (a * 7 + (c >> 3));
		acc ^= i;
		odd += acc & 1;
		odd += (__s32)c < a;
	}
	ts_put(&results, 0, acc);
	ts_put(&results, 1, odd);
	ts_put(&results, 2, rounds);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
