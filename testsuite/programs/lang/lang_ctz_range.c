// `__builtin_ctzll` (lowered as a de Bruijn multiply and a lookup in a 64-entry table)
// is below 64, and `__builtin_ctz` below 32: cases of a `switch` on it past that range
// are never taken, and their code (a nested loop over packet-derived values) goes, as
// clang drops it — the lookup's entries, all below 64, give the result's high bits.
// The cases in range stay.
// @ctx 0000000000000000 0000000000000000
// @ctx ff00ff00ff00ff00 0000000000000007
// @ctx 1234567876543210 00000000000000ff
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(3);

SEC("raw_tp/sys_enter")
int ctz_range(__u64 *ctx)
{
	__u64 x = ctx[0], y = ctx[1];
	__u64 acc = y;

	switch (__builtin_ctzll(x | 0x8000000000000000ull)) {
	case 0:
		acc += 1;
		break;
	case 4:
		acc ^= 0x55;
		break;
	case 64:
	case 127:
		for (int i = 0; i < 12; i += 3) {
			for (int j = 0; j < 4; j++) {
				if ((acc >> j) & 1)
					acc = acc * 7 + (x >> i);
				else
					acc -= y >> j;
			}
		}
		break;
	}
	ts_put(&results, 0, acc);

	__u32 z = __builtin_ctz((__u32)y | 0x80000000u);
	if (z == 32 || z == 200)
		acc = acc / (x | 1) + (y % 7);
	ts_put(&results, 1, acc);
	ts_put(&results, 2, z);
	return 0;
}

char _license[] SEC("license") = "GPL";
