// @expect-error unsupported signed division
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int sdiv(struct xdp_md *ctx)
{
    int a = ctx->data_end - ctx->data;
    int b = ctx->ingress_ifindex - 100;
    return a / b;
}
