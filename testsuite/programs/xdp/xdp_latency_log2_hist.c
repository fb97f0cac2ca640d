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
#include "ts_log2.h"

TS_RESULTS(3);

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
