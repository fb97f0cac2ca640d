// A 128-bit shift by an amount known only at run time: clang's BPF target would call the
// runtime library's __ashlti3, which a BPF program cannot, and refuses it; so do we, at the
// operator. (Shifts by constants are computed on the two 64-bit halves: lang_int128.c.)
// @expect-error 128-bit shift by a variable amount is not supported
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int wide_shift(struct xdp_md *ctx)
{
	unsigned __int128 p = ctx->ingress_ifindex;
	p <<= ctx->rx_queue_index & 127;
	return (__u64)(p >> 64) & 1;
}

char LICENSE[] SEC("license") = "GPL";
