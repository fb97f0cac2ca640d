// Socket filter: log2 histogram of IPv4 TTL / IPv6 hop limit in an array map (bounded
// loop computing the bucket); keeps packets whose TTL is at least 32. Socket filters see the packet from the network header on (offset 0 = IP header).
// @input 02000000000102000000000208004500001c00014000401126ce0a0000010a0000020001000200080000
// @input 02000000000102000000000208004500001c00014000011165ce0a0000010a0000020001000200080000
// @input 02000000000102000000000208004500001c00014000ff1167cd0a0000010a0000020001000200080000
// @input 02000000000102000000000286dd6000000000081111fd000000000000000000000000000001fd0000000000000000000000000000020001000200080000
// @input 02000000000102000000000208004500001c00014000001166ce0a0000010a0000020001000200080000
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 9);
	__type(key, __u32);
	__type(value, __u32);
} ttl_log2 SEC(".maps");

static __always_inline __u32 log2_bucket(__u8 v)
{
	__u32 b = 0;
	while (v && b < 8) {
		v >>= 1;
		b++;
	}
	return b;
}

SEC("socket")
int ttl_hist(struct __sk_buff *skb)
{
	__u8 ttl;
	int off;
	if (skb->protocol == bpf_htons(ETH_P_IP))
		off = 8;
	else if (skb->protocol == bpf_htons(ETH_P_IPV6))
		off = 7;
	else
		return 0;
	if (bpf_skb_load_bytes(skb, off, &ttl, 1))
		return 0;
	__u32 key = log2_bucket(ttl);
	__u32 *slot = bpf_map_lookup_elem(&ttl_log2, &key);
	if (slot)
		__sync_fetch_and_add(slot, 1);
	return ttl >= 32 ? skb->len : 0;
}

char LICENSE[] SEC("license") = "GPL";
