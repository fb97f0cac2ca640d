// TC classifier: walks up to two VLAN tags (802.1ad outer, 802.1Q inner), counts
// packets per innermost VLAN id in a hash map and drops VLAN 13 and truncated tags.
// @input 02000000000102000000000208004500002000014000401126ca0a0000010a00000200010002000c000061626364
// @input 0200000000010200000000028100000a08004500002000014000401126ca0a0000010a00000200010002000c000061626364
// @input 02000000000102000000000288a860648100000d08004500002800014000400626cd0a0000010a0000020001000200000001000000005002020000000000
// @input 02000000000102000000000288a800648100001486dd6000000000081140fd000000000000000000000000000001fd0000000000000000000000000000020005000600080000
// @input 0200000000010200000000028100000a08004500002000014000401126ca0a0000010a00000200010002000c000061626364
// @input 02000000000102000000000288a80064
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "ts_common.h"

struct vlan_key {
	__u16 vid;
	__u8 depth;
	__u8 pcp;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, struct vlan_key);
	__type(value, __u64);
} vlan_pkts SEC(".maps");

static __always_inline int is_vlan(__be16 p)
{
	return p == bpf_htons(ETH_P_8021Q) || p == bpf_htons(ETH_P_8021AD);
}

SEC("tc")
int vlan_classify(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct vlan_key key;
	__builtin_memset(&key, 0, sizeof(key));

	if ((void *)(eth + 1) > data_end)
		return TC_ACT_SHOT;
	__be16 proto = eth->h_proto;
	struct ts_vlan_hdr *vh = (void *)(eth + 1);
#pragma unroll
	for (int i = 0; i < 2; i++) {
		if (!is_vlan(proto))
			break;
		if ((void *)(vh + 1) > data_end)
			return TC_ACT_SHOT;
		__u16 tci = bpf_ntohs(vh->tci);
		key.vid = tci & 0x0fff;
		key.pcp = tci >> 13;
		key.depth++;
		proto = vh->encap_proto;
		vh++;
	}
	__u64 one = 1, *cnt = bpf_map_lookup_elem(&vlan_pkts, &key);
	if (cnt)
		(*cnt)++;
	else
		bpf_map_update_elem(&vlan_pkts, &key, &one, BPF_NOEXIST);
	if (key.vid == 13)
		return TC_ACT_SHOT;
	return key.depth ? TC_ACT_PIPE : TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
