// raw_tp: 128-bit integers (`__int128`, `unsigned __int128`) computed as pairs of 64-bit
// halves, as clang's BPF target legalizes them: construction from halves, addition and
// subtraction with carries and borrows, bitwise operations, shifts by constants (0, 1, 63,
// 64, 65, 100, 127), arithmetic right shifts of negative values, products and quotients,
// signed and unsigned comparisons, conversions both ways (sign extension, truncation,
// _Bool), ++/--, compound assignments (also into a narrower left side), ?:, fields of a
// struct on the stack and of a global, globals with 128-bit initializers, and an inlined
// function taking and returning one.
// @ctx 0100000000000000ffffffffffffffff05000000000000000000000000000080
// @ctx ffffffffffffffff0100000000000000410000000000000007000000000000a0
// @ctx 0000000000000000000000000000000000000000000000000000000000000000
// @ctx 123456789abcdef0fedcba98765432107f0000000000000001000000ffffffff
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(18);

typedef unsigned __int128 u128;
typedef __int128 s128;

struct pair {
	__u32 tag;
	u128 value;
};

struct pair global_pair;
u128 seed = ((u128)0x0123456789abcdefull << 64) | 0xfedcba9876543210ull;
s128 negative_seed = -((s128)3 << 80);
/* Constant conditions on 128-bit values whose low halves are zero. */
int wide_truths = (((u128)1 << 100) > 5) + (!((u128)1 << 64)) * 2 + (((s128)-1 << 70) < 0) * 4;
s128 global_signed;

static __always_inline u128 mix(u128 x, __u64 k)
{
	return (x << 13) ^ (x >> 7) ^ k;
}

static __always_inline void put128(__u32 slot, u128 v)
{
	ts_put(&results, slot, (__u64)v ^ (__u64)(v >> 64) * 3);
}

SEC("raw_tp/sys_enter")
int int128_ops(__u64 *ctx)
{
	__u64 a = ctx[0], b = ctx[1], c = ctx[2], d = ctx[3];
	u128 p = ((u128)a << 64) | b;
	u128 q = ((u128)b << 64) | c;
	s128 s = (s128)(__s64)d;                 /* sign-extended */

	put128(0, p + q);
	put128(1, p - q);
	put128(2, (p & q) | (p ^ ~q));
	put128(3, (p << 1) ^ (p << 63) ^ (p << 64) ^ (p << 65));
	put128(4, (p >> 1) ^ (p >> 63) ^ (p >> 64) ^ (p >> 100) ^ (p >> 127) ^ (p >> 0));
	put128(5, (u128)(s >> 3) + (u128)(s >> 64) + (u128)(s >> 70) + (u128)(s << 100));
	put128(6, (q >> 65) + (u128)(s >> 127) + (u128)(s >> 63));
	ts_put(&results, 7, (p < q) | (p <= q) << 1 | (p > q) << 2 | (p >= q) << 3 | (p == q) << 4 |
	                    (p != q) << 5 | (s < (s128)p) << 6 | (s >= -5) << 7 | (s > (s128)q) << 8);
	ts_put(&results, 8, (__u32)p + (__s8)q + (_Bool)(p >> 64) * 1000 + (_Bool)(q & 0));

	u128 r = p;
	r += c;
	r -= d;
	r <<= 3;
	r >>= 5;
	r ^= q;
	r |= (u128)1 << 127;
	r &= ~((u128)0xff << 60);
	++r;
	r--;
	put128(9, r);

	__u64 narrow = a;
	narrow += q;                             /* computed in 128 bits, stored truncated */
	narrow ^= p >> 64;
	ts_put(&results, 10, narrow);

	struct pair local = { .tag = 7, .value = mix(p, c) };
	global_pair.value = local.value - q;
	global_pair.tag = local.tag;
	global_signed = -s;
	put128(11, global_pair.value + (u128)global_signed);

	u128 pick = d & 1 ? p : q;
	put128(12, pick);
	int taken = 0;
	if (p)
		taken |= 1;
	if (!q)
		taken |= 2;
	if (p && (q >> 64))
		taken |= 4;
	if (s)
		taken |= 8;
	if ((u128)1 << 100)
		taken |= 16;
	if (((u128)3 << 64) == 0)
		taken |= 32;
	taken |= wide_truths << 8;
	ts_put(&results, 13, taken);
	s128 m = -(s128)p;
	put128(14, (u128)m);
	put128(15, (u128)(m >> 1) ^ seed ^ (u128)(negative_seed >> 2));
	/* Products and quotients of values that fit 32 and 64 bits, which clang computes
	 * in 64 bits (a wider one would call the runtime library, which it refuses). */
	u128 prod = (u128)(__u32)a * (__u32)b + (u128)(__u16)c * 0x10001;
	put128(16, prod);
	put128(17, ((u128)a / (b | 1)) + ((u128)c % (d | 1)));
	return (__u32)(p >> 96);
}

char LICENSE[] SEC("license") = "GPL";
