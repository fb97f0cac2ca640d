// Pointer arithmetic and casts on packet and stack: walking a packet with typed pointers,
// pointer differences, casts between pointer types (u8* to u16*/u32*), pointer-to-integer
// round trips of stack addresses kept as pointers, arrays decaying to pointers.
// @input 020000000001020000000002ffff01020304
// @input 020000000001020000000002ffff0a0b0c0d0e0f10111213141516171819
// @input 020000000001020000000002ffffffff0000ffff
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(6);

static __always_inline __u32 sum_words(const __u16 *p, const __u16 *end)
{
	__u32 s = 0;
	for (int i = 0; i < 8; i++) {
		if (p + 1 > end)
			break;
		s += *p++;
	}
	return s;
}

SEC("xdp")
int pointer_arith(struct xdp_md *ctx)
{
	__u8 *data = (void *)(long)ctx->data;
	__u8 *end = (void *)(long)ctx->data_end;
	__u8 *p = data + 14;
	if (p + 4 > end)
		return XDP_DROP;
	__u32 w32 = *(__u32 *)p;
	__u16 *hp = (__u16 *)(p + 2);
	ts_put(&results, 0, w32 ^ *hp);
	ts_put(&results, 1, sum_words((__u16 *)p, (__u16 *)end));
	ts_put(&results, 2, end - p);
	__u8 local[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	__u8 *lp = local, *lend = local + sizeof(local);
	__u32 acc = 0;
	while (lp < lend)
		acc = acc * 3 + *lp++;
	ts_put(&results, 3, acc + (lend - local));
	__u8 *q = &p[3];
	ts_put(&results, 4, q[-1] * 256 + *(q - 3));
	__u64 *lp64 = (__u64 *)local;
	ts_put(&results, 5, *lp64 + (p[0] & 7));
	return (end - data) > 20 ? XDP_PASS : XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
