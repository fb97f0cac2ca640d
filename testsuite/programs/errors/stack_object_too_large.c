// A local far larger than the 512-byte stack is refused where it is declared (the
// optimizer tracks a stack object's bytes: one of 34 GB, made by mutating a testsuite
// program, stopped it out of memory).
// @expect-error variable 'big' of 1048576 bytes does not fit the BPF stack (512 bytes)
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int huge_local(struct xdp_md *ctx)
{
	char big[1 << 20];
	big[ctx->rx_queue_index & 7] = 1;
	return big[1] ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
