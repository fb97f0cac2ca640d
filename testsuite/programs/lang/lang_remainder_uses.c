// Remainders by constants in a loop that calls a helper every round: `x % 5` and
// `y % 7` only mixed into a value the loop tests. The verifier works out no bound for a
// remainder; an array index needs one exactly (a never-taken clamp after the remainder
// gives it), these only some bound: a mask gives it, and takes no branch to walk.
// @input 000000000000000007000000ff000000010000000200000003000000000000000000000000000000
// @input 0000000000000000ffffffff123456780a0000001400000064000000000000000000000000000000
// @input 00000000000000000000000000000000ffffffff00000080feffffff000000000000000000000000
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(4);

SEC("xdp")
int remainder_uses(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	if (data + 40 > data_end)
		return XDP_ABORTED;
	__u32 x = *(__u32 *)(data + 8);
	__u32 y = *(__u32 *)(data + 12);
	__u32 rounds = *(__u8 *)(data + 16) & 7;
	__u64 acc = 0;
	for (__u32 i = 0; i < rounds; i++) {
		ts_put(&results, 0, acc);
		if ((((x % 5) * (i + 1)) ^ (y % 7)) > 3)
			acc += 3;
		else
			acc ^= i;
		x = x * 33 + 1;
	}
	ts_put(&results, 1, acc);
	ts_put(&results, 2, x);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
