// libbpf's barrier_var() (an empty inline asm tying a register) used to keep a bounds check
// the optimizer would otherwise reshape, and bpf_tail_call_static-free inline asm
// barriers (asm volatile("" ::: "memory")) between stores; XDP reads a length-prefixed field.
// @input 020000000001020000000002ffff03aabbcc
// @input 020000000001020000000002ffff0f0102
// @input 020000000001020000000002ffff00
// @input 020000000001020000000002ffff05010203040506
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(2);

SEC("xdp")
int barrier_var_prog(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	__u8 *p = data + 14;
	if ((void *)(p + 1) > end)
		return XDP_ABORTED;
	__u32 len = *p & 15;
	barrier_var(len);
	__u64 sum = 0;
	for (__u32 i = 0; i < 15; i++) {
		if (i >= len)
			break;
		__u8 *b = p + 1 + i;
		if ((void *)(b + 1) > end)
			return XDP_DROP;
		sum = sum * 17 + *b;
	}
	__u64 tmp = sum;
	asm volatile("" ::: "memory");
	ts_put(&results, 0, tmp);
	ts_put(&results, 1, len);
	return len ? XDP_PASS : XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
