// A `static` mode read only through a `__noinline` getter, and changed only in a `switch`
// case the getter's result selects when the mode is already 3: it starts at 0, so that
// case never runs and the mode never changes, as clang's interprocedural constant
// propagation finds. swift-bpfcc's `SteadyStatics` folds the getter on the supposition
// that the statics keep their initializers; it then returns 0, and its callers read that
// constant: the loop keeps only the arithmetic of case 0. A static a getter reads that
// the input can change keeps its loads.
// @ctx 0000000000000000 0000000000000000
// @ctx 00000000000000ff 0000000000000003
// @ctx 1234567876543210 fedcba9876543211
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(5);

static __u32 g_mode;
static __u64 g_table[4] = { 0x100, 7, 9, 11 };
static __u64 g_seen;

static __attribute__((noinline)) __u32 current_mode(void)
{
	return g_mode;
}

static __attribute__((noinline)) __u64 seen(void)
{
	return g_seen;
}

SEC("raw_tp/sys_enter")
int steady_static_getter(__u64 *ctx)
{
	__u64 x = ctx[0], y = ctx[1], acc = 1;

	for (int j = 0; j < 6; j++) {
		switch (current_mode() & 3) {
		case 3:
			g_mode--;
			g_table[j & 3] |= x;
			/* fall through */
		case 1:
			acc ^= g_table[(x >> j) & 3];
			break;
		default:
			acc = acc * 7 + ((x >> (j * 8)) & 0xff);
		}
		if (y > j)
			g_seen += j;
	}
	ts_put(&results, 0, acc);
	ts_put(&results, 1, g_mode);
	ts_put(&results, 2, g_table[1] + g_table[3]);
	ts_put(&results, 3, seen());
	ts_put(&results, 4, acc ^ g_seen);
	return 0;
}

char _license[] SEC("license") = "GPL";
