// @expect-error big_frame
// A BPF-to-BPF subprogram whose own frame exceeds 512 bytes: the diagnostic must name it.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

static __noinline int big_frame(__u32 seed)
{
	char buf[600];
	for (int i = 0; i < 600; i++)
		buf[i] = (char)(seed + i);
	__u32 h = 0;
	for (int i = 0; i < 600; i += 7)
		h = h * 31 + buf[(i * seed) % 600];
	return h;
}

SEC("raw_tp/sys_enter")
int caller(__u64 *ctx)
{
	return big_frame((__u32)ctx[0]);
}

char LICENSE[] SEC("license") = "GPL";
