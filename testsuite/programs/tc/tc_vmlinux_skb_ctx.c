// TC program written against vmlinux.h: struct __sk_buff carries preserve_access_index
// there, so every context field read and written is a CO-RE access and must be a single
// load/store with the relocation on its offset (the verifier refuses a modified ctx
// pointer). Reads len/protocol/data/data_end, writes mark, priority, cb[], tc_index.
// @vmlinux
// @input 02000000000102000000000208004500001c00014000401126ce0a0000010a0000020001000200080000
// @input ffffffffffff02000000000a0806000108000604000102000000000a0a00000a0000000000000a000001
// @input 020000000001020000000002810000640800aaaa
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define TC_ACT_UNSPEC (-1)
#define TC_ACT_OK 0
#define TC_ACT_SHOT 2
#define ETH_P_IP 0x0800

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u64);
} seen SEC(".maps");

static __always_inline void record(__u32 slot, __u64 v)
{
	__u64 *p = bpf_map_lookup_elem(&seen, &slot);
	if (p)
		*p = *p * 31 + v;
}

SEC("tc")
int skb_ctx(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	__u32 len = skb->len;

	skb->mark = len * 3 + 1;
	skb->priority += 7;
	skb->cb[0] = 0xabcd;
	skb->cb[3] = skb->cb[0] ^ len;
	skb->tc_index = 5;
	record(0, len);
	record(1, bpf_ntohs(skb->protocol));
	record(2, skb->mark);
	record(3, skb->cb[3] + skb->cb[1]);
	record(4, skb->priority);

	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > data_end)
		return TC_ACT_SHOT;
	record(5, bpf_ntohs(eth->h_proto));
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_UNSPEC;
	struct iphdr *ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end)
		return TC_ACT_SHOT;
	record(6, ip->ttl + (ip->protocol << 8));
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
