// XDP: a byte budget drawn down by `__sync_fetch_and_sub` on a local in a loop, the value
// before each draw kept and returned. The budget's address goes nowhere else, but the
// atomic stays (`LocalAtomics.carriedByFetches`): as a plain value the verifier would carry
// the budget's range round the loop, split by the `budget > 64` test every round, and walk
// the rounds apart (17,772 instructions before, 2,309 now; clang's build, which keeps the
// atomic too, 4,020).
// @input 4100000003010200000000000000000000
// @input ff000000010100050000000000000000ff
// @input 4000000001030107000000000000000011
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(2);

__u32 over_budget;

SEC("xdp")
int local_fetch_budget(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	__u8 *p = data;

	if ((void *)(p + 16) > end)
		return XDP_PASS;
	__u32 budget;
	__builtin_memcpy(&budget, p, sizeof(budget));
	__u8 cost = p[4], mask = p[5], limit = p[6];
	__u16 prev = p[7];
	for (int r = 0; r < 8; r++) {
		__u32 k = 0;
		while (k < 2) {
			k++;
			over_budget = budget > 64;
			mask &= cost == 1;
			if (mask < limit)
				break;
			prev = __sync_fetch_and_sub(&budget, cost);
		}
	}
	ts_put(&results, 0, budget);
	ts_put(&results, 1, mask);
	return (prev ^ budget) & 3;
}

char LICENSE[] SEC("license") = "GPL";
