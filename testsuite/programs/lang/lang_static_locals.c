// Function-scope static variables (counters that persist across runs in .bss/.data, named
// func.var by clang), a static local const table, and a static local in an inlined helper.
// @ctx 0100000000000000
// @ctx 0200000000000000
// @ctx 0300000000000000
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(3);

static __always_inline __u32 next_id(void)
{
	static __u32 id = 100;
	return id++;
}

SEC("raw_tp/sys_enter")
int static_locals(__u64 *ctx)
{
	static __u64 calls;
	static __u64 sum = 5;
	static const __u8 scale[4] = { 1, 10, 100, 200 };
	calls++;
	sum += ctx[0] * scale[ctx[0] & 3];
	__u32 id = next_id();
	ts_put(&results, 0, calls);
	ts_put(&results, 1, sum);
	ts_put(&results, 2, id);
	return (int)(calls * 1000 + id);
}

char LICENSE[] SEC("license") = "GPL";
