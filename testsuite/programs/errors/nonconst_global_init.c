// @expect-error initializer element is not a compile-time constant
// A global initialised from a run-time value: globals live in .data and need constants.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

static __u32 seed(void)
{
	return 7;
}

__u32 start = seed();

SEC("xdp")
int nonconst(struct xdp_md *ctx)
{
	return start ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
