// A truth value of a global the loop leaves alone (`g_enabled > 0`, a knob user space
// sets) added in every round of a loop over a constant table: the load and its
// comparison move before the loop, as clang's do, so the verifier — which knows the
// table's values and so every round's exact sum, needed exactly where it indexes an
// array — splits once on the knob instead of in every round (2^16 paths: over its
// limit without it). A limit both sides of a
// condition load (`wide ? g_limit * 2 : g_limit`) is loaded once, above the condition.
// @ctx 0000000000000000
// @ctx ff00ff00ff00ff00
// @ctx 1234567876543210
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(3);

__u64 g_enabled;
__u64 g_limit = 100;
__u16 g_scale[8] = { 200, 64, 0xbea5, 9 };

static const __s64 weights[16] = {
	0x11e744f850a11450, 255, 0, 13, 1000, 65535, 31, 0xed821255,
	5, 4, 256, 0x4247c8f1, 31, 255, 750620398, 3,
};

SEC("raw_tp/sys_enter")
int loop_global_truth(__u64 *ctx)
{
	__u64 x = ctx[0];
	__u64 acc = 0;

	for (int j = 0; j < 16; j++)
		acc = acc * 31 + weights[j] + (g_enabled > 0);
	ts_put(&results, 0, acc ^ x);

	__u64 lim = (x & 1) ? g_limit * 2 : g_limit;
	__u64 sum = 0;
	for (int j = 0; j < 16; j++)
		sum += ((x >> j) & 0xff) < lim;
	ts_put(&results, 1, sum);
	ts_put(&results, 2, lim + g_scale[acc & 7]);
	return 0;
}

char _license[] SEC("license") = "GPL";
