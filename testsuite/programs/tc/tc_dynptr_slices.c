// TC classifier: Ethernet, IPv4 and TCP headers read through `bpf_dynptr_slice`, each
// with a stack buffer the kernel copies the bytes to where the packet's data is not
// linear, as the bpf-developer-tutorial's `dynptr_tc` does. The slice may point into
// its buffer, so the buffer's stack bytes must stay untouched while the slice is read:
// the verifier forgets the slice once they are written ("R0 invalid mem access
// 'scalar'"). swift-bpfcc's frame layout gave a buffer's place to a spill slot after
// the call that filled it; a kfunc's result now counts as an address inside what it is
// given. Many values stay live across the map calls, so registers spill.
// Runs: a TCP SYN, a TCP segment with IP options, a UDP datagram, an ARP frame.
// @input 0200000000010200000000020800450000280001400040067ccd0a0000010a000002a1b20050000000640000000050022000fe300000
// @input 02000000000102000000000208004600002c000140004006769f0a0000010a0000020101010104d2ab1200000fa00000000050100100ab120000
// @input 020000000001020000000002080045000024000140004011c2c90a0000010a0000020035c3500010000068656c6c6f0000
// @input ffffffffffff02000000000a0806000108000604000102000000000a0a00000a0000000000000a000001
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "ts_common.h"

TS_RESULTS(8);

extern int bpf_dynptr_from_skb(struct __sk_buff *skb, __u64 flags, struct bpf_dynptr *ptr__uninit) __ksym;
extern void *bpf_dynptr_slice(const struct bpf_dynptr *ptr, __u32 offset, void *buffer__opt, __u32 buffer__szk) __ksym;

SEC("tc")
int dynptr_slices(struct __sk_buff *skb)
{
	struct bpf_dynptr d;
	struct ethhdr eth_buf;
	struct iphdr ip_buf;
	struct tcphdr tcp_buf;

	if (bpf_dynptr_from_skb(skb, 0, &d))
		return TC_ACT_OK;
	const struct ethhdr *eth = bpf_dynptr_slice(&d, 0, &eth_buf, sizeof(eth_buf));
	if (!eth)
		return TC_ACT_OK;
	__u16 proto = bpf_ntohs(eth->h_proto);
	ts_put(&results, 0, proto);
	if (proto != ETH_P_IP)
		return TC_ACT_OK;
	const struct iphdr *ip = bpf_dynptr_slice(&d, sizeof(eth_buf), &ip_buf, sizeof(ip_buf));
	if (!ip)
		return TC_ACT_OK;
	__u32 ihl = ip->ihl * 4;
	__u64 saddr = bpf_ntohl(ip->saddr), daddr = bpf_ntohl(ip->daddr), ttl = ip->ttl, tot = bpf_ntohs(ip->tot_len);
	ts_put(&results, 1, saddr ^ daddr);
	ts_put(&results, 2, ttl + ihl + eth->h_source[5]);
	if (ip->protocol != IPPROTO_TCP || ihl < sizeof(*ip))
		return TC_ACT_OK;
	const struct tcphdr *tcp = bpf_dynptr_slice(&d, sizeof(eth_buf) + ihl, &tcp_buf, sizeof(tcp_buf));
	if (!tcp)
		return TC_ACT_SHOT;
	__u64 sport = bpf_ntohs(tcp->source), dport = bpf_ntohs(tcp->dest), seq = bpf_ntohl(tcp->seq);
	ts_put(&results, 3, sport * 65536 + dport);
	ts_put(&results, 4, seq + tot);
	ts_put(&results, 5, tcp->syn | tcp->ack << 1 | tcp->fin << 2);
	ts_put(&results, 6, bpf_ntohs(tcp->window) + ip->tos + eth->h_dest[0]);
	ts_put(&results, 7, saddr + daddr + ttl + sport + dport + seq + tot + ihl + proto);
	return tcp->syn ? TC_ACT_SHOT : TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
