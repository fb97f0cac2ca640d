// 128-bit division of a value wider than 64 bits: BPF has no instruction for it and a
// program cannot call the runtime library's __udivti3 (clang's BPF target refuses it
// too). Refused at the operator. (Division of values that fit 64 bits is one 64-bit
// division, as clang narrows it: lang_int128.c.)
// @expect-error 128-bit division is not supported
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int wide_quotient(struct xdp_md *ctx)
{
	__u64 a = ctx->ingress_ifindex, b = ctx->rx_queue_index;
	unsigned __int128 p = ((unsigned __int128)a << 64) | b;
	return (__u64)(p / (b | 1)) & 1;
}

char LICENSE[] SEC("license") = "GPL";
