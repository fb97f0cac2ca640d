// Inline assembly the assembler cannot read: a diagnostic at the asm statement naming
// the statement of the text, no object.
// @expect-error invalid inline assembly: unknown instruction 'frobnicate' in 'r0 = frobnicate r1'
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int bad_asm(struct xdp_md *ctx)
{
	__u64 v = ctx->ingress_ifindex;
	asm volatile("%0 += 1\n\tr0 = frobnicate r1" : "+r"(v) :: "r0");
	return v & 1;
}

char LICENSE[] SEC("license") = "GPL";
