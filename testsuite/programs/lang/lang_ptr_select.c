// Pointer selection: a conditional choosing between two map-value pointers or a stack
// object, pointers to pointers on the stack, arrays of pointers to locals, NULL checks on the
// selected pointer before use.
// @ctx 00000000000000000100000000000000
// @ctx 01000000000000000200000000000000
// @ctx 02000000000000000300000000000000
// @ctx 03000000000000000400000000000000
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(3);

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} pair SEC(".maps");

static __always_inline void bump(__u64 **pp, __u64 by)
{
	if (*pp)
		**pp += by;
}

SEC("raw_tp/sys_enter")
int ptr_select(__u64 *ctx)
{
	__u32 k0 = 0, k1 = 1;
	__u64 *a = bpf_map_lookup_elem(&pair, &k0);
	__u64 *b = bpf_map_lookup_elem(&pair, &k1);
	__u64 local = 7;
	__u64 *sel = (ctx[0] & 1) ? a : b;
	bump(&sel, ctx[1]);
	__u64 x = 1, y = 2, z = 3;
	__u64 *arr[3] = { &x, &y, &z };
	for (int i = 0; i < 3; i++)
		*arr[i] += ctx[1] * (i + 1);
	__u64 *which = ctx[0] & 2 ? &local : &x;
	*which *= 3;
	ts_put(&results, 0, x * 100 + y * 10 + z);
	ts_put(&results, 1, local);
	ts_put(&results, 2, (a ? *a : 0) + (b ? *b : 0) * 1000);
	return (int)(*which & 0xff);
}

char LICENSE[] SEC("license") = "GPL";
