// Array and function parameters are pointers (C's parameter adjustment): a BPF-to-BPF
// function taking `const __u8 hdr[8]`, an inlined one taking `__u32 acc[4]` that writes
// through it, and a parameter declared as a function (a callback passed by name).
// @input 000102030405060708090a0b0c0d0e0f101112131415
// @input ffeeddccbbaa99887766554433221100ffeeddccbbaa
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(3);

static __attribute__((noinline)) int mix(const __u8 hdr[8])
{
	return hdr[0] * 3 + hdr[7] - hdr[2];
}

static __always_inline void fold(__u32 acc[4], const __u8 *p)
{
	for (int i = 0; i < 4; i++)
		acc[i] = acc[i] * 31 + p[i];
}

static long count_cb(__u32 index, void *ctx)
{
	*(__u64 *)ctx += index;
	return 0;
}

static __always_inline long run_loop(int n, long cb(__u32, void *), __u64 *total)
{
	return bpf_loop(n, cb, total, 0);
}

SEC("xdp")
int array_params(struct xdp_md *ctx)
{
	__u8 *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	if ((void *)(data + 22) > (void *)end)
		return XDP_ABORTED;
	__u8 hdr[8];
	__builtin_memcpy(hdr, data + 14, 8);
	ts_put(&results, 0, (__u64)(__s64)mix(hdr));
	__u32 acc[4] = { 1, 2, 3, 4 };
	fold(acc, data);
	fold(acc, data + 4);
	ts_put(&results, 1, ((__u64)acc[0] << 32 | acc[1]) ^ ((__u64)acc[2] << 16) ^ acc[3]);
	__u64 total = 0;
	run_loop(data[0] & 15, count_cb, &total);
	ts_put(&results, 2, total);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
