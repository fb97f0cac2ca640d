// TC classifier: destination NAT of TCP port 8080 -> 80 and address 10.0.0.2 -> 10.0.0.9
// with bpf_skb_store_bytes, bpf_l3_csum_replace and bpf_l4_csum_replace (pseudo-header).
// @input 02000000000102000000000208004500002d00014000400626c80a0000010a00000280e81f900000000100000000500202000000000068656c6c6f
// @input 02000000000102000000000208004500002800014000400626cc0a0000010a00000380e81f9000000001000000005002020000000000
// @input 02000000000102000000000208004500002800014000400626cd0a0000010a00000280e8001600000001000000005002020000000000
// @input 02000000000102000000000208004500001c00014000401126ce0a0000010a00000200011f9000080000
// @input 02000000000102000000000208004500002800014000400626cd0a0000010a00000200011f90000000010000000050020200
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/in.h>
#include <linux/tcp.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include <stddef.h>

#define IP_OFF ETH_HLEN
#define TCP_OFF (IP_OFF + sizeof(struct iphdr))

struct nat_stats {
	__u64 port_rewrites;
	__u64 addr_rewrites;
	__u64 passed;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct nat_stats);
} nat SEC(".maps");

SEC("tc")
int tcp_port_nat(struct __sk_buff *skb)
{
	__u32 zero = 0;
	struct nat_stats *st = bpf_map_lookup_elem(&nat, &zero);
	if (!st)
		return TC_ACT_SHOT;
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *iph = data + IP_OFF;
	struct tcphdr *th = data + TCP_OFF;
	if ((void *)(th + 1) > data_end) {
		st->passed++;
		return TC_ACT_OK;
	}
	if (eth->h_proto != bpf_htons(ETH_P_IP) || iph->ihl != 5 || iph->protocol != IPPROTO_TCP) {
		st->passed++;
		return TC_ACT_OK;
	}
	if (th->dest != bpf_htons(8080)) {
		st->passed++;
		return TC_ACT_OK;
	}
	__be32 old_daddr = iph->daddr;
	__be16 old_port = th->dest;
	__be16 new_port = bpf_htons(80);
	bpf_l4_csum_replace(skb, TCP_OFF + offsetof(struct tcphdr, check), old_port, new_port, sizeof(new_port));
	bpf_skb_store_bytes(skb, TCP_OFF + offsetof(struct tcphdr, dest), &new_port, sizeof(new_port), 0);
	st->port_rewrites++;
	if (old_daddr == bpf_htonl(0x0a000002)) {
		__be32 new_daddr = bpf_htonl(0x0a000009);
		bpf_l4_csum_replace(skb, TCP_OFF + offsetof(struct tcphdr, check), old_daddr, new_daddr,
				    BPF_F_PSEUDO_HDR | sizeof(new_daddr));
		bpf_l3_csum_replace(skb, IP_OFF + offsetof(struct iphdr, check), old_daddr, new_daddr,
				    sizeof(new_daddr));
		bpf_skb_store_bytes(skb, IP_OFF + offsetof(struct iphdr, daddr), &new_daddr, sizeof(new_daddr), 0);
		st->addr_rewrites++;
	}
	return TC_ACT_PIPE;
}

char LICENSE[] SEC("license") = "GPL";
