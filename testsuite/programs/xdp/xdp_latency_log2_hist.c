// A latency histogram as tracing tools keep one, over two times read from the packet:
// the delta in microseconds (a division by 1000), its log2 by four compare-and-shift
// steps on the upper or lower half, rounded up unless it is a power of two, the bucket
// clamped to 27. The upper half's first step tests `(d >> 32) > 0xffff`: tested on the
// quotient, the test narrows the value the steps then shift, and the bucket's clamp,
// decided on the upper half, made every step's amount precise (all 16 paths of the half
// walked); tested on the undivided time (`t > 0x3e7ffffffffffff`, as clang's build does),
// the half's paths are pruned (`QuotientCompares`).
// @input 00000000000000000000000000000000
// @input 0000000000000000e803000000000000
// @input 00e40b5402000000c0f5e89905000000
// @input 00000000000000000010a5d4e8000000
// @input 0100000000000000ffffffffffffffff
// @input 0000000000000000001000000e000000
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(3);

static __always_inline __u32 floor_log2_32(__u32 v)
{
	__u32 bits = (v > 0xffff) << 4;
	v >>= bits;
	__u32 step = (v > 0xff) << 3;
	v >>= step;
	bits |= step;
	step = (v > 0xf) << 2;
	v >>= step;
	bits |= step;
	step = (v > 0x3) << 1;
	v >>= step;
	bits |= step;
	return bits | (v >> 1);
}

static __always_inline __u64 floor_log2_64(__u64 v)
{
	__u32 upper = v >> 32;
	if (upper)
		return floor_log2_32(upper) + 32;
	return floor_log2_32(v);
}

/* The bucket of v: 0 for 0, else the log2 rounded up (a power of two is its own). */
static __always_inline __u64 bucket_of(__u64 v)
{
	__u64 b = floor_log2_64(v);
	if (b == 0)
		return 0;
	return (2ULL << (b - 1)) == v ? b : b + 1;
}

SEC("xdp")
int latency_log2_hist(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	if (data + 16 > data_end)
		return XDP_PASS;
	__u64 start = *(__u64 *)data, now = *(__u64 *)(data + 8);
	__u64 delta = (now - start) / 1000;
	__u8 bucket = bucket_of(delta);
	if (bucket > 27)
		bucket = 27;
	ts_put(&results, 0, bucket);
	if (delta > 0)
		ts_put(&results, 1, delta);
	ts_put(&results, 2, bucket_of(now & 0xffff));
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
