// Integer constant expressions folded while compiling, at their C types: unsigned
// comparisons (`128 < __builtin_bswap64(...)`, `-1 < 0u`), results wrapped to the
// expression's width (`0xffffffffu + 1u`, `~0u`), narrowing casts, unsigned and signed
// division and remainder, shifts of unsigned and negative values; as values, as `if`
// conditions and as a `switch` operand. Each constant is also mixed with a value read
// from the context, so both the folded and the run-time forms are checked.
// @ctx 0100000000000000
// @ctx ffffffffffffffff
// @ctx 0000008000000000
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(4);

SEC("raw_tp/sys_enter")
int constant_folding_types(__u64 *ctx)
{
	__u64 x = ctx[0];
	__u64 bits = 0;
	int i = 0;
#define BIT(c) bits |= (__u64)((c) ? 1 : 0) << i++
	BIT(128 < __builtin_bswap64(0xb9cc7f9dl));
	BIT(-1 < 0u);
	BIT(~0u == 0xffffffffu);
	BIT(0xffffffffu + 1u == 0);
	BIT((unsigned char)300 == 44);
	BIT(-1L < 1U);
	BIT(5u > -1);
	BIT(0u - 1 > 0);
	BIT((short)0x8000 < 0);
	BIT((unsigned short)65535 + 1 == 65536);
	BIT(0x80000000u >> 31 == 1);
	BIT((int)0x80000000u >> 31 == -1);
	BIT((1u << 31) * 2u == 0);
	BIT((unsigned char)-1 >> 1 == 127);
	BIT((unsigned)~0 >> 1 == 0x7fffffff);
	BIT(-1ULL / 3 == 0x5555555555555555ULL);
	BIT((unsigned)-5 / 2 == 2147483645u);
	BIT((unsigned)-5 % 3 == 2);
	BIT(-7 / 2 == -3 && -7 % 2 == -1);
	BIT((unsigned)-1 * 3u == 0xfffffffdu);
	BIT(!(0u - 1u) == 0);
	BIT(-(unsigned char)1 < 0);
	BIT(-(1u) > 0);
	BIT((__u8)(0x100 - 1) == 255);
	BIT(__builtin_bswap32(0x80) > 0x7fffffff);
	BIT(__builtin_bswap16(0x8000) == 0x80);
	ts_put(&results, 0, bits);

	__u64 v = 0;
	if (128 < __builtin_bswap64(0xb9cc7f9dl))
		v += 1;
	if (-1 < 0u)
		v += 2;
	if (0xffffffffu + 1u)
		v += 4;
	if ((unsigned)-1 / 2 > 0x7ffffffe)
		v += 8;
	switch (128 < __builtin_bswap64(0xb9cc7f9dl)) {
	case 0:
		v += 16;
		break;
	case 1:
		v += 32;
		break;
	}
	switch ((unsigned char)(0xffu + 2u)) {
	case 1:
		v += 64;
		break;
	default:
		v += 128;
	}
	ts_put(&results, 1, v);

	/* The same operations on a run-time value. */
	__u32 u = (__u32)x;
	ts_put(&results, 2, (u + 0xffffffffu) + (~u >> 1) + (u * 3u) + ((__u8)(u + 300)));
	ts_put(&results, 3, (128 < __builtin_bswap64(x)) + ((int)u < 0u) * 2 + ((unsigned)(int)u / 3u) * 4);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
