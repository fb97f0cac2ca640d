// A `static` whose every store writes a constant at a known place holds its initializer
// or one of those constants, so bits they agree on are known at each load: `g.f` is 0 or
// 0x8080 (set by a `memset` on one path), so `g.f & 127` is 0 in all 16 rounds of a
// loop that would otherwise split on it each round (over the verifier's limit where
// clang's build loads). A second static is also stored a value computed at run time:
// its loads are not known. A third holds 4 or 6: bit 2 set, bit 0 clear.
// @ctx 0000000000000000
// @ctx ff00ff00ff00ff00
// @ctx 1234567876543210
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(4);

struct flags {
	__u16 f;
};

static struct flags g_flags;
static __u32 g_mixed = 3;
static __u8 g_mode = 4;

SEC("raw_tp/sys_enter")
int static_stored_constants(__u64 *ctx)
{
	__u64 x = ctx[0];
	__s64 a[16] = {};
	__u64 acc = 0;

	if ((x & 0xffff) == 0)
		__builtin_memset(&g_flags, 0x80, sizeof(g_flags));
	for (int j = 0; j < 16; j++) {
		acc = acc * 31 + a[j] + ((0xbe5f6b9bu / ((unsigned int)j | 1)) && (g_flags.f & 127));
		if ((acc & 3) == 0)
			a[j] = acc;
	}
	ts_put(&results, 0, acc ^ x);
	ts_put(&results, 1, a[5] + a[15] + g_flags.f);

	if (x & 2)
		g_mixed = 8;
	if (x & 4)
		g_mixed = (__u32)(x >> 32);
	ts_put(&results, 2, g_mixed & 7);

	if (x & 8)
		g_mode = 6;
	ts_put(&results, 3, ((g_mode & 4) ? 100 : 200) + (g_mode & 1) + (g_mode & 2));
	return 0;
}

char _license[] SEC("license") = "GPL";
