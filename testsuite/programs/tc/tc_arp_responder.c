// TC classifier: answers ARP requests for 10.0.0.1 in place (opcode 1 -> 2, sender and
// target fields swapped, our MAC filled in from a const table), leaves other ARP alone.
// @input ffffffffffff02000000000a0806000108000604000102000000000a0a00000a0000000000000a000001
// @input ffffffffffff02000000000a0806000108000604000102000000000a0a00000a0000000000000a000063
// @input ffffffffffff02000000000a0806000108000604000202000000000a0a00000a0000000000000a000001
// @input 02000000000102000000000208004500001c00014000401126ce0a0000010a0000020001000200080000
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct arp_eth_ipv4 {
	__be16 htype;
	__be16 ptype;
	__u8 hlen;
	__u8 plen;
	__be16 oper;
	__u8 sha[ETH_ALEN];
	__u8 spa[4];
	__u8 tha[ETH_ALEN];
	__u8 tpa[4];
} __attribute__((packed));

static const __u8 our_mac[ETH_ALEN] = { 0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0x01 };
static const __u8 our_ip[4] = { 10, 0, 0, 1 };

__u32 answered, ignored;

SEC("tc")
int arp_responder(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct arp_eth_ipv4 *arp = (void *)(eth + 1);
	if ((void *)(arp + 1) > end)
		return TC_ACT_OK;
	if (eth->h_proto != bpf_htons(ETH_P_ARP) || arp->oper != bpf_htons(1) ||
	    arp->hlen != ETH_ALEN || arp->plen != 4)
		return TC_ACT_OK;
	if (__builtin_memcmp(arp->tpa, our_ip, 4) != 0) {
		ignored++;
		return TC_ACT_OK;
	}
	arp->oper = bpf_htons(2);
	__builtin_memcpy(arp->tha, arp->sha, ETH_ALEN);
	__builtin_memcpy(arp->tpa, arp->spa, 4);
	__builtin_memcpy(arp->sha, our_mac, ETH_ALEN);
	__builtin_memcpy(arp->spa, our_ip, 4);
	__builtin_memcpy(eth->h_dest, arp->tha, ETH_ALEN);
	__builtin_memcpy(eth->h_source, our_mac, ETH_ALEN);
	answered++;
	return TC_ACT_PIPE;
}

char LICENSE[] SEC("license") = "GPL";
