// A value read whole and through its low byte: `v = (u32)(0 - (long)(0u - (unsigned)k))`
// of a `short k` is k sign-extended to 32 bits; `(__s8)v` reads its low byte. An
// extension of that byte nobody reads any more (the copy it went through was read
// instead) must not decide which bits of the subtraction count: the old build dropped
// k's sign extension, and v came out 0x0000e097 instead of 0xffffe097 (random program
// 73394, `DemandedBits`).
// @input 000102030405060708090a0b0c0d0e0f101112131415161718191a1b
// @input ff7f80017e0203fd40c0ffee00112233445566778899aabbccddeeff
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(4);

static const volatile short k = -8041;

static __attribute__((noinline)) int mix(int x)
{
	return x * 3 + 1;
}

SEC("xdp")
int narrowed_copy_reads(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	if (data + 16 > data_end)
		return XDP_PASS;
	__u8 *p = data;
	__u64 in0 = *(__u64 *)(p + 8);
	__u32 v = (__u32)(0 - (long long)((unsigned int)(__s8)p[0] - (unsigned int)k));
	int m = mix((__s16)in0 ^ (__s8)v);
	ts_put(&results, 0, v);
	ts_put(&results, 1, m);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
