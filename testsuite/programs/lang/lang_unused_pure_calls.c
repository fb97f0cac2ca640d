// XDP: calls whose results nothing reads. A `__noinline` function with no effect but its
// result is not called when its result is unused, as clang drops calls to `readnone`
// functions (200 of them in a loop here, and the loop with them). A call whose result is
// used stays, and so do calls of a function with an effect (a global counter bumped)
// whatever happens to their result. A loop whose results nothing reads goes whole.
// @input 00112233445566778899aabb0800450000280001000040060000c0a800010a00000a
// @input ffffffffffff665544332211080045000028000100004011000001020304050607080910
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(4);

__u32 bumps;

static __attribute__((noinline)) __u32 stir(__u32 x)
{
	x = x * 31 + (x >> 7);
	x ^= x << 5;
	x = x * 17 + (x >> 11);
	return x ^ (x >> 3);
}

static __attribute__((noinline)) __u32 bump(__u32 by)
{
	bumps += by;
	return bumps;
}

SEC("xdp")
int unused_pure_calls(struct xdp_md *ctx)
{
	__u8 *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;

	if ((void *)(data + 16) > end)
		return XDP_PASS;
	__u32 seed = data[5] << 8 | data[11];
	for (int i = 0; i < 200; i++)
		stir(seed + i);            /* result unused: not called */
	__u32 wasted = 0;
	for (int i = 0; i < 50; i++)
		wasted += (seed * i) ^ (wasted >> 3);   /* nothing reads it: the loop goes */
	bump(data[0]);                          /* an effect: called */
	ts_put(&results, 0, stir(seed | 1));
	ts_put(&results, 1, bump(2));
	ts_put(&results, 2, bumps);
	ts_put(&results, 3, seed);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
