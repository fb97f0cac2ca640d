// XDP: an inlined helper whose three-round loop is masked away. In every round
// `((unsigned)i << 15) >> 31` is 0 (i is 0, 3 and 6), so all that is left of the rounds
// are their volatile reads, once each round is copied and its known values folded (as
// clang's unroller weighs a loop of at most ten rounds). Each round is larger than the
// budget of a loop that unrolling only copies; left rolled, its comparisons' 0/1 values
// multiplied the verifier's states at every call of the helper.
// @input 34127856090000a54dca182530bb1d6d132cded6237b2ed91e3f721fcb1971174494d6493c9d5c3460be31201e69fedaa0eee8b9997f5c7c2999fdafe593253c
// @input ffff01008001ffd654af4dfad71427a0aeb3fee9232f8af2211f9ee491c5b10becb5563bfc1e6f93427ecbc8fe2955e5cd8e46dc8ed4b7c2764d2a5a4d767706
// @input 0080fe7f110203f85d8690024ad6bda3401be9c8cbccc935f6cd1f61226ae15338ae1a34004d33ba0d246ac04c81b1baf23e3bf9eef5f79f2b4934af87f5520b
// @input 0500000000ff00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(4);

static volatile short tbl[3][4] = {{256, -19566, 1, 64}, {7684, 0x7fff}};
static __s16 side[4][2];

static __always_inline __u16 mix(__s32 a)
{
	for (int i = 0; i < 9; i += 3) {
		__u32 mask = ((unsigned int)i << 15) >> 31;
		a ^= mask & (((side[3][1] | side[i & 3][0]) & ((unsigned int)a << (side[i % 4][1] & 31)))
			     + tbl[(tbl[a & 1][1] / 2) & 1][3])
		     & ((((unsigned long)(i == 100) % ((unsigned int)side[0][0] + 8 | 1)) & ((i >> 15) ^ tbl[2][0]))
			- ((147u / ((unsigned int)i | 1)) & ((unsigned int)(a != tbl[a & 1][0]) * (unsigned int)(tbl[i & 1][0] >= a))));
	}
	a ^= (unsigned int)tbl[a & 1][1] - (unsigned int)a;
	a = a ? a : 40700;
	if (a == tbl[0][0])
		a += side[a & 3][1];
	return !side[3][1] + a;
}

static __attribute__((noinline)) __u32 stage(__u8 x, __s64 y)
{
	x *= (unsigned long)(y -= 1);
	if ((x >> (y & 31)) + tbl[x & 1][3]) {
		if ((side[1][0] & side[x & 3][0]) >= x)
			y ^= 65535 | x;
		else
			x <<= (mix(y) - (0xc2f00c87U | x)) & 15;
	}
	return mix(x) ^ mix(y);
}

SEC("xdp")
int folded_rounds(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	if (data + 64 > data_end)
		return XDP_PASS;
	__u8 *p = data;
	__u32 a = p[0] | p[1] << 8, b = p[2] | p[3] << 8;
	__u64 acc = p[4];
	for (__u32 k = 0; k < 2; k++) {
		if (p[5 + k] == 0xff)
			break;
		switch ((stage(a, b) & (0x25u + b)) % 4) {
		case 0:
			a <<= mix(stage(mix(a), acc - b)) & 15;
			acc += mix(acc);
			break;
		case 1:
			b ^= stage(k, a) + mix(b);
			/* fall through */
		case 2:
			acc ^= mix(stage(mix(a), b)) + mix(acc + k);
			break;
		default:
			a = mix(stage(b, a) * 7);
		}
	}
	ts_put(&results, 0, a);
	ts_put(&results, 1, b);
	ts_put(&results, 2, acc);
	ts_put(&results, 3, mix(a ^ b));
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
