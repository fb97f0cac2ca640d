// A switch that jumps into a loop of its body (Duff's device): the loop may be lowered
// more than once (unrolled), and every copy would take the label, so the label is
// refused with its location (before, a crash and, for `default`, an endless loop).
// @expect-error a 'case' label inside a loop within its switch is not supported
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int duff(struct xdp_md *ctx)
{
	int n = ctx->ingress_ifindex & 3, r = 0;
	switch (n) {
	for (int i = 0; i < 4; i++) {
	case 1:
		r++;
	}
	}
	return r;
}

char LICENSE[] SEC("license") = "GPL";
