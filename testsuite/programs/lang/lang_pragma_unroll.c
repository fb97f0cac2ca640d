// XDP: loops under `#pragma unroll` and `#pragma clang loop unroll(full)` with more
// iterations than the compilers unroll by themselves (48 and 40) are unrolled fully, as
// clang does; a loop under `#pragma unroll 4` (a count) is not asked to be. Each sums
// packet bytes at constant offsets with early exits.
// @input 00112233445566778899aabb08004500003c000100004011f9cc0a0000010a00000204d2000000000000000000000000000000000000000000000000000000000000000000000000
// @input 00112233445566778899aabb86dd600000000008114001020304050607080910111213141516171819202122232425262728293031323334353637383940414243444546474849
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(3);

SEC("xdp")
int pragma_unroll(struct xdp_md *ctx)
{
	unsigned char *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	__u64 a = 0, b = 0, c = 0;

	if ((void *)(data + 62) > end)
		return XDP_ABORTED;
#pragma unroll
	for (int i = 0; i < 48; i++) {
		if (data[14 + i] == 0x99)
			break;
		a = a * 3 + data[14 + i];
	}
#pragma clang loop unroll(full)
	for (int i = 0; i < 40; i++) {
		if (data[20 + i] & 1)
			continue;
		b += data[20 + i] << (i & 7);
	}
#pragma unroll 4
	for (int i = 0; i < 40; i++)
		c ^= data[(i & 31) + 14] + i;
	ts_put(&results, 0, a);
	ts_put(&results, 1, b);
	ts_put(&results, 2, c);
	return (a ^ b ^ c) & 1 ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
