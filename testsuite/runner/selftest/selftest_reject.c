// Harness self-test: reads the packet without a bounds check, so the verifier refuses
// it; the harness must report the load failure with the verifier's reason.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int selftest_reject(struct xdp_md *ctx)
{
    unsigned char *data = (void *)(long)ctx->data;
    return data[20];
}

char LICENSE[] SEC("license") = "GPL";
