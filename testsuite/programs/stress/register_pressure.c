// A function far larger than programs are, with more values live at once than eBPF has
// registers: 24 running values mixed with each other for 48 rounds (over 3,000
// instructions). The register allocator spills many values; in a function this large it
// spills all it cannot place in each round instead of one at a time (one a round took
// 20 s on a random program of this size; clang takes 0.7 s). Results compared with clang's.
// @ctx 0100000000000000020000000000000003000000000000000400000000000000
// @ctx ffffffffffffffff0100000000000000410000000000000007000000000000a0
// @ctx 123456789abcdef0fedcba98765432107f0000000000000001000000ffffffff
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(4);

#define MIX(a, b, c, k) a = a * (k) + (b >> 7) + (c ^ (a << 3));
#define ROUND(k)                                                    \
	MIX(v0, v1, v23, k) MIX(v1, v2, v0, k + 1) MIX(v2, v3, v1, k + 2)     \
	MIX(v3, v4, v2, k + 3) MIX(v4, v5, v3, k + 4) MIX(v5, v6, v4, k + 5)   \
	MIX(v6, v7, v5, k + 6) MIX(v7, v8, v6, k + 7) MIX(v8, v9, v7, k + 8)   \
	MIX(v9, v10, v8, k + 9) MIX(v10, v11, v9, k + 10) MIX(v11, v12, v10, k + 11) \
	MIX(v12, v13, v11, k + 12) MIX(v13, v14, v12, k + 13) MIX(v14, v15, v13, k + 14) \
	MIX(v15, v16, v14, k + 15) MIX(v16, v17, v15, k + 16) MIX(v17, v18, v16, k + 17) \
	MIX(v18, v19, v17, k + 18) MIX(v19, v20, v18, k + 19) MIX(v20, v21, v19, k + 20) \
	MIX(v21, v22, v20, k + 21) MIX(v22, v23, v21, k + 22) MIX(v23, v0, v22, k + 23)
#define ROUNDS4(k) ROUND(k) ROUND(k + 101) ROUND(k + 202) ROUND(k + 303)
#define ROUNDS16(k) ROUNDS4(k) ROUNDS4(k + 1001) ROUNDS4(k + 2002) ROUNDS4(k + 3003)

SEC("raw_tp/sys_enter")
int register_pressure(__u64 *ctx)
{
	__u64 a = ctx[0], b = ctx[1], c = ctx[2], d = ctx[3];
	__u64 v0 = a, v1 = b, v2 = c, v3 = d, v4 = a ^ b, v5 = b ^ c, v6 = c ^ d, v7 = d ^ a;
	__u64 v8 = a + 1, v9 = b + 2, v10 = c + 3, v11 = d + 4, v12 = a * 3, v13 = b * 5;
	__u64 v14 = c * 7, v15 = d * 11, v16 = a >> 1, v17 = b >> 2, v18 = c >> 3, v19 = d >> 4;
	__u64 v20 = ~a, v21 = ~b, v22 = ~c, v23 = ~d;

	ROUNDS16(3) ROUNDS16(17) ROUNDS16(29)

	ts_put(&results, 0, v0 ^ v1 ^ v2 ^ v3 ^ v4 ^ v5);
	ts_put(&results, 1, v6 + v7 + v8 + v9 + v10 + v11);
	ts_put(&results, 2, v12 ^ v13 ^ v14 ^ v15 ^ v16 ^ v17);
	ts_put(&results, 3, v18 + v19 + v20 + v21 + v22 + v23);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
