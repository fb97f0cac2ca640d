// An "i" operand must be an integer constant expression; BPF has no memory constraint.
// @expect-error asm operand with constraint 'i' needs an integer constant expression
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int bad_constraint(struct xdp_md *ctx)
{
	__u64 v = ctx->ingress_ifindex, r;
	asm volatile("%0 = %1" : "=r"(r) : "i"(v));
	return r & 1;
}

char LICENSE[] SEC("license") = "GPL";
