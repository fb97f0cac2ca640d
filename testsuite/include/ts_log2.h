/* Log2 buckets of a latency histogram, as tracing tools compute them: the floor of the
 * base-2 logarithm by four compare-and-shift steps on the upper or the lower half of a
 * 64-bit value, then rounded up unless the value is a power of two (0 for 0). Shared by
 * xdp/xdp_latency_log2_hist.c and tracing/kretprobe_latency_hist.c. */
#ifndef TS_LOG2_H
#define TS_LOG2_H

#include <linux/types.h>

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

static __always_inline __u64 bucket_of(__u64 v)
{
	__u64 b = floor_log2_64(v);
	if (b == 0)
		return 0;
	return (2ULL << (b - 1)) == v ? b : b + 1;
}

#endif
