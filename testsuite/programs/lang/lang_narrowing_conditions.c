// raw_tp: conditions that are casts narrowing a constant: `(__s32)0x8000000000000000ull`
// is 0 and `(__s16)0x10000` is 0, so their `if`s are not taken (they once were: the cast
// was looked through when deciding the condition at compile time). Also in `&&`, `?:`
// and `while`, next to conditions on run-time values cast the same way.
// @ctx 0100000000000000000001000000000000000000000000000000000000000000
// @ctx 0000000000000080ffffffffffffffff00000000000000000000000000000000
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(2);

SEC("raw_tp/sys_enter")
int narrowing_conditions(unsigned long long *ctx)
{
	int r = 0;
	if ((__s32)0x8000000000000000ull)
		r |= 1;
	if ((__s32)0x100000000ull)
		r |= 2;
	if ((__u32)0x8000000000000000ull)
		r |= 4;
	if ((__s16)0x10000)
		r |= 8;
	if ((__s8)ctx[0] && (__s32)0x8000000000000000ull)
		r |= 16;
	if ((__s8)0x1ff)
		r |= 32;
	if ((__u8)ctx[1])
		r |= 64;
	if ((__s32)ctx[0])
		r |= 128;
	int k = (__s16)0x30000 ? 5 : 9;
	while ((__u16)0x10000)
		r |= 256;
	ts_put(&results, 0, r);
	ts_put(&results, 1, k);
	return r;
}

char LICENSE[] SEC("license") = "GPL";
