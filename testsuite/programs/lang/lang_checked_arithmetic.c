// GCC's checked arithmetic (__builtin_{add,sub,mul}_overflow, the typed s/u forms, 32-bit
// and 64-bit add/sub, mixed operand types and result widths), __builtin_abs/labs,
// __builtin_strlen of a literal, __builtin_expect_with_probability (its probability a
// double constant), with other bit builtins around them.
// @input 000000000000000000000000080005f00311a2b3c4d5
// @input 0000000000000000000000000800ff000000000000ff
// @input 00000000000000000000000008007fffffffffffff7f
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"
TS_RESULTS(16);
SEC("xdp")
int checked_arith(struct xdp_md *ctx)
{
    unsigned char *p = (void *)(long)ctx->data;
    if ((void *)(p + 22) > (void *)(long)ctx->data_end)
        return XDP_ABORTED;
    __u32 a = *(__u32 *)(p + 14), b = p[18];
    __u64 w = *(__u64 *)(p + 14);
    int s = (int)a;
    __u32 r32; __u64 r64; int ri;
    int o1 = __builtin_add_overflow(a, b * 0x1000000u, &r32);
    ts_put(&results, 0, o1 * 1000000000ull + r32);
    int o2 = __builtin_mul_overflow(a, b * 0x10000u, &r32); r64 = r32;
    ts_put(&results, 1, o2 + r64);
    int o3 = __builtin_sub_overflow(s, (int)b * 100000000, &ri);
    ts_put(&results, 2, o3 * 10 + (__u32)ri);
    __s16 r16; __u8 r8; __u64 ru64;
    int o5 = __builtin_add_overflow((__s8)b, (__u16)a, &r16) * 4 + __builtin_sub_overflow(b, a & 0xff, &r8) * 2
             + __builtin_mul_overflow((__s32)a, -3, &ru64);
    ts_put(&results, 15, o5 * 1000 + (__u16)r16 + r8 * 7 + ru64);
    int o6 = __builtin_uaddll_overflow(w, w << 1, &ru64) * 2 + __builtin_ssubl_overflow((long)w, -(long)a, (long *)&r64);
    ts_put(&results, 13, o6 + ru64 + r64);
    int o4 = __builtin_sadd_overflow(s, 0x7fffff00, &ri);
    ts_put(&results, 3, o4 + (__u32)ri);
    ts_put(&results, 4, __builtin_abs(s) + __builtin_labs((long)w >> 3));
    ts_put(&results, 5, __builtin_bswap16((__u16)a) + __builtin_bswap64(w));
    ts_put(&results, 6, __builtin_clzll(w | 1) * 100 + __builtin_ctzll(w | 0x8000000000000000ull));
    ts_put(&results, 7, __builtin_ffsll(w) + __builtin_parityll(w) * 1000 + __builtin_popcount(a));
    ts_put(&results, 8, __builtin_rotateleft32(a, b & 31) ^ __builtin_rotateright64(w, 13));
    ts_put(&results, 9, __builtin_bitreverse32(a) + __builtin_bitreverse8((__u8)b));
    __u8 buf1[8], buf2[8];
    __builtin_memcpy(buf1, p + 14, 8);
    __builtin_memcpy(buf2, p + 14, 8);
    buf2[3] ^= (b & 1);
    ts_put(&results, 10, __builtin_memcmp(buf1, buf2, 8) < 0 ? 1 : __builtin_memcmp(buf1, buf2, 8) > 0 ? 2 : 3);
    __builtin_memmove(buf1 + 1, buf1, 6);
    ts_put(&results, 11, *(__u64 *)buf1);
    ts_put(&results, 12, __builtin_strlen("abcdef") + sizeof(buf1));
    if (b == 0x77)
        __builtin_unreachable();
    ts_put(&results, 14, __builtin_expect_with_probability(b, 3, 0.9) + __builtin_ctz(a | 0x80000000u));
    return XDP_PASS;
}
char LICENSE[] SEC("license") = "GPL";
