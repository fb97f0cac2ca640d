// The kernel selftests' `__sink(expr)`, `asm volatile("" : "+g"(expr))`: the value is
// taken to be read and changed by the empty statement, so the compiler keeps computing
// it (loop6.c, test_spin_lock.c). "g" allows a register, memory or a constant; as an
// output it is a register here (clang's build also takes memory for it, where the text
// names the operand).
// @input 00000000000000000000000008000102030405060708090a0b0c0d0e0f1011121314151617
// @input 0000000000000000000000000800ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

#define __sink(expr) asm volatile("" : "+g"(expr))

TS_RESULTS(3);

SEC("xdp")
int asm_sink(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	if (data + 38 > data_end)
		return XDP_ABORTED;
	__u32 credit = 0, out = 0;
	for (int i = 0; i < 16; i++) {
		__u8 b = *(__u8 *)(data + 14 + i);
		credit += b;
		__sink(credit);
		out = out * 3 + credit;
	}
	__u64 r = *(__u64 *)(data + 30);
	__sink(r);
	ts_put(&results, 0, credit);
	ts_put(&results, 1, out);
	ts_put(&results, 2, r);
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
