// XDP: a tail-call target declared (no SEC) before the program array that names it, given
// its section on a later prototype (as BPF_PROG-style macros do) and defined without one:
// the section of every declaration applies, so the target is a program libbpf can put in
// the array. The entry program counts and tail-calls it; the target's verdict is returned.
// @prog tail_decl_section
// @input 00112233445566778899aabb08004500001c000100004011f9cc0a0000010a00000204d2
// @input 00112233445566778899aabb86dd6000000000081140fd0000000000000000000000000000000133
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(2);

int stage_two(struct xdp_md *ctx);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 2);
	__uint(key_size, sizeof(__u32));
	__array(values, int(void *));
} stages SEC(".maps") = {
	.values = { [1] = (void *)&stage_two },
};

SEC("xdp")
int stage_two(struct xdp_md *ctx);

int stage_two(struct xdp_md *ctx)
{
	unsigned char *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;

	if ((void *)(data + 14) > end)
		return XDP_ABORTED;
	ts_put(&results, 1, data[12] << 8 | data[13]);
	return data[13] == 0xdd ? XDP_DROP : XDP_PASS;
}

SEC("xdp")
int tail_decl_section(struct xdp_md *ctx)
{
	ts_put(&results, 0, ctx->data_end - ctx->data);
	bpf_tail_call(ctx, &stages, 1);
	return XDP_ABORTED;
}

char LICENSE[] SEC("license") = "GPL";
