// TC classifier: IP-in-IP encapsulation with bpf_skb_adjust_room(BPF_ADJ_ROOM_MAC) and
// bpf_skb_store_bytes of a new outer IPv4 header (checksum computed in the program), and
// decapsulation of IPIP packets by shrinking the room; output packets compared.
// @input 02000000000102000000000208004500002400014000401126c60a0000010a00000200010002001000007061796c6f616421
// @input 020000000001020000000002080045000035000140004004b970c0a80001c0a800024500002100014000401126c90a0000010a00000200030004000d0000696e6e6572
// @input 02000000000102000000000208004500002800014000400626cd0a0000010a0000020001000200000001000000005002020000000000
// @input 02000000000102000000000286dd6000000000081140fd000000000000000000000000000001fd0000000000000000000000000000020001000200080000
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/in.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "ts_common.h"

static __always_inline __u16 ip_csum(struct iphdr *h)
{
	__u16 *w = (__u16 *)h;
	__u32 s = 0;
#pragma unroll
	for (int i = 0; i < 10; i++)
		s += w[i];
	return ts_csum_fold(s);
}

SEC("tc")
int skb_adjust_room(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *inner = (void *)(eth + 1);
	if ((void *)(inner + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	if (inner->protocol == IPPROTO_IPIP) {
		/* decapsulate: remove the outer header */
		if (bpf_skb_adjust_room(skb, -(int)sizeof(struct iphdr), BPF_ADJ_ROOM_MAC, 0))
			return TC_ACT_SHOT;
		return TC_ACT_PIPE;
	}
	if (inner->protocol != IPPROTO_UDP)
		return TC_ACT_OK;
	struct iphdr outer = {
		.version = 4,
		.ihl = 5,
		.ttl = 64,
		.protocol = IPPROTO_IPIP,
		.tot_len = bpf_htons(bpf_ntohs(inner->tot_len) + sizeof(struct iphdr)),
		.saddr = bpf_htonl(0xc0a80001),
		.daddr = bpf_htonl(0xc0a80002),
	};
	outer.check = ip_csum(&outer);
	if (bpf_skb_adjust_room(skb, sizeof(struct iphdr), BPF_ADJ_ROOM_MAC,
				BPF_F_ADJ_ROOM_ENCAP_L3_IPV4))
		return TC_ACT_SHOT;
	if (bpf_skb_store_bytes(skb, ETH_HLEN, &outer, sizeof(outer), 0))
		return TC_ACT_SHOT;
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
