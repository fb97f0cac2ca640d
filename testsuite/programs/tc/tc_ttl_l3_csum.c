// TC classifier: decrements the IPv4 TTL with bpf_skb_store_bytes and fixes the header
// checksum with bpf_l3_csum_replace; drops expiring packets. The output packet is compared.
// @input 02000000000102000000000208004500002000014000401126ca0a0000010a00000200010002000c000064617461
// @input 020000000001020000000002080045000028000140000206a70dc0a8010a080808080005000600000001000000005002020000000000
// @input 02000000000102000000000208004500002800014000010665cd0a0000010a0000020005000600000001000000005002020000000000
// @input 02000000000102000000000286dd6000000000081140fd000000000000000000000000000001fd0000000000000000000000000000020001000200080000
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include <stddef.h>

#define IP_OFF ETH_HLEN
#define TTL_OFF (IP_OFF + offsetof(struct iphdr, ttl))
#define CSUM_OFF (IP_OFF + offsetof(struct iphdr, check))

__u64 rewritten = 0;
__u64 expired = 0;

SEC("tc")
int ttl_l3_csum(struct __sk_buff *skb)
{
	if (skb->protocol != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	__u8 ttl;
	if (bpf_skb_load_bytes(skb, TTL_OFF, &ttl, 1) < 0)
		return TC_ACT_SHOT;
	if (ttl <= 1) {
		expired++;
		return TC_ACT_SHOT;
	}
	/* TTL and protocol share a 16-bit word: replace that word. */
	__be16 old_word, new_word;
	if (bpf_skb_load_bytes(skb, TTL_OFF, &old_word, 2) < 0)
		return TC_ACT_SHOT;
	__u8 new_ttl = ttl - 1;
	if (bpf_skb_store_bytes(skb, TTL_OFF, &new_ttl, 1, 0) < 0)
		return TC_ACT_SHOT;
	if (bpf_skb_load_bytes(skb, TTL_OFF, &new_word, 2) < 0)
		return TC_ACT_SHOT;
	if (bpf_l3_csum_replace(skb, CSUM_OFF, old_word, new_word, 2) < 0)
		return TC_ACT_SHOT;
	rewritten++;
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
