// bpf_loop with a static callback and a context struct: computes a checksum over the
// payload bytes inside the loop (bounds-checked packet access from the callback), stops early
// at a zero byte (callback returns 1).
// @input 020000000001020000000002ffff01020304
// @input 020000000001020000000002ffff41424300ffff
// @input 020000000001020000000002ffff
// @input 020000000001020000000002ffff01080f161d242b323940474e555c636a71787f868d949ba2a9b0b7bec5ccd3dae1e8eff6fd040b121920272e353c434a51585f666d747b828990979ea5acb3bac1c8cfd6dde4
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct walk {
	__u8 *start;
	__u8 *end;
	__u32 sum;
	__u32 seen;
};

static long step(__u64 i, void *arg)
{
	struct walk *w = arg;
	__u8 *p = w->start + (i & 63);
	if ((void *)(p + 1) > (void *)w->end)
		return 1;
	if (*p == 0)
		return 1;
	w->sum = (w->sum << 1 | w->sum >> 31) ^ *p;
	w->seen++;
	return 0;
}

__u32 last_sum;

SEC("xdp")
int bpf_loop_ctx(struct xdp_md *ctx)
{
	struct walk w = {
		.start = (void *)(long)ctx->data + 14,
		.end = (void *)(long)ctx->data_end,
	};
	long n = bpf_loop(64, step, &w, 0);
	last_sum = w.sum;
	return (n == w.seen ? 0 : 4) | (w.seen & 3);
}

char LICENSE[] SEC("license") = "GPL";
