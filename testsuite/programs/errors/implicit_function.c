// @expect-error call to undeclared function 'frobnicate'
// Calling a function that was never declared (an error in C99 and later).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int implicit_function(struct xdp_md *ctx)
{
	return frobnicate(ctx->ingress_ifindex);
}

char LICENSE[] SEC("license") = "GPL";
