// -mcpu=v2: no 32-bit subregister ALU or jmp32; 32-bit arithmetic, comparisons and
// zero-extension must still be exact (wraparound of u32 sums, signed 32-bit compares).
// @ctx ffffffff000000000100000000000000
// @ctx 05000000000000000000008000000000
// @ctx 7856341200000000f0debc9a00000000
// @ctx f0ffffff00000000f1ffffff00000000
// @cflags -mcpu=v2
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(6);

SEC("raw_tp/sys_enter")
int cpu_v2(__u64 *ctx)
{
	__u32 a = (__u32)ctx[0], b = (__u32)ctx[1];
	__s32 sa = (__s32)a, sb = (__s32)b;
	ts_put(&results, 0, a + b);
	ts_put(&results, 1, a * b);
	ts_put(&results, 2, (__u32)(a - b) >> 3);
	ts_put(&results, 3, (sa < sb) | (a < b) << 1 | (sa <= -1) << 2 | (b >= 0x80000000u) << 3);
	ts_put(&results, 4, (__u64)(__s64)(sa >> 4));
	__u32 acc = 0;
	for (int i = 0; i < 10; i++)
		acc = (acc << 3) ^ (acc >> 29) ^ (a + i);
	ts_put(&results, 5, acc);
	return sa < sb ? 1 : 2;
}

char LICENSE[] SEC("license") = "GPL";
