// A goto where a variable with a cleanup is in scope: the jump may leave the scope, and
// the cleanup would have to run on that path; refused rather than skipped silently.
// @expect-error 'goto' where a variable with __attribute__((cleanup)) is in scope is not supported
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

__u64 seen;
static void note(__u32 *v) { seen += *v; }

SEC("xdp")
int cleanup_goto(struct xdp_md *ctx)
{
    __u32 tag __attribute__((cleanup(note))) = 1;
    if (ctx->data == ctx->data_end)
        goto out;
    seen++;
out:
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
