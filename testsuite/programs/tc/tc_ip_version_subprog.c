// TC classifier: a static sub-program parses the packet through a parsing context that
// its global caller keeps on its stack, records the IP version in the packet info it was
// given (a map value) on each branch, parses the header, and tests the recorded version
// again to copy the addresses. The verifier only accepts this when the second test is
// decided per branch (it does not know what memory holds): stores through the context
// cannot change the info, which is what makes that possible.
// Runs:
//   1. IPv4 TCP
//   2. IPv6 UDP
//   3. IPv4 with options (IHL 6) UDP
//   4. ARP (not parsed)
//   5. IPv6 ethertype with a bad version nibble
//   6. IPv4 with a bad version nibble
// @input 02000000000102000000000208004500002800014000400666cc0a0000010a000002303904d2000000010000000050020200000000000000
// @input 02000000000102000000000286dd6000000000100040fd000000000000000000000000000001fd000000000000000000000000000002303904d20010000068656c6c6f21
// @input 0200000000010200000000020800460000240001400040115fc60a0000010a0000020101000030390035000c000068690000
// @input 020000000001020000000002080600010800060400010200000000010a0000010000000000000a000002
// @input 02000000000102000000000286dd5000000000100040fd000000000000000000000000000001fd000000000000000000000000000002303904d20010000068656c6c6f21
// @input 02000000000102000000000208005500002800014000400666cc0a0000010a000002303904d2000000010000000050020200000000000000
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/in.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "ts_common.h"

TS_RESULTS(8);

struct cursor {
	void *pos;
};

struct parse_state {
	void *data;
	void *data_end;
	struct cursor nh;
	__u32 len;
};

struct pkt_info {
	__u64 seen;
	__u32 len;
	__u8 saddr[16];
	__u8 daddr[16];
	__u16 l4proto;
	__u8 version;
	__u8 tos;
	__u16 ip_len;
	__u16 header_bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pkt_info);
} scratch SEC(".maps");

static __always_inline int next_ethertype(struct cursor *nh, void *end)
{
	struct ethhdr *eth = nh->pos;

	if ((void *)(eth + 1) > end)
		return -1;
	nh->pos = eth + 1;
	return eth->h_proto;
}

static __always_inline int skip_ipv4(struct cursor *nh, void *end, struct iphdr **out)
{
	struct iphdr *iph = nh->pos;
	int size;

	if ((void *)(iph + 1) > end)
		return -1;
	if (iph->version != 4)
		return -1;
	size = iph->ihl * 4;
	if (size < (int)sizeof(*iph))
		return -1;
	if (nh->pos + size > end)
		return -1;
	nh->pos += size;
	*out = iph;
	return iph->protocol;
}

static __always_inline int skip_ipv6(struct cursor *nh, void *end, struct ipv6hdr **out)
{
	struct ipv6hdr *ip6h = nh->pos;

	if ((void *)(ip6h + 1) > end)
		return -1;
	if (ip6h->version != 6)
		return -1;
	nh->pos = ip6h + 1;
	*out = ip6h;
	return ip6h->nexthdr;
}

static __noinline int parse_info(struct parse_state *st, struct pkt_info *info)
{
	union {
		struct iphdr *v4;
		struct ipv6hdr *v6;
	} ip;
	int proto;

	__builtin_memset(info, 0, sizeof(*info));
	info->seen = 1;
	info->len = st->len;
	proto = next_ethertype(&st->nh, st->data_end);
	if (proto == bpf_htons(ETH_P_IP)) {
		info->version = 4;
		proto = skip_ipv4(&st->nh, st->data_end, &ip.v4);
	} else if (proto == bpf_htons(ETH_P_IPV6)) {
		info->version = 6;
		proto = skip_ipv6(&st->nh, st->data_end, &ip.v6);
	} else {
		return -1;
	}
	if (proto < 0)
		return -2;
	info->l4proto = proto;
	if (info->version == 4) {
		__builtin_memcpy(&info->saddr[12], &ip.v4->saddr, 4);
		__builtin_memcpy(&info->daddr[12], &ip.v4->daddr, 4);
		info->saddr[10] = info->saddr[11] = 0xff;
		info->daddr[10] = info->daddr[11] = 0xff;
		info->ip_len = bpf_ntohs(ip.v4->tot_len);
		info->tos = ip.v4->tos;
	} else {
		__builtin_memcpy(info->saddr, &ip.v6->saddr, 16);
		__builtin_memcpy(info->daddr, &ip.v6->daddr, 16);
		info->ip_len = bpf_ntohs(ip.v6->payload_len);
		info->tos = (ip.v6->priority << 4) | (ip.v6->flow_lbl[0] >> 4);
	}
	info->header_bytes = st->nh.pos - st->data;
	return 0;
}

__noinline int parse_skb(struct __sk_buff *skb, struct pkt_info *info)
{
	if (!skb || !info)
		return -3;

	struct parse_state st = {
		.data = (void *)(long)skb->data,
		.data_end = (void *)(long)skb->data_end,
		.nh = { .pos = st.data },
		.len = skb->len,
	};

	return parse_info(&st, info);
}

SEC("tc")
int ip_version_subprog(struct __sk_buff *skb)
{
	__u32 zero = 0;
	struct pkt_info *info = bpf_map_lookup_elem(&scratch, &zero);
	__u64 sum = 0;
	int err;

	if (!info)
		return TC_ACT_OK;
	err = parse_skb(skb, info);
	ts_put(&results, 0, (__u64)(err + 8));
	if (err)
		return err == -1 ? TC_ACT_OK : TC_ACT_SHOT;
	for (int i = 0; i < 16; i++)
		sum = sum * 131 + info->saddr[i] + info->daddr[i] * 7;
	ts_put(&results, 1, sum);
	ts_put(&results, 2, info->version);
	ts_put(&results, 3, info->l4proto);
	ts_put(&results, 4, info->ip_len);
	ts_put(&results, 5, info->tos);
	ts_put(&results, 6, info->header_bytes);
	ts_put(&results, 7, info->len);
	return info->version == 6 ? TC_ACT_PIPE : TC_ACT_RECLASSIFY;
}

char LICENSE[] SEC("license") = "GPL";
