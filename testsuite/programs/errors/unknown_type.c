// @expect-error unknown type name 'u128_t'
// A type name that was never declared, used as a parameter type.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

static int widen(u128_t v)
{
	return v != 0;
}

SEC("xdp")
int unknown_type(struct xdp_md *ctx)
{
	return widen(ctx->data_end);
}

char LICENSE[] SEC("license") = "GPL";
