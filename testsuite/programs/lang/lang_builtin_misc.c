// Builtins: __builtin_expect and likely/unlikely branches, __builtin_constant_p folding,
// __builtin_unreachable after an exhaustive switch, __builtin_popcount/__builtin_parity,
// __builtin_choose_expr and __builtin_types_compatible_p.
// @ctx 0000000000000000
// @ctx 0500000000000000
// @ctx 3412ffff0000ffff
// @ctx 0b00000000000000
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(6);

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

static __always_inline int quadrant(__u32 v)
{
	switch (v & 3) {
	case 0: return 10;
	case 1: return 20;
	case 2: return 30;
	case 3: return 40;
	}
	__builtin_unreachable();
}

SEC("raw_tp/sys_enter")
int builtin_misc(__u64 *ctx)
{
	__u64 v = ctx[0];
	int r = 0;
	if (unlikely(v == 0))
		r = 1;
	else if (likely(v > 10))
		r = 2;
	ts_put(&results, 0, r);
	ts_put(&results, 1, __builtin_constant_p(42) * 10 + __builtin_constant_p(v));
	ts_put(&results, 2, quadrant((__u32)v));
	ts_put(&results, 3, __builtin_popcountll(v) * 100 + __builtin_parity((__u32)v));
	ts_put(&results, 4, __builtin_choose_expr(sizeof(v) == 8, v >> 32, v));
	ts_put(&results, 5, __builtin_types_compatible_p(typeof(v), __u64) * 2 +
				__builtin_types_compatible_p(int, long));
	return quadrant((__u32)v >> 1) + r;
}

char LICENSE[] SEC("license") = "GPL";
