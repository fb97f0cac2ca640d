// char, signed char and unsigned char from packet bytes: plain char arithmetic and
// comparisons (char is signed for the BPF target, like x86), promotions to int, conversions
// of char to unsigned types, character classification.
// @input 020000000001020000000002ffff41ff8030
// @input 020000000001020000000002ffff7f7f7f7f
// @input 020000000001020000000002ffff80018139
// @input 020000000001020000000002ffff397a5a20
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ts_common.h"

TS_RESULTS(6);

SEC("xdp")
int char_signedness(struct xdp_md *ctx)
{
	char *p = (void *)(long)ctx->data + 14;
	if ((void *)(p + 4) > (void *)(long)ctx->data_end)
		return XDP_ABORTED;
	char c = p[0];
	signed char sc = p[1];
	unsigned char uc = p[2];
	ts_put(&results, 0, (__u64)(long)c);
	ts_put(&results, 1, (__u64)(c < 0) | (sc < 0) << 1 | (uc > 127) << 2);
	ts_put(&results, 2, (__u64)(__u32)(c + sc + uc));
	ts_put(&results, 3, (unsigned char)c * 2 + (unsigned short)sc);
	int digits = 0, letters = 0;
	for (int i = 0; i < 4; i++) {
		char ch = p[i];
		if (ch >= '0' && ch <= '9')
			digits++;
		else if ((ch | 0x20) >= 'a' && (ch | 0x20) <= 'z')
			letters++;
	}
	ts_put(&results, 4, digits * 10 + letters);
	ts_put(&results, 5, (__u64)(long)(char)(c + 100));
	return c < 0 ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
