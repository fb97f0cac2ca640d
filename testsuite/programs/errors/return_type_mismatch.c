// @expect-error incompatible result type
// Returning a struct from a function declared to return int.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct verdict {
	int action;
	int reason;
};

SEC("xdp")
int mismatch(struct xdp_md *ctx)
{
	struct verdict v = { XDP_PASS, 0 };
	return v;
}

char LICENSE[] SEC("license") = "GPL";
