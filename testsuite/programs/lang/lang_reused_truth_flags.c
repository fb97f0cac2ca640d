// Truth values kept in variables that later statements write again: `hit = (x != y)`
// then `hit += ...`, `level = x > 100 ? 1 : 0` then `level += y & 3`. Where they are read
// before being written again they are 0 or 1, as clang's SSA form knows: a test of one
// against a static's initial 0x1000, or against 7, never holds, so the static is never
// written (`SteadyStatics`) and the tests and their arms go. swift-bpfcc's `KnownBits`
// reads a register written more than once as the definitions reaching the read.
// @ctx 0000000000000000 0000000000000000
// @ctx 00000000000000ff 0000000000000003
// @ctx 1234567876543210 fedcba9876543211
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(6);

static __s64 g_mode = 0x1000;
static __u64 g_hits;

SEC("raw_tp/sys_enter")
int reused_truth_flags(__u64 *ctx)
{
	__u64 x = ctx[0], y = ctx[1], acc = 0;
	__s8 hit = (x != y);
	__u8 level = (x & 0xff) > 100 ? 1 : 0;

	if (g_mode == hit) {
		g_mode ^= x;
		g_hits += y;
		hit += 3;
	}
	if (level == 7) {
		acc = x * y;
		level = 2;
	}
	for (int j = 0; j < 8; j++) {
		__u64 byte = (x >> (j * 8)) & 0xff;

		acc = acc * 31 + byte + (g_mode >> j);
		if (byte > 0x40)
			hit++;
	}
	level += y & 3;
	ts_put(&results, 0, acc);
	ts_put(&results, 1, hit);
	ts_put(&results, 2, level);
	ts_put(&results, 3, g_mode);
	ts_put(&results, 4, g_hits);
	ts_put(&results, 5, acc ^ (level * hit));
	return 0;
}

char _license[] SEC("license") = "GPL";
