// Statics whose every write is reachable only once they have changed keep their
// initializers, as clang's interprocedural constant propagation finds: a mode that only
// mode 1 changes stays 0 (and the tick count only mode 1 adds to stays 0), a mode whose
// `switch` takes the changing case only for odd values stays 0, and of two statics each
// written only when the other has left its initial value neither changes, and a
// remainder kept in a static (`g_rem %= byte | 1`) stays 0, as 0 % x is 0. Their loads
// are constants, in this function and in the one it calls, and the 16-round loop keeps
// only its arithmetic. A static written on a path that runs keeps its loads.
// @ctx 0000000000000000
// @ctx ff00ff00ff00ff00
// @ctx 1234567876543210
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(3);

static __u32 g_mode;
static __u64 g_ticks;
static __u32 g_parity;
static int g_a, g_b = 3;
static __u32 g_live;
static __u16 g_rem;

static __attribute__((noinline)) __u64 scale(__u64 v)
{
	return v * (g_mode + 1) + g_b + (g_parity << 4);
}

SEC("raw_tp/sys_enter")
int steady_statics(__u64 *ctx)
{
	__u64 x = ctx[0], acc = 0;

	for (int j = 0; j < 16; j++) {
		__u64 byte = (x >> ((j & 7) * 8)) & 0xff;

		if (g_mode == 1) {
			g_ticks += byte;
			if (byte > 200)
				g_mode = 2;
		}
		switch ((g_parity * 6) & 3) {
		case 2:
			g_parity ^= byte & 1;
			break;
		}
		if (g_a != 0)
			g_b = byte;
		if (g_b != 3)
			g_a += 1;
		acc = acc * 33 + scale(byte) + (g_ticks & 1);
		if (acc & 1)
			g_live += 1;
		g_rem %= (__u16)(byte | 1);
		acc += g_rem;
	}
	ts_put(&results, 0, acc);
	ts_put(&results, 1, g_ticks + g_mode + g_parity + g_a + g_b);
	ts_put(&results, 2, g_live);
	return 0;
}

char _license[] SEC("license") = "GPL";
