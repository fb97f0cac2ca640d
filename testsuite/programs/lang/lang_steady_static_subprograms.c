// A `static` state only a `__noinline` sub-program changes, called only where the state
// has already left its initial value: no run calls it, so the state stays 0, as clang's
// interprocedural constant propagation finds. swift-bpfcc supposes the statics keep
// their initializers, folds every function naming them, and counts no write of a
// sub-program no call then reaches (`SteadyStatics`): the state's loads are constants,
// the sub-program goes from the object, and the 16-round loop keeps only its arithmetic.
// A static that a sub-program called on a path the input picks changes keeps its loads.
// @ctx 0000000000000000 0000000000000000
// @ctx ff00ff00ff00ff00 0000000000000001
// @ctx 1234567876543210 fedcba9876543211
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(5);

static __u32 g_state;
static __u64 g_seen;
static __u64 g_live;

static __attribute__((noinline)) __u32 advance(__u64 v)
{
	g_state = (g_state + 1) & 3;
	g_seen += v;
	return g_state;
}

static __attribute__((noinline)) __u64 bump(__u64 v)
{
	g_live += v | 1;
	return g_live;
}

SEC("raw_tp/sys_enter")
int steady_static_subprograms(__u64 *ctx)
{
	__u64 x = ctx[0], y = ctx[1], acc = 0;

	for (int j = 0; j < 16; j++) {
		__u64 byte = (x >> ((j & 7) * 8)) & 0xff;

		if (g_state != 0)
			acc += advance(byte);
		acc = acc * 3 + byte;
	}
	ts_put(&results, 0, acc);
	ts_put(&results, 1, g_state * 100 + g_seen);
	if (y & 1)
		acc ^= bump(x);
	ts_put(&results, 2, acc);
	ts_put(&results, 3, g_live);
	ts_put(&results, 4, g_state);
	return 0;
}

char _license[] SEC("license") = "GPL";
