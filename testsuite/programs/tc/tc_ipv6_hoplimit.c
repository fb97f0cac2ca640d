// TC classifier: IPv6 hop-limit decrement and flow-label stamping by direct packet writes
// (IPv6 has no header checksum), traffic-class bits preserved; hop limit 1 dropped.
// @input 02000000000102000000000286dd6000000000081140fd000000000000000000000000000001fd0000000000000000000000000000020001000200080000
// @input 02000000000102000000000286dd6ab0000000083a40fd000000000000000000000000000001fd00000000000000000000000000007f80007ffd00010001
// @input 02000000000102000000000286dd6000000000140601fd000000000000000000000000000001fd0000000000000000000000000000020001000200000001000000005002020000000000
// @input 02000000000102000000000208004500001c00014000401126ce0a0000010a0000020001000200080000
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ipv6.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

SEC("tc")
int ipv6_hoplimit(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct ipv6hdr *ip6 = (void *)(eth + 1);
	if ((void *)(ip6 + 1) > end)
		return TC_ACT_OK;
	if (eth->h_proto != bpf_htons(ETH_P_IPV6) || ip6->version != 6)
		return TC_ACT_OK;
	if (ip6->hop_limit <= 1)
		return TC_ACT_SHOT;
	ip6->hop_limit--;
	__u32 first = bpf_ntohl(*(__be32 *)ip6);
	__u32 label = (ip6->daddr.in6_u.u6_addr8[15] * 0x101u) & 0xfffff;
	first = (first & 0xfff00000) | label;
	*(__be32 *)ip6 = bpf_htonl(first);
	return ip6->nexthdr == 58 ? TC_ACT_PIPE : TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
