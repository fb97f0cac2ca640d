// Socket filter: accepts UDP DNS (port 53 either way) over IPv4, honouring IHL; returns the
// whole packet length, 0 for everything else. Socket filters see the packet from the network header on (offset 0 = IP header).
// @input 02000000000102000000000208004500002800014000401126c20a0000010a0000029c40003500140000123401000000000000000000
// @input 02000000000102000000000208004600002400014000401123c50a0000010a0000020101010000359c40000c000012348180
// @input 02000000000102000000000208004500001c00014000401126ce0a0000010a0000029c40007b00080000
// @input 02000000000102000000000208004500002800014000400626cd0a0000010a0000029c40003500000001000000005002020000000000
// @input 02000000000102000000000208004500001c00012000401146ce0a0000010a0000029c40003500080000
// @input 02000000000102000000000208004500001c00014000401126ce0a0000010a0000029c400035
// @input 020000000001020000000002080600000000000000000000000000000000000000000000000000000000
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/in.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

SEC("socket")
int udp_dns(struct __sk_buff *skb)
{
	struct iphdr iph;
	struct udphdr uh;

	if (skb->protocol != bpf_htons(ETH_P_IP))
		return 0;
	if (bpf_skb_load_bytes(skb, 0, &iph, sizeof(iph)) < 0)
		return 0;
	if (iph.protocol != IPPROTO_UDP || (iph.frag_off & bpf_htons(0x1fff | 0x2000)))
		return 0;
	if (bpf_skb_load_bytes(skb, iph.ihl * 4, &uh, sizeof(uh)) < 0)
		return 0;
	if (uh.source == bpf_htons(53) || uh.dest == bpf_htons(53))
		return skb->len;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
