// XDP: parses an unsigned decimal number from ASCII payload bytes (bounded loop over at most
// 10 digits, stops at a non-digit, overflow beyond 32 bits rejected), and a hex number with
// character-class switch; returns verdicts by value.
// @input 020000000001020000000002ffff3132333435
// @input 020000000001020000000002ffff34323934393637323935
// @input 020000000001020000000002ffff39393939393939393939
// @input 020000000001020000000002ffff78646541644265
// @input 020000000001020000000002ffff7a7a
// @input 020000000001020000000002ffff78
// @input 020000000001020000000002ffff
// @input 020000000001020000000002ffff30
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(2);

static __always_inline int hexval(char c)
{
	switch (c) {
	case '0' ... '9': return c - '0';
	case 'a' ... 'f': return c - 'a' + 10;
	case 'A' ... 'F': return c - 'A' + 10;
	default: return -1;
	}
}

SEC("xdp")
int ascii_number(struct xdp_md *ctx)
{
	char *p = (void *)(long)ctx->data + 14;
	void *end = (void *)(long)ctx->data_end;
	__u64 dec = 0;
	int i;
	for (i = 0; i < 10; i++) {
		if ((void *)(p + i + 1) > end)
			break;
		char c = p[i];
		if (c < '0' || c > '9')
			break;
		dec = dec * 10 + (c - '0');
	}
	if (i == 0)
		goto try_hex;
	if (dec > 0xffffffffULL)
		return XDP_ABORTED;
	ts_put(&results, 0, dec);
	return dec % 2 ? XDP_PASS : XDP_TX;
try_hex:
	if ((void *)(p + 2) > end || p[0] != 'x')
		return XDP_DROP;
	__u32 hex = 0;
	for (i = 1; i < 9; i++) {
		if ((void *)(p + i + 1) > end)
			break;
		int v = hexval(p[i]);
		if (v < 0)
			break;
		hex = hex << 4 | v;
	}
	ts_put(&results, 1, hex);
	return XDP_REDIRECT;
}

char LICENSE[] SEC("license") = "GPL";
