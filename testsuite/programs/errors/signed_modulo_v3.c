// @expect-error signed division
// Signed modulo of run-time values needs sdiv/smod, which -mcpu=v3 (the default) lacks.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("raw_tp/sys_enter")
int signed_modulo(__u64 *ctx)
{
	long a = (long)ctx[0];
	long b = (long)ctx[1] | 1;
	return (int)(a % b);
}

char LICENSE[] SEC("license") = "GPL";
