// raw_tp: bpf_printk with several static format strings (%d, %u, %llx, %s of a constant
// string) on the runnable path; return value depends on the argument.
// @ctx 0000000000000000
// @ctx 2500000000000000
// @ctx 40e2010000000000
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

static const char names[3][8] = { "zero", "small", "large" };

SEC("raw_tp/sys_enter")
int printk_args(__u64 *ctx)
{
	__u64 a = ctx[0];
	int cls = a == 0 ? 0 : (a < 1000 ? 1 : 2);
	bpf_printk("arg=%llx class=%d", a, cls);
	if (cls == 2)
		bpf_printk("large value %u", (unsigned int)(a >> 10));
	bpf_printk("name %s", names[cls]);
	return cls * 10 + (int)(a & 7);
}

char LICENSE[] SEC("license") = "GPL";
