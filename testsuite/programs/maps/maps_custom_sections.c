// Global data in every kind of section: .data, .bss, .rodata (static const tables),
// const volatile config in .rodata, and custom .data.counters / .rodata.limits sections;
// XDP program reads config and updates counters by payload byte.
// @input 020000000001020000000002ffff0503
// @input 020000000001020000000002ffffff07
// @input 020000000001020000000002ffff7801
// @input 020000000001020000000002ffff3200
// @input 020000000001020000000002ffff6401
// @input 020000000001020000000002ffff
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

const volatile __u32 cfg_threshold = 100;
const volatile __u8 cfg_mode = 2;
static const __u16 weights[8] = { 1, 2, 4, 8, 16, 32, 64, 128 };

__u64 data_total = 7;             /* .data */
__u32 bss_hist[8];                /* .bss */
__u32 bss_last;                   /* .bss */
__u64 custom_a SEC(".data.counters") = 1;
__u64 custom_b[2] SEC(".data.counters") = { 3, 4 };
const __u32 limit_lo SEC(".rodata.limits") = 10;
const __u32 limit_hi SEC(".rodata.limits") = 200;

SEC("xdp")
int custom_sections(struct xdp_md *ctx)
{
	__u8 *p = (void *)(long)ctx->data + 14;
	if ((void *)(p + 2) > (void *)(long)ctx->data_end)
		return XDP_ABORTED;
	__u8 v = p[0];
	__u32 bucket = p[1] & 7;
	bss_hist[bucket] += weights[bucket];
	data_total += v;
	bss_last = v;
	if (v < limit_lo) {
		custom_a++;
		return XDP_DROP;
	}
	if (v > limit_hi) {
		custom_b[1] += v;
		return XDP_TX;
	}
	custom_b[0] += cfg_mode;
	return v > cfg_threshold ? XDP_PASS : XDP_REDIRECT + bss_last % 2;
}

char LICENSE[] SEC("license") = "GPL";
