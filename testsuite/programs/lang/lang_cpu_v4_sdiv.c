// -mcpu=v4 on raw_tp args: 64- and 32-bit signed division and modulo by variables with
// negative operands (sdiv/smod), sign-extending moves (movsx) from s8/s16/s32, INT_MIN / -1
// avoided, unconditional bswap, a long jump-free dense computation.
// @ctx 64000000000000000700000000000000
// @ctx 9cffffffffffffff0700000000000000
// @ctx 6400000000000000f9ffffffffffffff
// @ctx 9cfffffffffffffff9ffffffffffffff
// @ctx ffffffffffffff7f0300000000000000
// @ctx fbffffffffffffff0000000000000000
// @ctx fbffffffffffffffffffffffffffffff
// @ctx 0180ffff000000800300000001000000
// @cflags -mcpu=v4
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(10);

SEC("raw_tp/sys_enter")
int cpu_v4_sdiv(__u64 *ctx)
{
	__s64 a = (__s64)ctx[0], b = (__s64)ctx[1];
	__s32 a32 = (__s32)a, b32 = (__s32)b;
	if (b == 0 || b32 == 0)
		return -1;
	if (b == -1 || b32 == -1)
		return -2;
	ts_put(&results, 0, (__u64)(a / b));
	ts_put(&results, 1, (__u64)(a % b));
	ts_put(&results, 2, (__u64)(__s64)(a32 / b32));
	ts_put(&results, 3, (__u64)(__s64)(a32 % b32));
	ts_put(&results, 4, (__u64)(a / 7));
	ts_put(&results, 5, (__u64)(a % -16));
	ts_put(&results, 6, (__u64)(__s64)(__s8)a + (__u64)(__s64)(__s16)b);
	ts_put(&results, 7, (__u64)(__s64)(__s32)(a >> 3));
	ts_put(&results, 8, __builtin_bswap64((__u64)a) + __builtin_bswap16((__u16)b));
	ts_put(&results, 9, (__u64)((__s16)a32 / (__s8)(b32 | 1)));
	return (int)(a / b);
}

char LICENSE[] SEC("license") = "GPL";
