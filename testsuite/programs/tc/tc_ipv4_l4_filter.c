// TC classifier: IPv4 with options (IHL > 5), TCP/UDP/ICMP bounds-checked, drops telnet
// and ICMP timestamp requests, counts accepted bytes per protocol in an array map.
// @input 02000000000102000000000208004500002d00014000400626c80a0000010a0000029c40005000000001000000005002020000000000474554202f
// @input 02000000000102000000000208004500002800014000400626cd0a0000010a0000029c40001700000001000000005002020000000000
// @input 02000000000102000000000208004600002600014000401123c30a0000010a00000201010100003514e9000e0000717171717171
// @input 02000000000102000000000208004500001c00014000400126de0a0000010a0000020d00f2fd00010001
// @input 02000000000102000000000208004500002000014000400126da0a0000010a0000020800192d0001000170696e67
// @input 02000000000102000000000208004500002800014000400626cd0a0000010a00000200010002000000010000
// @input 02000000000102000000000208004700002400014000401120c20a0000010a000002010101010101010100010002
// @input 02000000000102000000000208004500001c00014000402f26b00a0000010a0000020000000000000000
// @input 020000000001020000000002080600010800060400010000000000000000000000000000000000000000
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include "ts_common.h"
#include <linux/in.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

enum verdict_slot { SLOT_TCP, SLOT_UDP, SLOT_ICMP, SLOT_OTHER, SLOT_DROP, NSLOTS };

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, NSLOTS);
	__type(key, __u32);
	__type(value, __u64);
} bytes SEC(".maps");

static __always_inline void account(__u32 slot, __u64 len)
{
	__u64 *v = bpf_map_lookup_elem(&bytes, &slot);
	if (v)
		*v += len;
}

SEC("classifier")
int ipv4_l4_filter(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > data_end)
		return TC_ACT_SHOT;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_UNSPEC;
	struct iphdr *iph = (void *)(eth + 1);
	if ((void *)(iph + 1) > data_end)
		return TC_ACT_SHOT;
	__u32 hlen = iph->ihl * 4;
	if (hlen < sizeof(*iph))
		return TC_ACT_SHOT;
	void *l4 = (void *)iph + hlen;
	switch (iph->protocol) {
	case IPPROTO_TCP: {
		struct tcphdr *th = l4;
		if ((void *)(th + 1) > data_end)
			goto drop;
		if (th->dest == bpf_htons(23))
			goto drop;
		account(SLOT_TCP, skb->len);
		return TC_ACT_OK;
	}
	case IPPROTO_UDP: {
		struct udphdr *uh = l4;
		if ((void *)(uh + 1) > data_end)
			goto drop;
		account(SLOT_UDP, bpf_ntohs(uh->len));
		return TC_ACT_OK;
	}
	case IPPROTO_ICMP: {
		struct ts_icmphdr *ic = l4;
		if ((void *)(ic + 1) > data_end)
			goto drop;
		if (ic->type == TS_ICMP_TIMESTAMP)
			goto drop;
		account(SLOT_ICMP, skb->len - hlen);
		return TC_ACT_OK;
	}
	default:
		account(SLOT_OTHER, 1);
		return TC_ACT_OK;
	}
drop:
	account(SLOT_DROP, 1);
	return TC_ACT_SHOT;
}

char LICENSE[] SEC("license") = "GPL";
