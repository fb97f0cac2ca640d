// @expect-error floating point
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
SEC("xdp")
int fp(struct xdp_md *ctx)
{
    double d = ctx->data_end - ctx->data;
    return d * 1.5;
}
