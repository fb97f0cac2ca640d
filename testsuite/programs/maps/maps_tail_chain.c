// XDP tail-call chain: entry dispatches on the first payload byte through a prog array
// whose slots are filled at load time (.values with designated indexes, a hole at 2);
// stages use bpf_tail_call_static (inline asm) and record progress in a .bss array.
// @input 020000000001020000000002ffff00
// @input 020000000001020000000002ffff01
// @input 020000000001020000000002ffff02
// @input 020000000001020000000002ffff03
// @input 020000000001020000000002ffff05
// @input 020000000001020000000002ffff
// @prog entry
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

__u32 trail[4];

int stage_parse(struct xdp_md *ctx);
int stage_count(struct xdp_md *ctx);
int stage_final(struct xdp_md *ctx);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 4);
	__uint(key_size, sizeof(__u32));
	__array(values, int(struct xdp_md *));
} stages SEC(".maps") = {
	.values = {
		[0] = (void *)&stage_parse,
		[1] = (void *)&stage_count,
		[3] = (void *)&stage_final,
	},
};

static __always_inline __u8 first_byte(struct xdp_md *ctx)
{
	__u8 *p = (void *)(long)ctx->data + 14;
	if ((void *)(p + 1) > (void *)(long)ctx->data_end)
		return 0xff;
	return *p;
}

SEC("xdp")
int stage_parse(struct xdp_md *ctx)
{
	trail[1] += 10;
	bpf_tail_call_static(ctx, &stages, 1);
	return XDP_ABORTED;
}

SEC("xdp")
int stage_count(struct xdp_md *ctx)
{
	trail[1] += 1;
	if (first_byte(ctx) == 1)
		return XDP_TX;
	bpf_tail_call_static(ctx, &stages, 3);
	return XDP_DROP;
}

SEC("xdp")
int stage_final(struct xdp_md *ctx)
{
	trail[3]++;
	return XDP_PASS;
}

SEC("xdp")
int entry(struct xdp_md *ctx)
{
	__u8 b = first_byte(ctx);
	trail[0]++;
	if (b == 0xff)
		return XDP_ABORTED;
	bpf_tail_call(ctx, &stages, b & 3);
	trail[2]++; /* empty slot or out of range */
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
