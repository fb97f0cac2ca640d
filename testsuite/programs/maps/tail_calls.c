// Tail calls through a prog array with initial values (__array + .values).
// @input 0000000000000000000000000800000102
// @input 0000000000000000000000000800010102
// @input 0000000000000000000000000800050102
// @prog entry
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

int second(struct xdp_md *ctx);
int first(struct xdp_md *ctx);

struct {
    __uint(type, BPF_MAP_TYPE_PROG_ARRAY);
    __uint(max_entries, 4);
    __uint(key_size, sizeof(__u32));
    __array(values, int (void *));
} jumps SEC(".maps") = {
    .values = { [0] = (void *)&first, [1] = (void *)&second },
};

__u32 visited;

SEC("xdp")
int first(struct xdp_md *ctx) { visited |= 1; return XDP_DROP; }

SEC("xdp")
int second(struct xdp_md *ctx) { visited |= 2; return XDP_TX; }

SEC("xdp")
int entry(struct xdp_md *ctx)
{
    unsigned char *p = (void *)(long)ctx->data;
    if ((void *)(p + 15) > (void *)(long)ctx->data_end)
        return XDP_ABORTED;
    visited |= 4;
    bpf_tail_call(ctx, &jumps, p[14]);
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
