// Remainders by powers of two used as conditions (`if (x % 4)`, `x % 2 == 0`, `?:`) on
// signed and unsigned values of both widths, negative ones included: C's remainder keeps
// the dividend's sign (-6 % 4 is -2), and only whether it is zero decides the branch.
// The raw_tp context supplies the values; each test records which way it went.
// @ctx fafffffffffffffff9ffffffffffffff0800000000000000
// @ctx 0500000000000000f4ffffffffffffff0300000080000000
// @ctx 00000080ffffffff0000000000000080f0ffffffffffffff
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(4);

SEC("raw_tp/sys_enter")
int rem_conditions(__u64 *ctx)
{
	int a = (int)ctx[0];
	long b = (long)ctx[1];
	unsigned int c = (unsigned int)ctx[2];
	__u64 bits = 0;

	if (a % 4)
		bits |= 1;
	if (a % 2 == 0)
		bits |= 2;
	if (!(a % 8))
		bits |= 4;
	if (b % 16 != 0)
		bits |= 8;
	if (b % 2)
		bits |= 16;
	if (c % 32)
		bits |= 32;
	bits |= (__u64)(b % 4 ? 64 : 128);
	bits |= (__u64)((a % 1024) && (c % 2 == 0) ? 256 : 512);
	ts_put(&results, 0, bits);
	ts_put(&results, 1, (__u64)(long)(a % 4));
	ts_put(&results, 2, (__u64)(b % 16));
	ts_put(&results, 3, c % 32);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
