// `asm goto` whose label comes from a macro's parameter (the form of bpf_experimental.h's
// `cond_break_label`): libclang gives no list of an asm statement's labels, so they are
// read from the tokens that spell the statement, and in the macro's definition those name
// the parameter. A diagnostic at the statement, no object.
// @expect-error 'asm goto' label 'target' is not a label of this function
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define leave_when_spent(target) asm volatile goto("may_goto %l[" #target "]" :::: target)

SEC("xdp")
int asm_goto_label_parameter(struct xdp_md *ctx)
{
	__u32 n = 0;
	for (;;) {
		leave_when_spent(out);
		n++;
	}
out:
	return n & 1 ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
