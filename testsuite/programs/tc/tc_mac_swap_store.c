// TC classifier: swaps the Ethernet source and destination MACs through bpf_skb_load_bytes
// and bpf_skb_store_bytes, then sets the locally-administered bit by direct packet access.
// @input aabbccddeeff00112233445508004500001c00014000401126ce0a0000010a0000020001000200080000
// @input ffffffffffff001122334455080600000000000000000000000000000000000000000000000000000000
// @input 33330000000102aaaaaaaaaa86dd6000000000083a40fd000000000000000000000000000001fd00000000000000000000000000000280007ffd00010001
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} swapped SEC(".maps");

SEC("tc")
int mac_swap_store(struct __sk_buff *skb)
{
	struct ethhdr eth;
	if (bpf_skb_load_bytes(skb, 0, &eth, sizeof(eth)) < 0)
		return TC_ACT_SHOT;
	__u32 key = (eth.h_dest[0] & 1) ? 1 : 0; /* multicast/broadcast destination */
	if (key == 1 && eth.h_dest[0] == 0xff)
		return TC_ACT_OK; /* leave broadcasts alone */
	unsigned char tmp[ETH_ALEN];
	__builtin_memcpy(tmp, eth.h_dest, ETH_ALEN);
	__builtin_memcpy(eth.h_dest, eth.h_source, ETH_ALEN);
	__builtin_memcpy(eth.h_source, tmp, ETH_ALEN);
	if (bpf_skb_store_bytes(skb, 0, &eth, 2 * ETH_ALEN, 0) < 0)
		return TC_ACT_SHOT;
	/* Packet pointers must be reloaded after the helper changed the packet. */
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	unsigned char *src = data + ETH_ALEN;
	if ((void *)(src + ETH_ALEN) > data_end)
		return TC_ACT_SHOT;
	src[0] = (src[0] | 0x02) & ~0x01;
	__u64 *n = bpf_map_lookup_elem(&swapped, &key);
	if (n)
		*n += 1;
	return TC_ACT_PIPE;
}

char LICENSE[] SEC("license") = "GPL";
