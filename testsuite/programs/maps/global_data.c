// Globals in .data, .bss, .rodata, custom .data.* section, const volatile configuration.
// @input 000000000000000000000000080001
// @input 000000000000000000000000080002
// @input 000000000000000000000000080003
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

const volatile __u32 config_mult = 3;
const volatile __u8 config_enabled = 1;
__u64 packets = 5;            /* .data */
__u64 bytes_seen;             /* .bss */
static __u32 hidden_counter;  /* static .bss */
__u32 custom_value SEC(".data.custom") = 42;
static const char table[4] = { 1, 2, 4, 8 };
struct stats { __u32 a, b; } stats = { .b = 7 };

SEC("xdp")
int globals(struct xdp_md *ctx)
{
    unsigned char *p = (void *)(long)ctx->data;
    if ((void *)(p + 15) > (void *)(long)ctx->data_end)
        return XDP_ABORTED;
    if (!config_enabled)
        return XDP_PASS;
    packets++;
    bytes_seen += (ctx->data_end - ctx->data) * config_mult;
    hidden_counter += p[14];
    custom_value ^= hidden_counter;
    stats.a += table[p[14] & 3];
    stats.b = stats.a + hidden_counter;
    return hidden_counter > 4 ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
