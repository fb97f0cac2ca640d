// raw_tp: the newer integer builtins clang-22 expands for BPF: the type-generic counts
// __builtin_clzg/ctzg (with and without the value for zero) and popcountg on 8- to 64-bit
// types, __builtin_clrsb in its int and long forms, __builtin_align_up/align_down/
// is_aligned, and the scalar forms of __builtin_elementwise_max/min/abs/popcount/
// bitreverse/add_sat/sub_sat/fshl/fshr/clzg/ctzg, each at 8, 16, 32 and 64 bits and on
// both sides of the saturation limits; also __builtin_object_size and
// __builtin_dynamic_object_size of locals, __builtin_classify_type, __builtin_prefetch,
// __builtin_memset_inline and __builtin_addressof. Inputs are two context arguments;
// every result is folded into a results slot.
// @ctx 0100000000000000ffffffffffffffff
// @ctx 00800000000000800300000000000000
// @ctx f0debc9a785634121100000000000000
// @ctx 0000000000000000c0ffee0000000000
// @ctx ff7f0000ffffff7f0180000000000080
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(12);

struct pair { __u32 tag; char name[12]; };
union word { __u32 w; __u8 b[4]; };

SEC("raw_tp/sys_enter")
int integer_builtins(struct bpf_raw_tracepoint_args *ctx)
{
	__u64 a = ctx->args[0], b = ctx->args[1];
	__u32 a32 = (__u32)a, b32 = (__u32)(b >> 3);
	__u16 a16 = (__u16)(a >> 8), b16 = (__u16)b;
	__u8 a8 = (__u8)a, b8 = (__u8)(b >> 56);
	__s64 sa = (__s64)a, sb = (__s64)b;
	__s32 sa32 = (__s32)a32, sb32 = (__s32)b32;
	__s16 sa16 = (__s16)a16, sb16 = (__s16)b16;
	__s8 sa8 = (__s8)a8, sb8 = (__s8)b8;

	/* Generic counts: the width is the operand type's; zero takes the second operand. */
	ts_put(&results, 0, __builtin_clzg(a8, -1));
	ts_put(&results, 0, __builtin_clzg(b16, 99));
	ts_put(&results, 0, __builtin_clzg(a32 | 1));
	ts_put(&results, 0, __builtin_clzg(b, 64));
	ts_put(&results, 0, __builtin_ctzg(b8, 8));
	ts_put(&results, 0, __builtin_ctzg(a16, -7));
	ts_put(&results, 0, __builtin_ctzg(b32 | 0x80000000u));
	ts_put(&results, 0, __builtin_ctzg(a, 200));
	ts_put(&results, 1, __builtin_popcountg(a8) + 10 * __builtin_popcountg(b16));
	ts_put(&results, 1, __builtin_popcountg(a32 ^ b32) + 100 * __builtin_popcountg(a & b));
	ts_put(&results, 1, __builtin_clrsb(sa32) + 64 * __builtin_clrsb(sb32));
	ts_put(&results, 1, __builtin_clrsbl(sa) + 64 * __builtin_clrsbll(sb));
	ts_put(&results, 1, __builtin_clrsb(0) + 64 * __builtin_clrsb(-1) + 4096 * __builtin_clrsbll(1));

	/* Alignment of integers (powers of two, one of them a run-time value). */
	__u32 align = 1u << (b8 & 7);
	ts_put(&results, 2, __builtin_align_up(a32, 16));
	ts_put(&results, 2, __builtin_align_down(b, 4096));
	ts_put(&results, 2, __builtin_align_up(a16, align));
	ts_put(&results, 2, __builtin_align_down(sa16, align));
	ts_put(&results, 2, __builtin_align_up(sa8, 8));
	ts_put(&results, 2, __builtin_is_aligned(a, 8) + 2 * __builtin_is_aligned(b32, align) + 4 * __builtin_is_aligned(a8, 2));

	/* min / max / abs at the operand type's width and signedness. */
	ts_put(&results, 3, __builtin_elementwise_max(a8, b8) + 256 * __builtin_elementwise_min(a8, b8));
	ts_put(&results, 3, (__u8)__builtin_elementwise_max(sa8, sb8) + 256 * (__u8)__builtin_elementwise_min(sa8, sb8));
	ts_put(&results, 3, __builtin_elementwise_max(sa16, sb16) * 65536L + __builtin_elementwise_min(a16, b16));
	ts_put(&results, 3, __builtin_elementwise_max(sa32, sb32) + __builtin_elementwise_min(a32, b32) * 3L);
	ts_put(&results, 3, __builtin_elementwise_max(sa, sb) ^ __builtin_elementwise_min(a, b));
	ts_put(&results, 4, (__u8)__builtin_elementwise_abs(sa8) + 256 * (__u16)__builtin_elementwise_abs(sb16));
	ts_put(&results, 4, (__u32)__builtin_elementwise_abs(sa32) + (__u64)__builtin_elementwise_abs(sb));
	ts_put(&results, 4, __builtin_elementwise_abs((__s8)-128) + __builtin_elementwise_abs((int)-5));

	/* Per-type popcount, bit reversal and counts. */
	ts_put(&results, 5, __builtin_elementwise_popcount(a8) + 16 * __builtin_elementwise_popcount(b16)
		+ 1024 * __builtin_elementwise_popcount(a32) + 65536 * __builtin_elementwise_popcount(b));
	ts_put(&results, 5, __builtin_elementwise_bitreverse(a8) + 256 * __builtin_elementwise_bitreverse(b16));
	ts_put(&results, 5, __builtin_elementwise_bitreverse(a32) ^ __builtin_elementwise_bitreverse(b));
	ts_put(&results, 5, __builtin_elementwise_clzg(b16, (__u16)77) + 128 * __builtin_elementwise_ctzg(a32, 55u));

	/* Saturating arithmetic, unsigned and signed, at each width. */
	ts_put(&results, 6, __builtin_elementwise_add_sat(a8, b8) + 256 * __builtin_elementwise_sub_sat(a8, b8));
	ts_put(&results, 6, __builtin_elementwise_add_sat(a16, b16) + 65536L * __builtin_elementwise_sub_sat(b16, a16));
	ts_put(&results, 6, __builtin_elementwise_add_sat(a32, b32) + ((__u64)__builtin_elementwise_sub_sat(a32, b32) << 32));
	ts_put(&results, 6, __builtin_elementwise_add_sat(a, b) ^ __builtin_elementwise_sub_sat(b, a));
	ts_put(&results, 7, (__u8)__builtin_elementwise_add_sat(sa8, sb8) + 256 * (__u8)__builtin_elementwise_sub_sat(sa8, sb8));
	ts_put(&results, 7, (__u16)__builtin_elementwise_add_sat(sa16, sb16) + 65536L * (__u16)__builtin_elementwise_sub_sat(sb16, sa16));
	ts_put(&results, 7, (__u32)__builtin_elementwise_add_sat(sa32, sb32) + ((__u64)(__u32)__builtin_elementwise_sub_sat(sa32, sb32) << 32));
	ts_put(&results, 7, __builtin_elementwise_add_sat(sa, sb) ^ __builtin_elementwise_sub_sat(sb, sa));
	ts_put(&results, 7, __builtin_elementwise_add_sat(sa, (__s64)0x7fffffffffffff00LL) ^ __builtin_elementwise_sub_sat(sa, (__s64)0x7fffffffffffff00LL));

	/* Funnel shifts: by zero, by more than the width, by a run-time amount. */
	ts_put(&results, 8, __builtin_elementwise_fshl(a8, b8, (__u8)3) + 256 * __builtin_elementwise_fshr(a8, b8, (__u8)11));
	ts_put(&results, 8, __builtin_elementwise_fshl(a16, b16, (__u16)(b8 & 31)) + 65536L * __builtin_elementwise_fshr(b16, a16, (__u16)0));
	ts_put(&results, 8, __builtin_elementwise_fshl(a32, b32, (__u32)a8) + ((__u64)__builtin_elementwise_fshr(a32, b32, (__u32)b8) << 32));
	ts_put(&results, 8, __builtin_elementwise_fshl(a, b, (__u64)b8) ^ __builtin_elementwise_fshr(a, b, (__u64)a8));
	ts_put(&results, 8, __builtin_elementwise_fshl(a, b, (__u64)0) ^ __builtin_elementwise_fshr(b, a, (__u64)64));

	/* Object sizes of locals, type classes, and the builtins that compute nothing. */
	struct pair p = { .tag = a32 };
	char buf[24];
	__builtin_memset_inline(buf, 0x5a, sizeof(buf));
	buf[a8 & 15] = (char)b8;
	union word u = { .w = b32 };
	ts_put(&results, 9, __builtin_object_size(buf, 0) + 100 * __builtin_object_size(&p.name[2], 1)
		+ 10000 * __builtin_object_size(&p, 0));
	ts_put(&results, 9, __builtin_dynamic_object_size(buf + 4, 0) + 100 * __builtin_dynamic_object_size(&p.name[5], 1));
	ts_put(&results, 9, __builtin_object_size(&p.name[2], 2) + 100 * __builtin_object_size(buf, 3));
	ts_put(&results, 10, __builtin_classify_type(a) + 100 * __builtin_classify_type(&p)
		+ 10000 * __builtin_classify_type(p) + 1000000 * __builtin_classify_type(u));
	__builtin_prefetch(&buf[3]);
	__builtin_prefetch(buf, 1, 3);
	__u64 *pa = __builtin_addressof(a);
	*pa += 1;
	ts_put(&results, 11, a + buf[3] + buf[a8 & 15] + p.name[0] + u.b[1]);
	return __builtin_popcountg(a32) & 0xff;
}

char LICENSE[] SEC("license") = "GPL";
