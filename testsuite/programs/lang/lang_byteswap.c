// Byte order: __builtin_bswap16/32/64, bpf_htons/bpf_ntohs/bpf_htonl/bpf_ntohl and
// bpf_cpu_to_be64/bpf_be64_to_cpu on variables and constants, reading big-endian fields.
// @ctx 0807060504030201ddccbbaa00000000
// @ctx 00ff0000000000007856341200000000
// @ctx ffffffffffffffff0000000000000000
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "ts_common.h"

TS_RESULTS(9);

SEC("raw_tp/sys_enter")
int byteswap(__u64 *ctx)
{
	__u64 v = ctx[0];
	ts_put(&results, 0, __builtin_bswap16((__u16)v));
	ts_put(&results, 1, __builtin_bswap32((__u32)v));
	ts_put(&results, 2, __builtin_bswap64(v));
	ts_put(&results, 3, bpf_htons((__u16)v) + bpf_ntohs(0x1234));
	ts_put(&results, 4, bpf_ntohl((__u32)(v >> 16)));
	ts_put(&results, 5, bpf_cpu_to_be64(v) ^ bpf_be64_to_cpu(0x0102030405060708ULL));
	__u8 raw[4];
	__builtin_memcpy(raw, &ctx[1], 4);
	__be32 be;
	__builtin_memcpy(&be, raw, 4);
	ts_put(&results, 6, bpf_ntohl(be) - ((__u32)raw[0] << 24 | raw[1] << 16 | raw[2] << 8 | raw[3]));
	ts_put(&results, 7, __builtin_bswap32(__builtin_bswap32((__u32)v)) == (__u32)v);
	ts_put(&results, 8, (__u16)__builtin_bswap16((__u16)(v >> 8)) >> 4);
	return bpf_ntohs((__u16)v) & 0xff;
}

char LICENSE[] SEC("license") = "GPL";
