// @expect-error stack
// A 600-byte local array, every byte written and read at a run-time index, so no
// optimisation can shrink it below the 512-byte BPF stack limit.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int too_big(struct xdp_md *ctx)
{
    char buf[600];
    for (int i = 0; i < 600; i++)
        buf[i] = (char)(i * 7);
    __u32 idx = ctx->ingress_ifindex % 600;
    return buf[idx];
}

char LICENSE[] SEC("license") = "GPL";
