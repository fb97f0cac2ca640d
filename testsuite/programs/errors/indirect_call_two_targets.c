// A function pointer that holds one of two functions is a real indirect call, which BPF
// has no instruction for: refused, where one that only ever holds one function is called
// directly (lang_function_pointer_locals.c).
// @expect-error indirect calls are not supported by BPF
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

static __attribute__((noinline)) int one(int x) { return x + 1; }
static __attribute__((noinline)) int two(int x) { return x + 2; }

SEC("xdp")
int indirect_call_two_targets(struct xdp_md *ctx)
{
	int (*fn)(int) = one;
	if (ctx->ingress_ifindex & 1)
		fn = two;
	return fn(ctx->rx_queue_index) & 3;
}

char LICENSE[] SEC("license") = "GPL";
