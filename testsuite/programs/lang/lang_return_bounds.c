// Static `__noinline` functions whose every return is bounded: a byte's checksum (at most
// 255), a count of set bits (at most 64) that also writes a global. clang's
// interprocedural range propagation folds the caller's tests of their results against
// larger constants, and drops the read-only call whose result only decided one; so does
// swift-bpfcc (`ReturnBounds`). A bounded result used as an index and sign-extended needs
// no check or extension in the caller.
// @ctx 0000000000000000 0000000000000000
// @ctx 00000000000000ff 0000000000000102
// @ctx 1234567876543210 fedcba9876543210
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(4);

__u64 calls;
__u8 weights[256];

static __attribute__((noinline)) __u64 checksum(__u64 x)
{
	__u32 sum = 0;

	for (int i = 0; i < 8; i++)
		sum += (x >> (i * 8)) & 0xff;
	return (__u8)(sum ^ (sum >> 8));
}

static __attribute__((noinline)) __u64 bits_set(__u64 x)
{
	__u64 n = 0;

	calls++;
	for (int i = 0; i < 64; i += 4)
		n += (x >> i) & 1;
	return n * 4;
}

SEC("raw_tp/sys_enter")
int return_bounds(__u64 *ctx)
{
	__u64 x = ctx[0], y = ctx[1];
	__u64 acc = 0;

	// Never true: checksum's result is at most 255 and the call goes.
	if (checksum(y) > 300) {
		for (int i = 0; i < 16; i++)
			acc = acc * 33 + (y >> i);
	}
	ts_put(&results, 0, acc);
	// An index no check guards.
	__u64 c = checksum(x);
	weights[c] += 3;
	ts_put(&results, 1, weights[c] + c);
	// The call stays for its store, the test goes; the sign extension too.
	int n = bits_set(x ^ y);
	ts_put(&results, 2, n > 1000 ? 7 : (long)n * 3);
	ts_put(&results, 3, calls);
	return 0;
}

char _license[] SEC("license") = "GPL";
