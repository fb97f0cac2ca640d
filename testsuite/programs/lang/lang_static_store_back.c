// A `static` whose only stores write back what was just read from the same bytes
// (`g_cfg.shift ^= 0`, `g_tab[1] <<= (0 >> n) & 31`: the shift is 0 once folded) is never
// changed, so it keeps its initializer and its loads are constants, as with clang: a
// 16-round loop whose every round would otherwise split on a value read from it stays
// one path (without it, over the verifier's limit). A store of a run-time value to
// another static, and a store-back to a global other programs may change, keep theirs
// read from memory.
// @ctx 0000000000000000
// @ctx ff00ff00ff00ff00
// @ctx 1234567876543210
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(4);

struct cfg {
	__u32 mask;
	__u32 shift;
};

static struct cfg g_cfg = { 0x1f0, 0 };
static __u32 g_tab[4] = { 1, 2, 3, 4 };
static __u32 g_count = 7;
__u32 g_shared = 9;

SEC("raw_tp/sys_enter")
int static_store_back(__u64 *ctx)
{
	__u64 x = ctx[0];
	__s64 a[16] = {};
	__u64 acc = 0;

	g_cfg.shift ^= 0;
	g_tab[1] <<= (0 >> (x & 7)) & 31;
	for (int j = 0; j < 16; j++) {
		acc = acc * 31 + a[j] + ((0xbe5f6b9bu / ((unsigned int)j | 1)) && (((g_cfg.mask >> g_cfg.shift) ^ g_tab[1]) & 1));
		if ((acc & 3) == 0)
			a[j] = acc;
	}
	ts_put(&results, 0, acc ^ x);
	ts_put(&results, 1, a[5] + a[15] + g_cfg.mask + g_tab[1]);

	if (x & 2)
		g_count += (__u32)x;
	ts_put(&results, 2, g_count);

	g_shared |= 0;
	ts_put(&results, 3, g_shared + g_tab[2]);
	return 0;
}

char _license[] SEC("license") = "GPL";
