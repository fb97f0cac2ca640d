// GNU C: statement expressions ({ }), typeof, __auto_type, type-generic min/max/swap
// macros evaluating their arguments once, nested statement expressions with locals, and
// one whose value comes after a label that a goto inside it jumps to.
// @ctx 03000000000000000700000000000000
// @ctx ecffffffffffffff0500000000000000
// @ctx 0403020100000000ffffffff00000000
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(8);

#define MIN(a, b) ({ typeof(a) _a = (a); typeof(b) _b = (b); _a < _b ? _a : _b; })
#define MAX(a, b) ({ __auto_type _x = (a); __auto_type _y = (b); _x > _y ? _x : _y; })
#define SWAP(a, b) do { typeof(a) _t = (a); (a) = (b); (b) = _t; } while (0)
#define CLAMP(v, lo, hi) MIN(MAX(v, lo), hi)

SEC("raw_tp/sys_enter")
int stmt_expr_typeof(__u64 *ctx)
{
	__s32 a = (__s32)ctx[0], b = (__s32)ctx[1];
	__u64 side = 0;
	__s32 m = MIN(a, (side++, b));
	ts_put(&results, 0, (__u64)(__s64)m);
	ts_put(&results, 1, side);
	__u16 u = (__u16)ctx[0];
	__auto_type big = u * 70000ULL;
	ts_put(&results, 2, big + sizeof(big));
	SWAP(a, b);
	ts_put(&results, 3, (__u64)(__s64)(a - b));
	typeof(ctx[0]) t = ctx[0] ^ ctx[1];
	ts_put(&results, 4, t);
	int clamped = CLAMP(a, -10, 10);
	ts_put(&results, 5, (__u64)(__s64)clamped);
	__u64 r = ({
		__u64 acc = 0;
		for (int i = 0; i < 4; i++)
			acc += ({ __u64 sq = (ctx[0] >> (i * 8)) & 0xff; sq * sq; });
		acc;
	});
	ts_put(&results, 6, r);
	__u64 early = ({
		__u64 v = ctx[1] & 0xff;
		if (v > 6)
			goto done;
		v = v * 3 + 1;
	done:
		v;
	});
	ts_put(&results, 7, early);
	return m;
}

char LICENSE[] SEC("license") = "GPL";
