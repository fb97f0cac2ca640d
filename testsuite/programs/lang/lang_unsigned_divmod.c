// Unsigned division and modulo in 32 and 64 bits by variables (guarded against zero) and by
// constants (powers of two and not), signed values made unsigned first; -mcpu=v3 has no sdiv.
// @ctx 64000000000000000700000000000000
// @ctx ffffffffffffffff0300000000000000
// @ctx f22fce733a0b00000000000000000000
// @ctx ffffffff000000000000010000000000
// @ctx b3ffffffffffffff0000000001000000
// @ctx 09000000000000000a00000000000000
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(14);

SEC("raw_tp/sys_enter")
int unsigned_divmod(__u64 *ctx)
{
	__u64 a = ctx[0], b = ctx[1];
	__u32 a32 = (__u32)a, b32 = (__u32)b;
	ts_put(&results, 0, b ? a / b : 0);
	ts_put(&results, 1, b ? a % b : a);
	ts_put(&results, 2, b32 ? a32 / b32 : 0);
	ts_put(&results, 3, b32 ? a32 % b32 : a32);
	ts_put(&results, 4, a / 10);
	ts_put(&results, 5, a % 10);
	ts_put(&results, 6, a / 4096);
	ts_put(&results, 7, a % 4096);
	ts_put(&results, 8, a32 / 7u);
	ts_put(&results, 9, a32 % 1000u);
	ts_put(&results, 10, (__u16)a / (__u16)3);
	ts_put(&results, 11, (__u8)a % (__u8)10);
	__s64 sa = (__s64)a;
	__u64 mag = sa < 0 ? -(__u64)sa : (__u64)sa;
	ts_put(&results, 12, mag / 3);
	ts_put(&results, 13, b ? (a + b - 1) / b * b : 0); /* round up */
	return b ? (int)(a % b) : -1;
}

char LICENSE[] SEC("license") = "GPL";
