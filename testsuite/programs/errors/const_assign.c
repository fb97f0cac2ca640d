// @expect-error cannot assign to variable 'limit' with const-qualified type
// Writing to a const-qualified variable.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int const_assign(struct xdp_md *ctx)
{
	const int limit = 64;
	if (ctx->data_end - ctx->data > limit)
		limit = 128;
	return limit > 100 ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
