// Global (non-static) functions as BPF-to-BPF subprograms, verified on their own by the
// kernel: 5 scalar arguments, a pointer-to-context argument, a nullable map-value pointer,
// global functions calling each other; results returned through an XDP program.
// @input 020000000001020000000002ffff0102
// @input 020000000001020000000002ffff0703
// @input 020000000001020000000002ffffff
// @input 020000000001020000000002ffff1011aa
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} acc SEC(".maps");

__noinline int weigh(int a, int b, int c, int d, int e)
{
	return a * 10000 + b * 1000 + c * 100 + d * 10 + e;
}

__noinline int payload_byte(struct xdp_md *ctx, int off)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	if (off < 0 || off > 64)
		return -1;
	__u8 *p = data + off;
	if ((void *)(p + 1) > end)
		return -1;
	return *p;
}

__noinline int bump(__u64 *slot, int by)
{
	if (!slot)
		return -1;
	*slot += by;
	return (int)*slot;
}

__noinline int classify(struct xdp_md *ctx)
{
	int a = payload_byte(ctx, 14), b = payload_byte(ctx, 15);
	if (a < 0 || b < 0)
		return -1;
	return weigh(a & 7, b & 7, (a + b) & 7, (a ^ b) & 7, 1);
}

SEC("xdp")
int global_funcs(struct xdp_md *ctx)
{
	int w = classify(ctx);
	__u32 k = w < 0 ? 0 : (w & 3);
	bump(bpf_map_lookup_elem(&acc, &k), w);
	if (w < 0)
		return XDP_DROP;
	return w % 2 ? XDP_PASS : XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
