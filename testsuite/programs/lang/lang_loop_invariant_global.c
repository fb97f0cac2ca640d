// XDP: a counted loop whose every round stores a truth value computed from a global
// and from packet bytes the loop does not change. The global's load and the comparison
// are loop-invariant: computed once before the loop, the rounds only store (computed in
// every round, the verifier split each round on the comparison and stored a different
// byte on each side: a build that did so was over its limit). A second loop writes the
// global through a pointer, so its load stays in the loop.
// @input 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
// @input ff0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
// @input 070000000000000000000000000000000000000000000000000000000000f0ff
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(4);

static __u32 shift;

SEC("xdp")
int loop_invariant_global(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	__u8 *p = data;

	if ((void *)(p + 32) > end)
		return XDP_PASS;
	__u64 a;
	__builtin_memcpy(&a, p + 8, sizeof(a));
	__s32 b = *(__s32 *)(p + 20);
	__u8 c = p[11];
	if (p[0] == 7)
		shift = p[31] & 7;
	__u8 flags[16] = {0, 1, 5};
	for (int i = 0; i < 16; i++)
		flags[i] = ((a / (a | 1)) & (1 < b)) > ((c >> (shift & 31)) / 3);
	for (int i = 0; i < 16; i++)
		ts_put(&results, 0, flags[i] + i);

	__u32 *sp = p[1] == 0xff ? &shift : (__u32 *)&flags[4];
	__u32 acc = 0;
	for (int i = 0; i < 12; i++) {
		acc += (shift >> 1) ^ (__u32)i;
		*sp = acc & 15;
	}
	ts_put(&results, 1, acc);
	ts_put(&results, 2, shift);
	ts_put(&results, 3, flags[4] | (flags[7] << 8));
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
