// TC classifier: reads __sk_buff metadata (len, protocol, pkt_type, data_end - data,
// cb[] round trip) and records it per run, returning a value derived from it.
// @input 02000000000102000000000208004500002600014000401126c40a0000010a000002000100020012000078787878787878787878
// @input ffffffffffff02000000000286dd6000000000081140fd000000000000000000000000000001fd0000000000000000000000000000020003000400080000
// @input 020000000001020000000002080600000000000000000000000000000000000000000000000000000000
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct skb_view {
	__u32 len;
	__u32 linear;
	__u16 protocol;
	__u16 pkt_type;
	__u32 cb_sum;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8);
	__type(key, __u16);
	__type(value, struct skb_view);
} seen SEC(".maps");

SEC("tc")
int skb_fields(struct __sk_buff *skb)
{
	struct skb_view v;
	__builtin_memset(&v, 0, sizeof(v));
	v.len = skb->len;
	v.linear = skb->data_end - skb->data;
	v.protocol = bpf_ntohs(skb->protocol);
	v.pkt_type = skb->pkt_type;
	for (int i = 0; i < 5; i++)
		skb->cb[i] = v.len * (i + 1);
	for (int i = 0; i < 5; i++)
		v.cb_sum += skb->cb[i];
	__u16 key = v.protocol;
	bpf_map_update_elem(&seen, &key, &v, BPF_ANY);
	if (v.pkt_type == 1 || v.pkt_type == 2) /* broadcast, multicast */
		return TC_ACT_SHOT;
	return v.len > 60 ? TC_ACT_OK : TC_ACT_PIPE;
}

char LICENSE[] SEC("license") = "GPL";
