// BPF-to-BPF calls: static __noinline functions (kept as subprograms in .text) with 1-5
// scalar arguments, a call chain of depth 4, pointer-to-stack arguments, mixed with
// __always_inline helpers; results must match the inlined semantics.
// @ctx 01000000000000000200000000000000
// @ctx c8000000000000000300000000000000
// @ctx ffffffffffffffff0900000000000000
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(5);

static __noinline __u64 mix5(__u64 a, __u32 b, __u16 c, __u8 d, __s64 e)
{
	return (a * 3) ^ ((__u64)b << 7) ^ ((__u64)c << 21) ^ ((__u64)d << 40) ^ (__u64)e;
}

static __noinline int level3(int x)
{
	return x * 2 + 1;
}

static __noinline int level2(int x)
{
	return level3(x) + level3(x + 1);
}

static __noinline int level1(int x)
{
	return level2(x) * level2(-x);
}

static __noinline void fill(__u64 *out, int n, __u64 seed)
{
	for (int i = 0; i < 4; i++)
		out[i] = i < n ? seed + i * i : 0;
}

static __always_inline __u64 fold(const __u64 *v)
{
	return v[0] + v[1] * 2 + v[2] * 3 + v[3] * 4;
}

SEC("raw_tp/sys_enter")
int static_noinline(__u64 *ctx)
{
	__u64 buf[4];
	ts_put(&results, 0, mix5(ctx[0], (__u32)ctx[1], (__u16)ctx[1], (__u8)ctx[0], -(__s64)ctx[1]));
	ts_put(&results, 1, (__u64)(__s64)level1((int)ctx[0] & 0xff));
	fill(buf, (int)(ctx[1] & 7), ctx[0]);
	ts_put(&results, 2, fold(buf));
	ts_put(&results, 3, (__u64)level3(level3((int)ctx[1])));
	ts_put(&results, 4, mix5(1, 2, 3, 4, 5));
	return level2((int)ctx[0] & 0xf);
}

char LICENSE[] SEC("license") = "GPL";
