// Static linking (`bpftool gen object`, as libbpf-bootstrap and scx build their
// schedulers): an XDP program calling functions another object defines, declared `extern`
// without `__ksym` — BPF-to-BPF calls the linker resolves, not kfuncs. Built with
// link_funcs.c by StaticLinkTests.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern int mix(int a, int b);
extern unsigned long long scaled(unsigned long long v, int shift);

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} results SEC(".maps");

SEC("xdp")
int link_main(struct xdp_md *ctx)
{
	__u8 *data = (void *)(long)ctx->data;
	__u8 *end = (void *)(long)ctx->data_end;
	if (data + 4 > end)
		return XDP_DROP;
	__u32 k0 = 0, k1 = 1;
	__u64 a = mix(data[0], data[1]), b = scaled(data[2] | data[3] << 8, data[0] & 7);
	__u64 *p = bpf_map_lookup_elem(&results, &k0);
	if (p)
		*p = *p * 31 + a;
	p = bpf_map_lookup_elem(&results, &k1);
	if (p)
		*p = *p * 31 + b;
	return a & 1 ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
