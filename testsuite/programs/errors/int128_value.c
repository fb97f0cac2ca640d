// eBPF registers hold 64 bits and swift-bpfcc does not split a 16-byte integer over
// two of them: computing with unsigned __int128 is refused at the first such value,
// where silently keeping only the low 64 bits would compute something else.
// @expect-error 128-bit integer values ('unsigned __int128') are not supported
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int wide_product(struct xdp_md *ctx)
{
	__u64 a = ctx->ingress_ifindex, b = ctx->rx_queue_index;
	unsigned __int128 p = ((unsigned __int128)a << 64) | b;
	return (__u64)(p >> 64) & 1;
}

char LICENSE[] SEC("license") = "GPL";
