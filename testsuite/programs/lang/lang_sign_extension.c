// Integer conversions from raw_tp u64 arguments: truncation to every width, sign extension
// of s8/s16/s32 into s64/u64, unsigned widening, and mixed-width arithmetic promotions.
// @ctx 80000000000000000300000000000000
// @ctx 80ff7f0000000000feffffff00000000
// @ctx 01000080ffffffff8967452301000000
// @ctx f0debc9a78563412ff00000000000000
// @ctx 00000000000000000000000000000000
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(16);

SEC("raw_tp/sys_enter")
int sign_extension(__u64 *ctx)
{
	__u64 a = ctx[0], b = ctx[1];
	__s8 s8 = (__s8)a;
	__s16 s16 = (__s16)a;
	__s32 s32 = (__s32)a;
	__u8 u8 = (__u8)a;
	__u16 u16 = (__u16)a;
	__u32 u32 = (__u32)a;
	ts_put(&results, 0, (__s64)s8);
	ts_put(&results, 1, (__s64)s16);
	ts_put(&results, 2, (__s64)s32);
	ts_put(&results, 3, (__u64)s8);          /* sign-extend then reinterpret */
	ts_put(&results, 4, (__u32)s16);         /* sign-extend to 32 only */
	ts_put(&results, 5, u8 + u16 + (__u64)u32);
	ts_put(&results, 6, (__s64)(s8 * s16));  /* int promotion */
	ts_put(&results, 7, (__u64)((unsigned)u8 * u8 * u8 * u8)); /* unsigned: int overflow would be UB */
	ts_put(&results, 8, (__s64)s32 * (__s64)(__s32)b);
	ts_put(&results, 9, (__u64)u32 * (__u32)b);
	ts_put(&results, 10, (__u32)(u32 * (__u32)b));
	ts_put(&results, 11, (__s64)(__s16)(u16 + (__u16)b));
	ts_put(&results, 12, (__u8)(s8 - (__s8)b));
	ts_put(&results, 13, (unsigned long)(long)(int)(short)(char)b);
	__s64 neg = -(__s64)u32;
	ts_put(&results, 14, neg);
	ts_put(&results, 15, (__u64)(__s64)(__s32)(u32 >> 1));
	return s8 < 0 ? 1 : (s16 < 0 ? 2 : (s32 < 0 ? 3 : 0));
}

char LICENSE[] SEC("license") = "GPL";
