// @expect-error stack size
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int too_big(struct xdp_md *ctx)
{
    volatile char buf[600];
    for (int i = 0; i < 600; i += 100)
        buf[i] = i;
    return buf[100];
}
