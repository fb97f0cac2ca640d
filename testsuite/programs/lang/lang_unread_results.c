// A `__noinline` helper called for what it stores, its result — a checksum folded in a
// loop — read by no caller: clang's dead argument elimination makes it return nothing,
// and the loop goes. swift-bpfcc's `DeadReturns` makes a static sub-program whose
// result no call reads return 0, and the computation dies. A helper whose result one
// caller reads keeps it.
// @ctx 0000000000000000 0000000000000000
// @ctx 00000000000000ff 0000000000000003
// @ctx 1234567876543210 fedcba9876543211
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(4);

static __u64 g_last, g_count;

static __attribute__((noinline)) int note(__u64 x)
{
	__u64 sum = 0;

	g_last = x;
	g_count++;
	for (int i = 0; i < 8; i++)
		sum = sum * 31 + ((x >> (i * 8)) & 0xff);
	return sum & 0xffff;
}

static __attribute__((noinline)) int fold(__u64 x)
{
	__u64 sum = 7;

	for (int i = 0; i < 4; i++)
		sum ^= (x >> (i * 16)) & 0xffff;
	return sum;
}

SEC("raw_tp/sys_enter")
int unread_results(__u64 *ctx)
{
	__u64 x = ctx[0], y = ctx[1];

	note(x);
	if (y & 1)
		note(y);
	ts_put(&results, 0, g_last);
	ts_put(&results, 1, g_count);
	ts_put(&results, 2, fold(x ^ y));
	ts_put(&results, 3, fold(y));
	return 0;
}

char _license[] SEC("license") = "GPL";
