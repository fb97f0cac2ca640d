// A counter counted down to 0 (`for (t = 16; t > 0; t--)`) is between 1 and 16 inside
// its loop: a truth value compared with it (`((a | acc) >= b) <= t`) always holds,
// `t == 0` never does and `t > 20` never does, as clang's range analysis finds. Left
// in, each round's test splits the verifier's walk, the running sum different on each
// side.
// @ctx 000000000000000000000000000000000000000000000000
// @ctx 0500000000000000ff00000000000000ffffffff00000000
// @ctx 1234567876543210000001000000000078563412ffffffff
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(3);

SEC("raw_tp/sys_enter")
int countdown_ranges(__u64 *ctx)
{
	__u32 a = ctx[0], b = ctx[1], acc = ctx[2];
	__u64 seen = 0;

	for (__u64 t = 16; t > 0; t--) {
		acc -= ((a | acc) >= b) <= t;
		if (t == 0)
			acc ^= 0x55;
		acc += t > 20 ? a : 1;
		seen = seen * 3 + (acc & 1);
	}
	ts_put(&results, 0, acc);
	ts_put(&results, 1, seen);
	ts_put(&results, 2, a ^ b);
	return 0;
}

char _license[] SEC("license") = "GPL";
