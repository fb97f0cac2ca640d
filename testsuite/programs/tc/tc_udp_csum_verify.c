// TC classifier: verifies the UDP checksum (pseudo-header + header + payload) with
// bpf_csum_diff over stack copies of bounded size; checksum 0 means "none"; bad checksums
// are dropped and counted.
// @input 02000000000102000000000208004500002c00014000401126be0a0000010a00000203e807d00018cf3a68656c6c6f2c20636865636b73756d21
// @input 02000000000102000000000208004500001f00014000401126cb0a0000010a00000200350035000b18076f6464
// @input 02000000000102000000000208004500002c00014000401126be0a0000010a00000203e807d00018ce3a68656c6c6f2c20636865636b73756d21
// @input 02000000000102000000000208004500002200014000401126c80a0000010a00000200010002000e00006e6f6373756d
// @input 02000000000102000000000208004500006200014000401126880a0000010a00000203e807d0004e20d97a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a
// @input 02000000000102000000000208004500002800014000400626cd0a0000010a0000020001000200000001000000005002020000000000
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/in.h>
#include <linux/udp.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "ts_common.h"

TS_RESULTS(3);

struct pseudo {
	__be32 saddr;
	__be32 daddr;
	__u8 zero;
	__u8 proto;
	__be16 len;
};

#define MAX_UDP 64

SEC("tc")
int udp_csum_verify(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	struct iphdr *iph = data + ETH_HLEN;
	struct udphdr *uh = (void *)(iph + 1);
	if ((void *)(uh + 1) > end || skb->protocol != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	if (iph->ihl != 5 || iph->protocol != IPPROTO_UDP)
		return TC_ACT_OK;
	if (uh->check == 0) {
		ts_add(&results, 0, 1);
		return TC_ACT_OK;
	}
	__u32 ulen = bpf_ntohs(uh->len);
	if (ulen < 8 || ulen > MAX_UDP)
		return TC_ACT_SHOT;
	/* Copy the datagram into a 4-byte padded zeroed buffer: bpf_csum_diff wants multiples of 4. */
	__u8 buf[MAX_UDP];
	__builtin_memset(buf, 0, sizeof(buf));
	if (bpf_skb_load_bytes(skb, ETH_HLEN + sizeof(*iph), buf, ulen & (MAX_UDP - 1) ? ulen & (MAX_UDP - 1) : MAX_UDP) < 0)
		return TC_ACT_SHOT;
	struct pseudo ph = {
		.saddr = iph->saddr,
		.daddr = iph->daddr,
		.proto = IPPROTO_UDP,
		.len = uh->len,
	};
	__s64 s = bpf_csum_diff(0, 0, (__be32 *)&ph, sizeof(ph), 0);
	if (s < 0)
		return TC_ACT_SHOT;
	__u32 padded = (ulen + 3) & ~3u;
	if (padded > MAX_UDP)
		return TC_ACT_SHOT;
	s = bpf_csum_diff(0, 0, (__be32 *)buf, padded, (__u32)s);
	if (s < 0)
		return TC_ACT_SHOT;
	__u16 folded = ts_csum_fold((__u32)s);
	ts_put(&results, 1, folded);
	if (folded != 0) {
		ts_add(&results, 2, 1);
		return TC_ACT_SHOT;
	}
	return TC_ACT_PIPE;
}

char LICENSE[] SEC("license") = "GPL";
