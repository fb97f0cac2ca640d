// @expect-error no member named 'tll' in 'struct iphdr'
// A misspelled struct member.
#include <linux/bpf.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int no_member(struct xdp_md *ctx)
{
	struct iphdr *iph = (void *)(long)ctx->data + 14;
	if ((void *)(iph + 1) > (void *)(long)ctx->data_end)
		return XDP_DROP;
	return iph->tll;
}

char LICENSE[] SEC("license") = "GPL";
