// A random program (scripts/fuzz, seed 39187), reduced: always-inline functions nested
// into each other many times, each copy with a loop, a volatile local and atomics on its
// parameters. The allocator spills dozens of values inside long loops; by spans (each
// widened over its loop) the spill slots need 520 bytes, over the limit, which the build
// refused where clang's loads. Plain 8-byte slots then share places by liveness
// (SlotInterference) and the frame fits. Results compared with clang's.
// @input 5b0e6c17953c18ffffffffffb77f7f58ee9c870903d5fcfcc2c415e85be30295f5d2435a4aa2d87fefcc34c80201ede795054960f5f8b7aefbd3cdaab545054b
// @input 07d13b02e30bf1657f7f7f7f84770c0ca0c121f59c63b975cd3f9c89098aab2007c654157d40a91553d6b9dfecff6700005bcd38a21bf4cba0c00c03832938e578e79d9d
// @input b2f5ddb0ac4e256189acd67eaded538ce63223c48317e95ab45a74b27527e3d80c91a9545c5a17c6ba0cbc1f6dcc62bf25df13f29b619816e08e3f7fc472574fd3159e5fba977f6fb3bd61870101010101010101291c39664a157672c6950848cc6ca82ff7a459350f5cf30a4e5aee35003fb01a1b
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
static __always_inline void put(__u32 slot, __u64 v)
{
}
struct S2 {
	int f0;
	__s32 f2[2];
};
struct S3 {
	__u32 f1;
	signed char f3[8];
	__s64 f4;
};
static const struct S2 g4 = {.f0 = 4294967295, .f2 = {4096}};
static __s64 g5 = 0;
static const volatile __s64 g6[16] = {9, 0x3f, 3, 0x3220fd15u, 255, 13, 9, 54ll, 0x0, 127, 0xa1c29cc63f55f5eaull, 0x1000, 7, 0x4all, 32767, 0};
volatile __u64 g7[2] = {18446744073709551615u, 0x80000000UL};
static __s8 g8 = 0;
__s8 g9 = 0;
static short g11[16];
static const struct S3 g12 = {};
static __always_inline int fn13(__u16 a0, __u8 a1, _Bool a2, int a3)
{
	__u32 v14 = g5;
	volatile int v23 = 0;
		if ((+(g6[12] ^ g11[14])) > v14) {
				a2 |= (0 ^ (0 != (18165252903838738845ull ^ (g12.f3[6] != (g6[(v23) & 15] - (unsigned long)(v14))))));
		} else {
			__u64 i27 = 0;
			while (i27 < 6) {
				i27++;
				__sync_fetch_and_or(&a3, ((unsigned int)((a2 ^= a0)) - (unsigned int)((i27 <= a0))));
				v23 += (unsigned int)((-(unsigned int)(((v23 + (unsigned int)(a3)) > (__s16)0))));
				v23 &= ((+((0 <= 0) & (0 | (g5 == g8)))) | ((0 - g11[0 & 15]) ^ (+((++a0) | (g9 ^ g7[0])))));
			}
		}
		v23 += (unsigned int)(g11[0 & 15]);
		return (g9 | g7[(v14) & 1]);
}
static __always_inline __u8 fn29(char a0)
{
	__u64 v32 = g11[4];
	a0 *= (unsigned long)(((+((unsigned int)(a0) + (unsigned int)(fn13(fn13(g11[(v32) & 15], g12.f4, g6[9], g4.f0), g7[0], 0, 0)))) + (((unsigned int)(fn13(0, fn13(0x8000000000000000l, v32, v32, g5), fn13(g8, g12.f1, g5, g5), 0)) * (unsigned int)0) + ((unsigned int)(g9) - (unsigned int)(fn13(0, 0, 0, (1 | g11[(v32) & 15])))))));
	return ((g9 > g6[3]) ^ 0);
}
static __always_inline __s8 fn33(signed char a0, signed char a1, __s32 a2, int a3, unsigned short a4)
{
	a4 -= (unsigned int)((fn13(0, 0, 0, g6[0 & 15]) ^ fn13(fn29(0), 0, (((unsigned int)(a1) * (unsigned int)(a1)) & fn29(g4.f0)), g7[1])));
	return fn29(g6[5]);
}
static __always_inline int fn34(long a0)
{
	return 0x5;
}
SEC("xdp")
int fuzz_main(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	if (data + 66 > data_end)
		return XDP_PASS;
	__u32 in1;
	__builtin_memcpy(&in1, data + 43, sizeof(in1));
	__s32 in2 = *(__s32 *)(data + 56);
	__u8 in4 = *(__u8 *)(data + 19);
	__u8 inx = 0;
		inx = *(__u8 *)(data + 65) + 1;
	unsigned long long v36 = 0;
	int v37 = 0;
	g7[1] &= 0;
		switch ((unsigned int)(((inx | 65535) & (in4 <= g6[6]))) % 6) {
		case 1: {
			fn34(fn13(0, (4294967296l <= fn29(v37)), 0, 0));
		}
			break;
		case 3: {
				put(2, ((0 | fn29(fn29(0))) ^ fn29(256)));
				__builtin_memset(&g11, 127, sizeof(g11));
		}
		case 5: {
			g5 += (unsigned long)(fn13(__builtin_bswap64(in4), 0, (~inx), 0));
			switch (((0 | (inx = (-(unsigned int)(in4))))) & 7) {
			case 7: {
				inx = fn33(in1, (-(unsigned int)((in4++))), 0, 0, 0);
			}
			}
			long v41 = fn13(0, 0, 0, inx);
		}
		}
	return (int)(((256 < ((0x5 ^ v36) * (in2 ^ 0x7fffffffUL)))) & 3);
}

char LICENSE[] SEC("license") = "GPL";
