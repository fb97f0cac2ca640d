// XDP: `__always_inline` functions that call themselves, the recursion ended by constant
// arguments — xxhash32 as the bpf-developer-tutorial's XDP load balancer writes it:
// `h16` steps 16 bytes at a time and takes six parameters (more than a BPF call passes),
// `finalize` steps 4 bytes, then 1, then mixes. clang's inliner inlines each call once
// the constant length decides the `?:`; swift-bpfcc inlines a call of an always-inline
// function inside its own inlined copy, and lowering folds the conditions on parameters
// given constants (it refused "function 'h16' has 6 parameters" before). Lengths 39, 7,
// 16 and 0, over the packet and over a stack copy of it.
// @input 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f2021222324252627
// @input ffeeddccbbaa99887766554433221100f0e1d2c3b4a5968778695a4b3c2d1e0f0102030405060708
// @input 4500003c1c4640004006b1e6ac100a63ac100a0cd4310050a1b2c3d4000000005002200091240000
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(5);

#define PRIME1 0x9E3779B1U
#define PRIME2 0x85EBCA77U
#define PRIME3 0xC2B2AE3DU
#define PRIME4 0x27D4EB2FU
#define PRIME5 0x165667B1U

static __always_inline __u32 rotl(__u32 x, int r) { return (x << r) | (x >> (32 - r)); }

static __always_inline __u32 rd32(const __u8 *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (__u32)p[3] << 24;
}

static __always_inline __u32 round32(__u32 acc, const __u8 *p) { return rotl(acc + rd32(p) * PRIME2, 13) * PRIME1; }

static __always_inline __u32 avalanche(__u32 h)
{
	h ^= h >> 15;
	h *= PRIME2;
	h ^= h >> 13;
	h *= PRIME3;
	return h ^ (h >> 16);
}

static __always_inline __u32 finalize(__u32 h, const __u8 *p, __u32 len)
{
	return len >= 4 ? finalize(rotl(h + rd32(p) * PRIME3, 17) * PRIME4, p + 4, len - 4)
	     : len > 0  ? finalize(rotl(h + p[0] * PRIME5, 11) * PRIME1, p + 1, len - 1)
	     : avalanche(h);
}

static __always_inline __u32 h16(const __u8 *p, __u32 len, __u32 v1, __u32 v2, __u32 v3, __u32 v4)
{
	return len >= 16 ? h16(p + 16, len - 16, round32(v1, p), round32(v2, p + 4), round32(v3, p + 8), round32(v4, p + 12))
	     : rotl(v1, 1) + rotl(v2, 7) + rotl(v3, 12) + rotl(v4, 18);
}

static __always_inline __u32 xxh32(const __u8 *p, __u32 len, __u32 seed)
{
	return finalize((len >= 16 ? h16(p, len, seed + PRIME1 + PRIME2, seed + PRIME2, seed, seed - PRIME1) : seed + PRIME5) + len,
			p + (len & ~0xF), len & 0xF);
}

SEC("xdp")
int recursive_inline(struct xdp_md *ctx)
{
	const __u8 *p = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	if (p + 40 > end)
		return XDP_PASS;
	__u8 copy[40];
	__builtin_memcpy(copy, p, sizeof(copy));
	ts_put(&results, 0, xxh32(p, 39, 0));
	ts_put(&results, 1, xxh32(p + 1, 7, 1));
	ts_put(&results, 2, xxh32(copy, 16, p[0]));
	ts_put(&results, 3, xxh32(copy + 8, 0, 3));
	ts_put(&results, 4, xxh32(copy + 3, 32, 0x12345678));
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
