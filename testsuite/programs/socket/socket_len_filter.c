// Socket filter: keeps IPv4 TCP packets (whole), truncates UDP to 42 bytes, drops the rest.
// @input 00112233445566778899aabb08004500002800010000400600000a0000010a000002
// @input 00112233445566778899aabb08004500002800010000401100000a0000010a0000020035003500140000
// @input 00112233445566778899aabb86dd6000000000000000
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

SEC("socket")
int len_filter(struct __sk_buff *skb)
{
    __u16 proto;
    if (bpf_skb_load_bytes(skb, 12, &proto, 2) < 0)
        return 0;
    if (proto != bpf_htons(ETH_P_IP))
        return 0;
    __u8 ipproto;
    if (bpf_skb_load_bytes(skb, ETH_HLEN + 9, &ipproto, 1) < 0)
        return 0;
    if (ipproto == IPPROTO_TCP)
        return skb->len;
    if (ipproto == IPPROTO_UDP)
        return skb->len < 42 ? skb->len : 42;
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
