// XDP: a statement-expression macro that declares its labels local (`__label__`) and jumps
// to them, used three times in one function and once in a loop: each use has labels of
// its own. (The second use's `goto` went to the first use's label before.)
// @input 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f2021222324252627
// @input ff10ee20dd30cc40bb50aa6099708880
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(3);

/* x scaled by 3 unless it is above the limit, which it is then clamped to. */
#define scaled_or_limit(x, limit)          \
	({                                 \
		__label__ clamp, done;     \
		__u32 v = (x);             \
		if (v > (limit))           \
			goto clamp;        \
		v *= 3;                    \
		goto done;                 \
	clamp:                             \
		v = (limit);               \
	done:                              \
		v;                         \
	})

SEC("xdp")
int local_labels(struct xdp_md *ctx)
{
	__u8 *data = (void *)(long)ctx->data;
	__u8 *end = (void *)(long)ctx->data_end;
	if (data + 16 > end)
		return XDP_DROP;
	__u32 a = scaled_or_limit(data[0], 100);
	__u32 b = scaled_or_limit(data[1], 50);
	__u32 c = scaled_or_limit(data[2] + data[3], 300);
	ts_put(&results, 0, a * 1000000 + b * 1000 + c);
	__u32 sum = 0;
	for (int i = 4; i < 16; i++)
		sum += scaled_or_limit(data[i], 0x80);
	ts_put(&results, 1, sum);
	return a > b ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
