// -mcpu=v1: no jmp32, no jlt/jle family: comparisons of 32-bit signed and unsigned values.
// @cflags -mcpu=v1
// @input 0000000000000000000000000800fffffffe00000005
// @input 00000000000000000000000008000000000700000009
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int v1(struct xdp_md *ctx)
{
    unsigned char *p = (void *)(long)ctx->data;
    if ((void *)(p + 22) > (void *)(long)ctx->data_end)
        return XDP_ABORTED;
    int a = *(int *)(p + 14);
    unsigned b = *(unsigned *)(p + 18);
    int r = 0;
    if (a < 5) r |= 1;
    if (a <= -2) r |= 2;
    if (b < 0x06000000u) r |= 4;
    if ((unsigned)a > b) r |= 8;
    if (a > (int)b) r |= 16;
    if (b >= 0xfffffff0u) r |= 32;
    return r % 4 + (r > 8);
}

char LICENSE[] SEC("license") = "GPL";
