// Wraparound arithmetic: unsigned overflow in every width, 64-bit multiply cross products
// of 32-bit halves, negation of unsigned values, INT_MIN magnitudes.
// @ctx ffffffffffffffffffffffffffffffff
// @ctx 89674523010000002143658709000000
// @ctx 00000000000000800200000000000000
// @ctx ffff000000000000ffff000000000000
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(8);

/* Cross products of 32-bit halves (a full 128-bit high part would be pattern-matched into
 * a 128-bit multiply libcall, which BPF does not have). */
static __always_inline __u64 cross(__u64 a, __u64 b)
{
	__u64 al = (__u32)a, ah = a >> 32, bl = (__u32)b, bh = b >> 32;
	return (al * bh) ^ (ah * bl) ^ ((ah * bh) << 1);
}

SEC("raw_tp/sys_enter")
int overflow_wrap(__u64 *ctx)
{
	__u64 a = ctx[0], b = ctx[1];
	ts_put(&results, 0, a * b);
	ts_put(&results, 1, cross(a, b));
	ts_put(&results, 2, (__u8)((__u8)a + (__u8)b));
	ts_put(&results, 3, (__u16)((__u16)a * (__u16)b));
	ts_put(&results, 4, -a);
	ts_put(&results, 5, (__u32)-(__u32)b);
	__s32 smin = (__s32)0x80000000;
	ts_put(&results, 6, (__u64)(-(__s64)smin) + (__u32)smin);
	ts_put(&results, 7, a + b < a); /* carry */
	return (int)(a * b >> 61);
}

char LICENSE[] SEC("license") = "GPL";
