// Socket filter: keeps IPv4 TCP packets (whole), truncates UDP to 42 bytes, drops the rest.
// (Socket filters see the packet from the IP header on: offset 0 is the IP header.)
// @input 02000000000102000000000208004500003200014000400626c30a0000010a000002000100020000000100000000500202000000000030313233343536373839
// @input 02000000000102000000000208004500004400014000401126a60a0000010a000002003500350030000061616161616161616161616161616161616161616161616161616161616161616161616161616161
// @input 02000000000102000000000208004500001d00014000401126cd0a0000010a000002003500350009000061
// @input 02000000000102000000000286dd6000000000081140fd000000000000000000000000000001fd0000000000000000000000000000020001000200080000
// @input 02000000000102000000000208004500001c00014000400126de0a0000010a0000020800f7fd00010001
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

SEC("socket")
int len_filter(struct __sk_buff *skb)
{
    if (skb->protocol != bpf_htons(ETH_P_IP))
        return 0;
    __u8 ipproto;
    if (bpf_skb_load_bytes(skb, 9, &ipproto, 1) < 0)
        return 0;
    if (ipproto == IPPROTO_TCP)
        return skb->len;
    if (ipproto == IPPROTO_UDP)
        return skb->len < 42 ? skb->len : 42;
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
