// Shifts: logical and arithmetic right shifts of negative values in 8..64-bit types,
// shift counts from data (masked), left shifts into the sign bit, 32-bit shift wrap.
// @ctx ffffffffffffffff0100000000000000
// @ctx 18fcffffffffffff0700000000000000
// @ctx 00000000000000803f00000000000000
// @ctx efcdab89674523012100000000000000
// @ctx f0ffffff000000000400000000000000
// @ctx 05000000000000000000000000000000
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(16);

SEC("raw_tp/sys_enter")
int shifts(__u64 *ctx)
{
	__s64 s = (__s64)ctx[0];
	__u64 u = ctx[0];
	unsigned n = ctx[1] & 63;
	unsigned n32 = ctx[1] & 31;
	__s32 s32 = (__s32)s;
	__u32 u32 = (__u32)u;
	__s8 s8 = (__s8)s;
	__s16 s16 = (__s16)s;
	ts_put(&results, 0, s >> n);
	ts_put(&results, 1, u >> n);
	ts_put(&results, 2, u << n);
	ts_put(&results, 3, (__s64)(s32 >> n32));
	ts_put(&results, 4, u32 >> n32);
	ts_put(&results, 5, (__u32)(u32 << n32));
	ts_put(&results, 6, (__s64)(s8 >> 2));
	ts_put(&results, 7, (__s64)(s16 >> 9));
	ts_put(&results, 8, (__u64)((__u8)s8 >> 3));
	ts_put(&results, 9, s >> 63);
	ts_put(&results, 10, (__s64)(s32 >> 31));
	ts_put(&results, 11, (u >> 32) | (u << 32));
	ts_put(&results, 12, (__u32)((u32 >> (32 - n32 % 32 + 0) % 32) | (u32 << n32))); /* rotate */
	ts_put(&results, 13, (__u64)1 << n);
	ts_put(&results, 14, (__s64)((__s64)-1 << n) >> n);
	ts_put(&results, 15, (s < 0) ? (__u64)(-s) >> 1 : (__u64)s << 1);
	return (int)((u >> 60) & 0xf);
}

char LICENSE[] SEC("license") = "GPL";
