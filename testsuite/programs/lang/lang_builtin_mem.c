// __builtin_memcpy, __builtin_memset and __builtin_memcmp on stack buffers of sizes 1..64,
// unaligned offsets, struct copies through memcpy, memcmp ordering results.
// @ctx 08070605040302010807060504030201
// @ctx 88776655443322119900000000000000
// @ctx ff00000000000000ff01000000000000
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(8);

struct rec {
	__u8 tag;
	__u16 len;
	__u32 val;
	__u8 name[9];
};

SEC("raw_tp/sys_enter")
int builtin_mem(__u64 *ctx)
{
	__u8 a[64], b[64];
	__builtin_memset(a, 0x5a, sizeof(a));
	__builtin_memset(b, 0, sizeof(b));
	__builtin_memcpy(b + 3, &ctx[0], 8);
	__builtin_memcpy(b + 17, &ctx[1], 5);
	__builtin_memcpy(a + 1, b + 3, 13);
	__u64 h = 0;
	for (int i = 0; i < 64; i++)
		h = h * 131 + a[i] + b[i] * 7;
	ts_put(&results, 0, h);
	ts_put(&results, 1, (__u64)(__builtin_memcmp(a + 1, b + 3, 8) == 0));
	__u8 x[4], y[4];
	__builtin_memcpy(x, &ctx[0], 4);
	__builtin_memcpy(y, &ctx[1], 4);
	int c = __builtin_memcmp(x, y, 4);
	ts_put(&results, 2, c < 0 ? 1 : c > 0 ? 2 : 3);
	struct rec r1 = {}, r2;
	r1.tag = 9;
	r1.len = (__u16)ctx[1];
	r1.val = (__u32)ctx[0];
	__builtin_memcpy(r1.name, "bpf-test", 9);
	__builtin_memcpy(&r2, &r1, sizeof(r1));
	ts_put(&results, 3, r2.val + r2.len + r2.name[4]);
	__builtin_memset(&r2.val, 0xff, sizeof(r2.val));
	ts_put(&results, 4, r2.val);
	__builtin_memset(a, (int)(ctx[0] & 0xff), 7);
	ts_put(&results, 5, a[0] + a[6] + a[7]);
	__u64 v;
	__builtin_memcpy(&v, b + 3, sizeof(v));
	ts_put(&results, 6, v);
	ts_put(&results, 7, sizeof(r1));
	return __builtin_memcmp(x, y, 4) == 0;
}

char LICENSE[] SEC("license") = "GPL";
