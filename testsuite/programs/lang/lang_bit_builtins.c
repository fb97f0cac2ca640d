// raw_tp: the bit-counting and bit-moving builtins clang expands for BPF (no eBPF
// instruction does them): __builtin_clz/ctz/ffs in their int, long and short forms,
// popcount, rotateleft/rotateright at 8, 16, 32 and 64 bits, bitreverse at 8 to 64
// bits, on two context arguments (zero avoided where C leaves clz/ctz open) and on
// constants. Each result is folded into a results slot.
// @ctx 0100000000000000ffffffffffffffff
// @ctx 00800000000000800300000000000000
// @ctx f0debc9a785634121100000000000000
// @ctx 0000000000000000c0ffee0000000000
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(8);

SEC("raw_tp/sys_enter")
int bit_builtins(struct bpf_raw_tracepoint_args *ctx)
{
	__u64 a = ctx->args[0], b = ctx->args[1];
	__u32 a32 = (__u32)a, b32 = (__u32)(b >> 7);

	ts_put(&results, 0, __builtin_clzll(a | 1));
	ts_put(&results, 0, __builtin_clz(b32 | 0x10));
	ts_put(&results, 0, __builtin_clzl(b | 4));
	ts_put(&results, 0, __builtin_clzs((unsigned short)(a32 | 2)));
	ts_put(&results, 1, __builtin_ctzll(a | (1ULL << 63)));
	ts_put(&results, 1, __builtin_ctz(b32 | 0x80000000u));
	ts_put(&results, 1, __builtin_ctzl(b | (1ULL << 40)));
	ts_put(&results, 1, __builtin_ctzs((unsigned short)(a32 | 0x8000)));
	ts_put(&results, 2, __builtin_ffs((int)a32));
	ts_put(&results, 2, __builtin_ffsll((long long)b));
	ts_put(&results, 2, __builtin_ffsl((long)(a >> 12)));
	ts_put(&results, 2, __builtin_ffs(0) + __builtin_ffs(96) * 100);
	ts_put(&results, 3, __builtin_popcountll(a ^ b));
	ts_put(&results, 3, __builtin_popcount(a32 & b32));
	ts_put(&results, 4, __builtin_rotateleft64(a, 13));
	ts_put(&results, 4, __builtin_rotateright64(b, (unsigned)a & 127));
	ts_put(&results, 4, __builtin_rotateleft32(a32, b32));
	ts_put(&results, 4, __builtin_rotateright32(b32, 5));
	ts_put(&results, 5, __builtin_rotateleft16((unsigned short)a32, 3));
	ts_put(&results, 5, __builtin_rotateright16((unsigned short)b32, (unsigned short)a32));
	ts_put(&results, 5, __builtin_rotateleft8((unsigned char)b32, 9));
	ts_put(&results, 5, __builtin_rotateright8((unsigned char)a32, 1));
	ts_put(&results, 6, __builtin_bitreverse64(a));
	ts_put(&results, 6, __builtin_bitreverse32(b32));
	ts_put(&results, 6, __builtin_bitreverse16((unsigned short)a32));
	ts_put(&results, 6, __builtin_bitreverse8((unsigned char)b32));
	ts_put(&results, 7, __builtin_clz(1) + __builtin_ctzll(1ULL << 50) * 64 + __builtin_bitreverse8(1) * 4096);
	return __builtin_popcount(a32) & 0xff;
}

char LICENSE[] SEC("license") = "GPL";
