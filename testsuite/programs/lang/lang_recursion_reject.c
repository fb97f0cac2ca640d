// A directly recursive static function: both compilers emit a BPF-to-BPF call to itself and
// the kernel verifier must reject the program (recursion is not allowed).
// @expect-reject
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

static __noinline __u64 fib(__u64 n)
{
	if (n < 2)
		return n;
	return fib(n - 1) + fib(n - 2); /* two calls: no tail-recursion-to-loop rewrite */
}

SEC("raw_tp/sys_enter")
int recursion(__u64 *ctx)
{
	return (int)fib(ctx[0] & 7);
}

char LICENSE[] SEC("license") = "GPL";
