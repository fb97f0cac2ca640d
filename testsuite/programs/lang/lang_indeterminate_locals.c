// Locals read before anything is assigned to them on some path. C leaves their value
// indeterminate; the verifier refuses a register nothing wrote ("R7 !read_ok") on any
// path it cannot rule out, and clang's build loads. `pull` is katran's
// `tc_decap_info.bpf.c` shape: `hdr_len` is never assigned, yet bounds a packet check
// (clang reads it as 0; so do we). `len` is assigned when a flag is set and read when a
// second copy of the flag is set: the inputs keep the two alike, the verifier walks the
// path where they differ.
// @input 0000000000000000000000000800010001000a0b0c0d0e0f1011121314151617
// @input 0000000000000000000000000800000000001a1b1c1d1e1f2021222324252627
// @input 0000000000000000000000000800010001ff3a3b3c3d3e3f4041424344454647
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(3);

static __always_inline int pull(struct xdp_md *ctx, __u32 *offset)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 hdr_len;

	if (data + 14 > data_end)
		return -1;
	*offset = 14 + (*(__u8 *)(data + 12) & 7);
	if (data + hdr_len + 1 > data_end)
		return -1;
	return 0;
}

SEC("xdp")
int indeterminate_locals(struct xdp_md *ctx)
{
	__u32 offset = 0;
	if (pull(ctx, &offset))
		return XDP_ABORTED;
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	if (data + 32 > data_end)
		return XDP_ABORTED;
	__u8 flag = *(__u8 *)(data + 14);
	__u8 again = *(__u8 *)(data + 16);
	__u32 len;
	if (flag & 1)
		len = *(__u8 *)(data + 17) + offset;
	ts_put(&results, 0, offset);
	__u64 sum = flag;
	if (again & 1)
		sum += len * 3;
	ts_put(&results, 1, sum);
	ts_put(&results, 2, again);
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
