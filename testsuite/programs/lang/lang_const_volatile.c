// const and volatile: volatile locals that must live on the stack and be re-read, volatile
// globals, const pointers to const data, const static tables, casts away of const.
// @ctx 01000000000000000200000000000000
// @ctx 64000000000000000700000000000000
// @ctx ffffffffffffffff0300000000000000
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(5);

volatile __u32 vglob = 5;
static const __u32 table[4] = { 3, 1, 4, 1 };
const char greeting[] = "hello";

static __always_inline __u32 sum_const(const __u32 *const p, int n)
{
	__u32 s = 0;
	for (int i = 0; i < n && i < 4; i++)
		s += p[i];
	return s;
}

SEC("raw_tp/sys_enter")
int const_volatile(__u64 *ctx)
{
	volatile __u64 v = ctx[0];
	v += 1;
	v *= 2;
	__u64 first = v;
	v = v ^ 0xff;
	ts_put(&results, 0, first + v);
	vglob += (__u32)ctx[0];
	__u32 a = vglob;
	__u32 b = vglob;
	ts_put(&results, 1, a + b);
	ts_put(&results, 2, sum_const(table, (int)(ctx[1] & 7)));
	const __u32 *cp = &table[ctx[1] & 3];
	ts_put(&results, 3, *cp);
	__u64 g = 0;
	for (int i = 0; i < (int)sizeof(greeting); i++)
		g = g * 131 + greeting[i];
	ts_put(&results, 4, g);
	return (int)(v & 0xff);
}

char LICENSE[] SEC("license") = "GPL";
