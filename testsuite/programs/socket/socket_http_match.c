// Socket filter: loads the first bytes of a TCP payload and compares them against HTTP
// method names with __builtin_memcmp; counts matches per method in an array map. Socket filters see the packet from the network header on (offset 0 = IP header).
// @input 02000000000102000000000208004500004200014000400626b30a0000010a0000029c40005000000001000000005018020000000000474554202f696e6465782e68746d6c20485454502f312e310d0a
// @input 02000000000102000000000208004500003d00014000400626b80a0000010a0000029c40005000000001000000005018020000000000504f5354202f666f726d20485454502f312e310d0a
// @input 02000000000102000000000208004500003900014000400626bc0a0000010a0000029c40005000000001000000005018020000000000505554202f7820485454502f312e310d0a
// @input 02000000000102000000000208004500002a00014000400626cb0a0000010a0000029c400050000000010000000050180200000000004745
// @input 02000000000102000000000208004500003500014000400626c00a0000010a0000029c4000500000000100000000501802000000000048454c4c4f20776f726c640d0a
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/in.h>
#include <linux/tcp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} methods SEC(".maps");

SEC("socket")
int http_match(struct __sk_buff *skb)
{
	struct iphdr iph;
	struct tcphdr th;
	char buf[8];

	if (bpf_skb_load_bytes(skb, 0, &iph, sizeof(iph)) || iph.protocol != IPPROTO_TCP)
		return 0;
	__u32 off = iph.ihl * 4;
	if (bpf_skb_load_bytes(skb, off, &th, sizeof(th)))
		return 0;
	off += th.doff * 4;
	if (bpf_skb_load_bytes(skb, off, buf, sizeof(buf)))
		return 0;
	__u32 key;
	if (!__builtin_memcmp(buf, "GET ", 4))
		key = 0;
	else if (!__builtin_memcmp(buf, "POST ", 5))
		key = 1;
	else if (!__builtin_memcmp(buf, "PUT ", 4))
		key = 2;
	else
		key = 3;
	__u64 *c = bpf_map_lookup_elem(&methods, &key);
	if (c)
		__sync_fetch_and_add(c, 1);
	return key < 3 ? skb->len : 0;
}

char LICENSE[] SEC("license") = "GPL";
