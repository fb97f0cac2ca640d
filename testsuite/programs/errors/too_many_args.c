// @expect-error arguments
// A BPF-to-BPF call with six arguments: eBPF passes at most five, in r1-r5.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

static __noinline int six(int a, int b, int c, int d, int e, int f)
{
	return a + b * 2 + c * 3 + d * 4 + e * 5 + f * 6;
}

SEC("raw_tp/sys_enter")
int too_many_args(__u64 *ctx)
{
	int x = (int)ctx[0];
	return six(x, x + 1, x + 2, x + 3, x + 4, x + 5);
}

char LICENSE[] SEC("license") = "GPL";
