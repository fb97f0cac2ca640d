// TC classifier: sets DSCP by destination port class (voice/web/bulk), rewrites the TOS
// byte with an incremental checksum update and sets skb->mark and skb->priority.
// @input 02000000000102000000000208004500002200014000401126c80a0000010a000002271013c4000e0000494e56495445
// @input 02000000000102000000000208004500002800014000400626cd0a0000010a0000029c4001bb00000001000000005002020000000000
// @input 02000000000102000000000208004502002800014000400626cb0a0000010a0000029c40036900000001000000005002020000000000
// @input 02000000000102000000000208004500001c00014000400126de0a0000010a0000020800f7fd00010001
// @input 02000000000102000000000208004500002800014000400626cd0a0000010a00000200010002
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/in.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "ts_common.h"

TS_RESULTS(4);

struct port_ranges {
	__u16 lo, hi;
	__u8 dscp;
};

static const struct port_ranges classes[3] = {
	{ 5060, 5061, 46 }, /* EF */
	{ 443, 443, 26 },   /* AF31 */
	{ 800, 900, 8 },    /* CS1 */
};

SEC("tc")
int dscp_mark(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct iphdr *iph = data + ETH_HLEN;
	if ((void *)(iph + 1) > data_end || skb->protocol != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	__u16 port;
	void *l4 = (void *)iph + iph->ihl * 4;
	if (iph->protocol == IPPROTO_TCP) {
		struct tcphdr *th = l4;
		if ((void *)(th + 1) > data_end)
			return TC_ACT_SHOT;
		port = bpf_ntohs(th->dest);
	} else if (iph->protocol == IPPROTO_UDP) {
		struct udphdr *uh = l4;
		if ((void *)(uh + 1) > data_end)
			return TC_ACT_SHOT;
		port = bpf_ntohs(uh->dest);
	} else {
		return TC_ACT_OK;
	}
	__u8 dscp = 0;
	int i;
	for (i = 0; i < 3; i++) {
		if (port >= classes[i].lo && port <= classes[i].hi) {
			dscp = classes[i].dscp;
			break;
		}
	}
	__u8 tos = (dscp << 2) | (iph->tos & 3);
	__u16 old = bpf_ntohs(*(__be16 *)iph);
	iph->tos = tos;
	__u16 new = bpf_ntohs(*(__be16 *)iph);
	__u32 sum = (__u16)~bpf_ntohs(iph->check) + (__u16)~old + new;
	iph->check = bpf_htons(ts_csum_fold(sum));
	skb->mark = 0x100 | dscp;
	skb->priority = i;
	ts_put(&results, 0, skb->mark);
	ts_put(&results, 1, skb->priority);
	ts_put(&results, 2, tos);
	ts_add(&results, 3, 1);
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
