// Socket filter reading __sk_buff fields and bytes: protocol, len, pkt_type, a byte loop.
// @input 00112233445566778899aabb080045000020000100004011000001020304050607080102030405060708
// @input 00112233445566778899aabb0806000108000604000100112233445566
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 4); __type(key, __u32); __type(value, __u32); } seen SEC(".maps");

SEC("socket")
int parse_fields(struct __sk_buff *skb)
{
    __u8 buf[16];
    if (bpf_skb_load_bytes(skb, 14, buf, sizeof(buf)) < 0)
        return 0;
    __u32 x = 0;
    #pragma unroll
    for (int i = 0; i < 16; i++)
        x = x * 31 + buf[i];
    __u32 k = 0;
    bpf_map_update_elem(&seen, &k, &x, BPF_ANY);
    k = 1;
    __u32 len = skb->len;
    bpf_map_update_elem(&seen, &k, &len, BPF_ANY);
    k = 2;
    __u32 proto = skb->protocol;
    bpf_map_update_elem(&seen, &k, &proto, BPF_ANY);
    return x & 1 ? skb->len : 0;
}

char LICENSE[] SEC("license") = "GPL";
