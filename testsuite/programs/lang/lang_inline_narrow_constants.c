// raw_tp: constants passed to always-inline functions whose parameters are narrow signed
// types keep their sign: 53135 passed as __s16 is -12401, so (__u32)p is 0xffffcf8f
// (a constant argument was once taken for non-negative and zero-extended). Also __s8,
// an unsigned narrow parameter, a constant loop variable of a narrow signed type, and
// the same functions called with run-time values.
// @ctx 0000000000000000000000000000000000000000000000000000000000000000
// @ctx 8fcf000000000000fd00000000000000ffffffffffffffff0100000000000000
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(6);

static __always_inline __u32 high_bits16(__s16 p) { return (__u32)p >> 18; }
static __always_inline __u64 widen8(__s8 p) { return (__u64)p + 1; }
static __always_inline __u32 widen_u8(__u8 p) { return (__u32)p << 20; }
static __always_inline __s64 mix(__s16 a, __s8 b) { return (__s64)a * 3 + b; }

SEC("raw_tp/sys_enter")
int inline_narrow_constants(unsigned long long *ctx)
{
	ts_put(&results, 0, high_bits16(53135));
	ts_put(&results, 0, high_bits16((__s16)ctx[0]));
	ts_put(&results, 1, widen8(-3));
	ts_put(&results, 1, widen8(253));
	ts_put(&results, 1, widen8((__s8)ctx[1]));
	ts_put(&results, 2, widen_u8(200));
	ts_put(&results, 2, widen_u8((__u8)ctx[2]));
	ts_put(&results, 3, (__u64)mix(-20000, -100));
	ts_put(&results, 3, (__u64)mix((__s16)ctx[2], (__s8)ctx[3]));
	__u64 acc = 0;
	for (__s8 i = -4; i < 3; i++)
		acc = acc * 7 + (__u32)i;
	ts_put(&results, 4, acc);
	__s16 k = 40000;
	ts_put(&results, 5, (__u64)(__s64)k);
	return high_bits16(-1) & 0xff;
}

char LICENSE[] SEC("license") = "GPL";
