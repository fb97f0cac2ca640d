// Ordering tests' truth values in a loop that calls a helper every round:
// `in7 -= (lo >= limit)` and `(seen < 200) + (k > 9)` with `lo`, `limit` and `k`
// bytes the loop never changes. The calls keep them inside the loop; made with a
// branch, each test decided `lo` and `limit` for the verifier, the product they feed
// is tested each round, and its states differing in them were walked apart round
// after round. Computed as the sign of a difference, they are one path.
// @input 0000000000000000050a0b000000000000ff00000700000000000000000000000000000000000000000000000000000000000000
// @input 00000000000000000a05c8000000000000000000ff00000000000000000000000000000000000000000000000000000000000000
// @input 00000000000000007f7f010000000000000000000100000000000000000000000000000000000000000000000000000000000000
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(4);

SEC("xdp")
int ordering_truth_calls(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	if (data + 52 > data_end)
		return XDP_ABORTED;
	__u8 lo = *(__u8 *)(data + 8);
	__u8 limit = *(__u8 *)(data + 9);
	__u8 k = *(__u8 *)(data + 10);
	__u32 in7 = *(__u32 *)(data + 16);
	__u32 mix = *(__u32 *)(data + 20);
	__u64 seen = 0;
	for (__u32 i = 0; i < 7; i++) {
		ts_put(&results, 0, mix);
		if (__builtin_popcount(mix) > 3)
			seen += mix & 7;
		in7 -= (lo >= limit);
		mix *= in7;
		mix ^= (seen < 200) + (k > 9);
	}
	ts_put(&results, 1, seen);
	ts_put(&results, 2, in7);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
