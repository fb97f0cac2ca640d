// XDP program referencing DEVMAP, DEVMAP_HASH, CPUMAP and XSKMAP with bpf_redirect_map
// whose flags give the fallback action for empty slots; also a STACK_TRACE map and an
// SK_STORAGE map declared (types that must round-trip through the object).
// @input 020000000001020000000002ffff00
// @input 020000000001020000000002ffff11
// @input 020000000001020000000002ffff22
// @input 020000000001020000000002ffff33
// @input 020000000001020000000002ffff52
// @input 020000000001020000000002ffff
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct bpf_devmap_val);
} dev SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP_HASH);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} devh SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_CPUMAP);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct bpf_cpumap_val);
} cpus SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u32);
} xsks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 16);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, 8 * sizeof(__u64));
} stacks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, __u64);
} sk_data SEC(".maps");

SEC("xdp")
int redirect_types(struct xdp_md *ctx)
{
	__u8 *p = (void *)(long)ctx->data + 14;
	if ((void *)(p + 1) > (void *)(long)ctx->data_end)
		return XDP_ABORTED;
	__u32 k = *p >> 4;
	switch (*p & 3) {
	case 0:
		return bpf_redirect_map(&dev, k, XDP_PASS);
	case 1:
		return bpf_redirect_map(&devh, k, XDP_DROP);
	case 2:
		return bpf_redirect_map(&cpus, k, XDP_TX);
	default:
		return bpf_redirect_map(&xsks, k, XDP_PASS);
	}
}

char LICENSE[] SEC("license") = "GPL";
