// @expect-error variable length array
// A variable length array: its size is only known at run time, which BPF's fixed
// 512-byte frame cannot express.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int vla(struct xdp_md *ctx)
{
	int n = (ctx->data_end - ctx->data) & 31;
	__u8 buf[n + 1];
	for (int i = 0; i <= n && i < 32; i++)
		buf[i] = i;
	return buf[n / 2];
}

char LICENSE[] SEC("license") = "GPL";
