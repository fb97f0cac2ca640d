// Static functions (inlined), __noinline static and global functions as BPF-to-BPF calls.
// @input 0000000000000000000000000800050607
// @input 0000000000000000000000000800f0f1f2
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

static __noinline int mix(int a, int b, int c)
{
    return (a * 31 + b) ^ c;
}

__noinline int global_add(int a, int b, int c, int d, int e)
{
    return a + b + c + d + e;
}

static int twice(int x) { return x * 2; }

SEC("xdp")
int subprogs(struct xdp_md *ctx)
{
    unsigned char *p = (void *)(long)ctx->data;
    if ((void *)(p + 17) > (void *)(long)ctx->data_end)
        return XDP_ABORTED;
    int a = p[14], b = p[15], c = p[16];
    int r = mix(a, b, c) + global_add(a, b, c, 1, 2) + twice(a);
    return r % 5;
}

char LICENSE[] SEC("license") = "GPL";
