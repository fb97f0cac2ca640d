// A chain of calls whose frames add up near the verifier's limit for the whole chain
// (512 bytes, each frame rounded up), as falco's `recvmmsg.bpf.c` does: the entry's
// 224-byte buffer, then `fold` with two 192-byte buffers filled by
// `bpf_probe_read_kernel` one after the other. Kept apart (as swift-bpfcc lays out slots
// helpers fill, for the verifier's pruning), the chain would take 640 bytes and be
// refused ("combined stack size of 2 calls is 640. Too large"); shared, as clang shares
// them, it fits (`CallChainFrames`).
// @input 000000000000000000000000080045000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
// @input 0000000000000000000000000800ffeeddccbbaa99887766554433221100112233445566778899aabbccddeeff0011
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(3);

static __attribute__((noinline)) __u64 fold(const __u8 *src, __u32 seed)
{
	__u64 sum = seed;

	if (seed & 1) {
		__u32 words[40];
		if (bpf_probe_read_kernel(words, sizeof(words), src))
			return 1;
		for (int i = 0; i < 40; i++)
			sum = sum * 3 + words[i];
	} else {
		__u64 longs[24];
		if (bpf_probe_read_kernel(longs, sizeof(longs), src + 8))
			return 2;
		for (int i = 0; i < 24; i++)
			sum = sum * 5 ^ longs[i];
	}
	return sum;
}

SEC("xdp")
int call_chain_stack(struct xdp_md *ctx)
{
	__u8 buf[224] = {};

	if (bpf_xdp_load_bytes(ctx, 14, buf, 32))
		return XDP_ABORTED;
	for (int i = 32; i < 224; i++)
		buf[i] = buf[i & 31] + i;
	ts_put(&results, 0, fold(buf, ctx->ingress_ifindex));
	ts_put(&results, 1, fold(buf + 1, 7));
	ts_put(&results, 2, buf[200]);
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
