// A `static` record whose functions write only an array member at a masked index and a
// counter: the bytes no write can reach (a limit and a shift set by the initializer) keep
// their initial values for the program's life, so their loads are constants and the loop
// bounded by one has a known count. swift-bpfcc bounds the index of each write
// (`UnwrittenGlobals`: `buckets[b & 7]` reaches 16 bytes of the record, no more); clang-22
// keeps the loads (a store at an index not known into a global keeps its other members).
// @ctx 0000000000000000 0000000000000000
// @ctx 00000000000000ff 0000000000000102
// @ctx 1234567876543210 fedcba9876543210
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(5);

struct shaper {
	__u32 limit;
	__u16 buckets[8];
	__u16 shift;
	__u64 drops;
};

static struct shaper state = { .limit = 2, .shift = 3 };

SEC("raw_tp/sys_enter")
int indexed_static_writes(__u64 *ctx)
{
	__u64 x = ctx[0], y = ctx[1];
	__u32 b = (x >> state.shift) & 7;

	state.buckets[b] += 1;
	state.buckets[(y & 3) + 4] += 2;
	if (state.buckets[b] > state.limit)
		state.drops++;
	ts_put(&results, 0, state.buckets[b]);
	ts_put(&results, 1, state.limit * 1000 + state.shift);
	ts_put(&results, 2, state.drops);
	__u64 acc = 0;
	for (int i = 0; i < 8 && i < state.shift; i++)
		acc = acc * 31 + ((x >> (i * 8)) & 0xff);
	ts_put(&results, 3, acc);
	ts_put(&results, 4, state.buckets[(x ^ y) & 7]);
	return 0;
}

char _license[] SEC("license") = "GPL";
