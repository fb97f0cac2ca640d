// TC classifier: turns an ICMP echo request into an echo reply in place (swap MACs and
// addresses, type 8 -> 0, ICMP checksum adjusted by hand with one's complement arithmetic).
// @input 02000000000102000000000208004500002400014000400124d40a0101010a0101020800542f123400076162636465666768
// @input 02000000000102000000000208004500001c00014000400126de0a0000010a0000020000fffd00010001
// @input 02000000000102000000000208004500001c00014000400126de0a0000010a0000020800f7fd0001
// @input 02000000000102000000000208004500001c00012000400146de0a0000010a0000020800f7fd00010001
// @input 02000000000102000000000208004500001c00014000401126ce0a0000010a0000020007000700080000
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/in.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "ts_common.h"

__u32 replies;

static __always_inline __u16 csum_add16(__u16 csum, __u16 addend)
{
	__u32 s = (__u32)csum + addend;
	return (__u16)((s & 0xffff) + (s >> 16));
}

SEC("tc")
int icmp_echo_reply(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *iph = (void *)(eth + 1);
	if ((void *)(iph + 1) > data_end)
		return TC_ACT_OK;
	if (eth->h_proto != bpf_htons(ETH_P_IP) || iph->protocol != IPPROTO_ICMP || iph->ihl != 5)
		return TC_ACT_OK;
	if (iph->frag_off & bpf_htons(0x3fff))
		return TC_ACT_SHOT;
	struct ts_icmphdr *ic = (void *)(iph + 1);
	if ((void *)(ic + 1) > data_end)
		return TC_ACT_SHOT;
	if (ic->type != TS_ICMP_ECHO)
		return TC_ACT_OK;

	unsigned char mac[ETH_ALEN];
	__builtin_memcpy(mac, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, mac, ETH_ALEN);

	__be32 a = iph->saddr;
	iph->saddr = iph->daddr;
	iph->daddr = a; /* IP checksum unchanged: same words, other order */

	/* type 8 -> 0 lowers the first word by 0x0800 (network order): checksum rises by it. */
	__u16 old = bpf_ntohs(ic->checksum);
	ic->type = TS_ICMP_ECHOREPLY;
	ic->checksum = bpf_htons(~csum_add16(~old & 0xffff, (__u16)~0x0800) & 0xffff);
	replies++;
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
