// Atomic built-ins on locals whose address goes nowhere else (`__sync_fetch_and_add`,
// `__sync_lock_test_and_set`, `__atomic_fetch_and`, 32- and 64-bit, fetched or not)
// are plain arithmetic, as clang makes them: the locals become registers and a
// computation only they read goes. A local whose address a helper is given keeps its
// atomic operation.
// @ctx 0000000000000000
// @ctx ff00ff00ff00ff00
// @ctx 1234567876543210
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(4);

SEC("raw_tp/sys_enter")
int local_atomics(__u64 *ctx)
{
	__u64 x = ctx[0];
	__u64 acc = x;
	__u32 low = (__u32)x;
	__u64 unused = x * 7;

	for (int j = 0; j < 8; j++) {
		__sync_fetch_and_add(&acc, (__u64)j * 3);
		__u32 was = __sync_fetch_and_or(&low, 1u << j);
		if (was & 0x80)
			__atomic_fetch_xor(&acc, 0x55, __ATOMIC_SEQ_CST);
	}
	__u64 old = __sync_lock_test_and_set(&acc, acc ^ 0xabcdef);
	__atomic_fetch_and(&low, 0xfff0f0ff, __ATOMIC_RELAXED);
	__sync_fetch_and_add(&unused, 1);
	ts_put(&results, 0, acc);
	ts_put(&results, 1, old + low);

	__u64 seen = x >> 8;
	bpf_probe_read_kernel(&seen, 0, &seen);
	__sync_fetch_and_xor(&seen, 0xff);
	ts_put(&results, 2, seen);
	ts_put(&results, 3, __sync_fetch_and_sub(&low, 3) + low);
	return 0;
}

char _license[] SEC("license") = "GPL";
