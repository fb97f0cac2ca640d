// btf_decl_tag on a BPF-to-BPF function (kept in BTF as DECL_TAG, as clang does).
// @input 00000000000000000000000008000a
// @input 00000000000000000000000008ff0b
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

__attribute__((btf_decl_tag("tagged_fn"))) __noinline int tagged_add(int x, int y)
{
    return x + y;
}

SEC("xdp")
int decl_tag(struct xdp_md *ctx)
{
    unsigned char *p = (void *)(long)ctx->data;
    if ((void *)(p + 15) > (void *)(long)ctx->data_end)
        return XDP_ABORTED;
    return tagged_add(p[12] & 1, p[14] & 1) + 1;
}

char LICENSE[] SEC("license") = "GPL";
