// A copy whose size is still a variable once everything is folded (it comes from the
// packet): BPF has no memcpy, and a copy is expanded inline only when its size is a
// constant, here or after folding (lang_folded_copy_sizes.c).
// @expect-error '__builtin_memcpy' needs a constant size
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char buf[64];

static __always_inline void take(const void *from, __u32 n)
{
	if (n > 32)
		n = 32;
	__builtin_memcpy(buf, from, n);
}

SEC("xdp")
int memcpy_size_not_constant(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	if (data + 40 > end)
		return XDP_PASS;
	take(data, ctx->rx_queue_index);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
