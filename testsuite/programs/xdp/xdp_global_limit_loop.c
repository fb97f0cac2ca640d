// XDP: a loop over packet bytes reading a limit from a global while it stores counts to
// other globals every round: `limit > 0` and the load it tests leave the loop (a store
// at a constant offset from one global's address writes no other global), and the
// verifier forks on it once instead of every round (2,224 instructions walked before,
// 1,651 now; clang's build, which also keeps the select of the limit out, 1,109).
// @input 00050a0f14191e23282d32373c41464b
// @input ff00ff00ff00ff00ff00ff00ff00ff00
// @input 0102030405060708090a0b0c0d0e0f10
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(2);

__u32 limit = 20;
__u64 over_limit;
__u64 rounds;

SEC("xdp")
int global_limit_loop(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	__u8 *p = data;

	if ((void *)(p + 16) > end)
		return XDP_PASS;
	__u64 weight = 0;
	for (int i = 0; i < 16; i++) {
		rounds++;
		if (p[i] > (limit ? limit : 100))
			over_limit++;
		weight = weight * 3 + (limit > 0) + p[i];
	}
	ts_put(&results, 0, weight);
	ts_put(&results, 1, over_limit);
	return weight & 1 ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
