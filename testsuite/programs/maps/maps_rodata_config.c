// Configuration through .rodata: const volatile scalars, a const volatile array and struct
// (rewritable by loaders before load), a BPF_F_MMAPABLE array map, and .bss counters; the
// program filters UDP ports listed in the config.
// @input 02000000000102000000000208004500002800014000401126c20a0000010a00000203e8003500140000717171717171717171717171
// @input 02000000000102000000000208004500001c00014000401126ce0a0000010a00000203e800a100080000
// @input 02000000000102000000000208004500001d00014000401126cd0a0000010a00000203e81f900009000078
// @input 02000000000102000000000208004500001c00014000401126ce0a0000010a00000203e8005000040000
// @input 02000000000102000000000208004500001c00014000401126ce0a0000010a00000203e8005004000000
// @input 02000000000102000000000208004500002800014000400626cd0a0000010a0000020001003500000001000000005002020000000000
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/in.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct limits {
	__u16 min_len;
	__u16 max_len;
};

const volatile __u16 blocked_ports[4] = { 53, 123, 161, 0 };
const volatile struct limits lim = { .min_len = 8, .max_len = 512 };
const volatile _Bool verbose = 0;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, __u64);
} per_port SEC(".maps");

__u64 too_short, too_long, passed;

SEC("xdp")
int rodata_config(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *iph = (void *)(eth + 1);
	struct udphdr *uh = (void *)(iph + 1);
	if ((void *)(uh + 1) > end)
		return XDP_PASS;
	if (eth->h_proto != bpf_htons(ETH_P_IP) || iph->protocol != IPPROTO_UDP || iph->ihl != 5)
		return XDP_PASS;
	__u16 len = bpf_ntohs(uh->len);
	if (len < lim.min_len) {
		too_short++;
		return XDP_DROP;
	}
	if (len > lim.max_len) {
		too_long++;
		return XDP_DROP;
	}
	__u16 port = bpf_ntohs(uh->dest);
	for (__u32 i = 0; i < 4; i++) {
		if (blocked_ports[i] && blocked_ports[i] == port) {
			__u64 *c = bpf_map_lookup_elem(&per_port, &i);
			if (c)
				*c += 1;
			if (verbose)
				bpf_printk("blocked %d", port);
			return XDP_DROP;
		}
	}
	passed++;
	return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
