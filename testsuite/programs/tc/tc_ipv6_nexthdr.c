// TC classifier: IPv6 parser that skips hop-by-hop/destination-options extension headers
// (bounded loop), classifies TCP/UDP/ICMPv6, drops hop limit 0/1 and counts per final next header.
// @input 02000000000102000000000286dd6000000000140640fd000000000000000000000000000001fd00000000000000000000000000000203e801bb00000001000000005002020000000000
// @input 02000000000102000000000286dd6000000000120040fd000000000000000000000000000001fd000000000000000000000000000002110001040000000000350035000a00006869
// @input 02000000000102000000000286dd6000000000200040fd000000000000000000000000000001fd0000000000000000000000000000023c000104000000003a01010c0000000000000000000000008000000000010001
// @input 02000000000102000000000286dd6000000000081101fd000000000000000000000000000001fd0000000000000000000000000000020009000900080000
// @input 02000000000102000000000286dd6000000000080040fd000000000000000000000000000001fd0000000000000000000000000000021103000000000000
// @input 02000000000102000000000286dd6000000000140640fd000000000000000000000000000001fd000000000000000000000000000002000100020000000100000000
// @input 02000000000102000000000208004500001c00014000401126ce0a0000010a0000020001000100080000
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ipv6.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct opt_hdr {
	__u8 nexthdr;
	__u8 hdrlen;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, __u64);
} per_nexthdr SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} ports SEC(".maps");

SEC("tc")
int ipv6_nexthdr(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > data_end)
		return TC_ACT_SHOT;
	if (eth->h_proto != bpf_htons(ETH_P_IPV6))
		return TC_ACT_OK;
	struct ipv6hdr *ip6 = (void *)(eth + 1);
	if ((void *)(ip6 + 1) > data_end)
		return TC_ACT_SHOT;
	if (ip6->hop_limit <= 1)
		return TC_ACT_SHOT;
	__u8 nh = ip6->nexthdr;
	void *cur = ip6 + 1;
	int i;
	for (i = 0; i < 4; i++) {
		if (nh != IPPROTO_HOPOPTS && nh != IPPROTO_DSTOPTS)
			break;
		struct opt_hdr *oh = cur;
		if ((void *)(oh + 1) > data_end)
			return TC_ACT_SHOT;
		nh = oh->nexthdr;
		cur += (oh->hdrlen + 1) * 8;
	}
	__u32 key = nh;
	__u64 *c = bpf_map_lookup_elem(&per_nexthdr, &key);
	if (c)
		*c += 1;
	__u32 slot = i, port = 0;
	if (nh == IPPROTO_TCP) {
		struct tcphdr *th = cur;
		if ((void *)(th + 1) > data_end)
			return TC_ACT_SHOT;
		port = bpf_ntohs(th->dest);
	} else if (nh == IPPROTO_UDP) {
		struct udphdr *uh = cur;
		if ((void *)(uh + 1) > data_end)
			return TC_ACT_SHOT;
		port = bpf_ntohs(uh->dest);
	} else if (nh == IPPROTO_ICMPV6) {
		__u8 *type = cur;
		if ((void *)(type + 1) > data_end)
			return TC_ACT_SHOT;
		port = *type | 0x10000;
	}
	bpf_map_update_elem(&ports, &slot, &port, BPF_ANY);
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
