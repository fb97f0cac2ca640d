// `asm goto` (jumps from the text to C labels, as bpf_experimental.h's bpf_cmp_likely
// uses) is not supported yet: a diagnostic at the statement, no object.
// @expect-error 'asm goto' is not supported
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int asm_goto(struct xdp_md *ctx)
{
	__u32 v = ctx->ingress_ifindex;
	asm goto("if %[v] > 5 goto %l[big]" :: [v] "r"(v) :: big);
	return XDP_PASS;
big:
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
