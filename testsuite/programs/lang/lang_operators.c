// All operators: compound assignments (+= -= *= /= %= <<= >>= &= |= ^=), comma operator,
// conditional chains, logical && || with side effects that must not run, pre/post ++/--, !, ~, unary -.
// @ctx 01000000000000000200000000000000
// @ctx 64000000000000000900000000000000
// @ctx fffffffffffffffffeffffff00000000
// @ctx efbeadde000000001f00000000000000
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(12);

static __always_inline int bump(int *counter, int v)
{
	(*counter)++;
	return v;
}

SEC("raw_tp/sys_enter")
int operators(__u64 *ctx)
{
	__u64 x = ctx[0];
	__u32 y = (__u32)ctx[1] | 1;
	x += 3;
	x *= y;
	x -= 7;
	x /= 3;
	x %= 1000003;
	x <<= 2;
	x >>= 1;
	x &= 0xfffffff;
	x |= 0x10;
	x ^= y;
	ts_put(&results, 0, x);
	int calls = 0;
	int t = bump(&calls, 0) && bump(&calls, 1);          /* second call skipped */
	int u = bump(&calls, 1) || bump(&calls, 1);          /* second call skipped */
	int v = (ctx[1] > 5) && bump(&calls, 1) && bump(&calls, 0) && bump(&calls, 1);
	ts_put(&results, 1, calls * 100 + t * 10 + u + v * 1000);
	int i = (int)ctx[1];
	int a = i++, b = ++i, c = i--, d = --i;
	ts_put(&results, 2, (__u64)(a * 1000000 + b * 10000 + c * 100 + d));
	int comma = (i += 2, i * 3);
	ts_put(&results, 3, (__u64)comma);
	ts_put(&results, 4, !x + !!y * 2 + (~y & 0xf) * 4);
	__s64 neg = -(__s64)ctx[1];
	ts_put(&results, 5, (__u64)neg);
	ts_put(&results, 6, y > 100 ? 1 : y > 10 ? 2 : y > 1 ? 3 : 4);
	__u8 small = (__u8)ctx[0];
	small += 250;
	small -= 3;
	small *= 3;
	ts_put(&results, 7, small);
	__s16 sh = (__s16)ctx[0];
	sh >>= 3;
	sh |= 0x100;
	ts_put(&results, 8, (__u64)(__s64)sh);
	__u64 p = 1;
	p <<= (ctx[1] & 31);
	p -= 1;
	ts_put(&results, 9, p);
	ts_put(&results, 10, (x, y, ctx[0] + 1));
	ts_put(&results, 11, (ctx[0] & 1) ? x : y);
	return calls;
}

char LICENSE[] SEC("license") = "GPL";
