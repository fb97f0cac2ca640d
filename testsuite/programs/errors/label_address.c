// GNU C's address of a label (`&&label`, for a computed `goto *p`): eBPF has no
// indirect jump, so it is refused with a message that says so (before: an internal
// libclang node name).
// @expect-error the address of a label ('&&label', for a computed goto) is not supported
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int computed_goto(struct xdp_md *ctx)
{
	void *next = ctx->ingress_ifindex ? &&drop : &&pass;
	goto *next;
drop:
	return XDP_DROP;
pass:
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
