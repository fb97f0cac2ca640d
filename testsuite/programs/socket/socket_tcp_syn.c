// Socket filter: passes only TCP SYN segments without ACK (IPv4 and IPv6), counting
// what it saw per family in a hash map keyed by ethertype. Socket filters see the packet from the network header on (offset 0 = IP header).
// @input 02000000000102000000000208004500002800014000400626cd0a0000010a00000204d2005000000001000000005002020000000000
// @input 02000000000102000000000208004500002800014000400626cd0a0000010a000002005004d200000001000000005012020000000000
// @input 02000000000102000000000286dd6000000000140640fd000000000000000000000000000001fd00000000000000000000000000000204d2001600000001000000005002020000000000
// @input 02000000000102000000000286dd6000000000081140fd000000000000000000000000000001fd0000000000000000000000000000020001000200080000
// @input 02000000000102000000000208004500002800014000400626cd0a0000010a00000200010002000000010000
// @input 020000000001020000000002080600000000000000000000000000000000000000000000000000000000
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/in.h>
#include <linux/tcp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct fam_stats {
	__u32 packets;
	__u32 syns;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__type(key, __u16);
	__type(value, struct fam_stats);
} per_family SEC(".maps");

static __noinline int tcp_offset(struct __sk_buff *skb, __u16 proto)
{
	__u8 b[10];
	if (proto == ETH_P_IP) {
		if (bpf_skb_load_bytes(skb, 0, b, 10) < 0)
			return -1;
		return b[9] == IPPROTO_TCP ? (b[0] & 0xf) * 4 : -1;
	}
	if (proto == ETH_P_IPV6) {
		if (bpf_skb_load_bytes(skb, 0, b, 8) < 0)
			return -1;
		return b[6] == IPPROTO_TCP ? 40 : -1;
	}
	return -1;
}

SEC("socket")
int tcp_syn(struct __sk_buff *skb)
{
	__u16 proto = bpf_ntohs(skb->protocol);
	struct fam_stats zero = {}, *st;
	st = bpf_map_lookup_elem(&per_family, &proto);
	if (!st) {
		bpf_map_update_elem(&per_family, &proto, &zero, BPF_NOEXIST);
		st = bpf_map_lookup_elem(&per_family, &proto);
		if (!st)
			return 0;
	}
	st->packets++;
	int off = tcp_offset(skb, proto);
	if (off < 0)
		return 0;
	__u8 flags;
	if (bpf_skb_load_bytes(skb, off + 13, &flags, 1) < 0)
		return 0;
	if ((flags & 0x12) != 0x02)
		return 0;
	st->syns++;
	return skb->len;
}

char LICENSE[] SEC("license") = "GPL";
