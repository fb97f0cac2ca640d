// The same truth values computed again in each round of an unrolled loop:
// `(a < b) ^ (c >= d)` four times over values the rounds never change. Both compilers
// compute each comparison once (clang shares its compare values; swift-bpfcc's
// RegionNumbering makes the later branch regions copies of the first), so the
// verifier does not walk every combination of the four rounds' branches.
// @input 00000000000000000000000000000000000000000000000000000000000000000000000000000000
// @input 0000000000000000050000000a000000f0ffffff0300000000000000000000000000000000000000
// @input 00000000000000000900000002000000010000000100000000000000000000000000000000000000
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(4);

SEC("xdp")
int repeated_truth(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	if (data + 40 > data_end)
		return XDP_ABORTED;
	__u32 a = *(__u32 *)(data + 8), b = *(__u32 *)(data + 12);
	__s32 c = *(__s32 *)(data + 16), d = *(__s32 *)(data + 20);
	__u64 acc = 7, odd = 0;
	for (int i = 0; i < 4; i++) {
		acc = acc * 3 + ((a < b) ^ (c >= d)) + i;
		odd += (c >= d) * i;
	}
	ts_put(&results, 0, acc);
	ts_put(&results, 1, odd);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
