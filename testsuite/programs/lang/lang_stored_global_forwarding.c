// A constant stored to a global, then read in a loop that does not write it, reads the
// constant: after `memset(&g, 0x80, sizeof(g))` the test `g.f & 127` in each of 18
// rounds is false (`g` is not `static`: only the store tells), so the running sum is
// computed alone. Without the forwarding the verifier splits every round on a global it
// cannot know: 2^17 paths, over its limit, where clang's build loads. Stores to stack
// arrays in the loop do not touch the global. A second global the loop itself writes is
// read as the last round left it, and a third is read after map updates.
// @ctx 0100000000000000
// @ctx ff00ff00ff00ff00
// @ctx 1234567876543210
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(4);

struct flags {
	__u16 f;
};

struct flags g_flags;
static __u32 g_count;
__u64 g_seen;

SEC("raw_tp/sys_enter")
int stored_global_forwarding(__u64 *ctx)
{
	__u64 x = ctx[0];
	__s64 a[18] = {};
	__u64 acc = 0;

	__builtin_memset(&g_flags, 0x80, sizeof(g_flags));
	int j = 0;
	while (j < 18) {
		acc = acc * 33 + a[j] + ((j != 1) && (g_flags.f & 127));
		if (acc & 4)
			a[j] = acc;
		j++;
	}
	ts_put(&results, 0, acc ^ x);
	ts_put(&results, 1, a[5] + a[15]);

	/* Written in the loop: each read sees the last round's store. */
	g_count = 7;
	__u64 sum = 0;
	for (int j = 0; j < 8; j++) {
		sum += g_count;
		if ((x >> j) & 1)
			g_count = j;
	}
	ts_put(&results, 2, sum);

	/* A helper call between the store and the read (the map update writes only its
	   map, but the global is read again after it). */
	g_seen = 5;
	ts_put(&results, 3, 1);
	ts_put(&results, 3, g_seen + (x & 0xff));
	return 0;
}

char _license[] SEC("license") = "GPL";
