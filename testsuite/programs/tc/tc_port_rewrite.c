// TC classifier: rewrites the UDP destination port with bpf_skb_store_bytes and
// updates the checksum with bpf_l4_csum_replace; MAC swap with bpf_skb_load_bytes.
// @input 00112233445566778899aabb08004500001c0001000040110000c0a80001c0a8000204d2003500080000
// @input 00112233445566778899aabb08004500001c0001000040110000c0a80001c0a8000204d2009900081234
// @input 00112233445566778899aabb08004500001c0001000040060000c0a80001c0a8000204d2003500080000
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/in.h>
#include <linux/udp.h>
#include <linux/pkt_cls.h>
#include <stddef.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define UDP_DPORT_OFF (ETH_HLEN + sizeof(struct iphdr) + offsetof(struct udphdr, dest))
#define UDP_CSUM_OFF (ETH_HLEN + sizeof(struct iphdr) + offsetof(struct udphdr, check))

SEC("tc")
int port_rewrite(struct __sk_buff *skb)
{
    __u8 macs[12];
    if (bpf_skb_load_bytes(skb, 0, macs, sizeof(macs)) < 0)
        return TC_ACT_SHOT;
    __u8 swapped[12];
    __builtin_memcpy(swapped, macs + 6, 6);
    __builtin_memcpy(swapped + 6, macs, 6);
    bpf_skb_store_bytes(skb, 0, swapped, sizeof(swapped), 0);

    void *data = (void *)(long)skb->data;
    void *data_end = (void *)(long)skb->data_end;
    struct iphdr *ip = data + ETH_HLEN;
    if ((void *)(ip + 1) > data_end || ip->protocol != IPPROTO_UDP)
        return TC_ACT_OK;
    struct udphdr *udp = (void *)(ip + 1);
    if ((void *)(udp + 1) > data_end)
        return TC_ACT_SHOT;
    if (udp->dest != bpf_htons(53))
        return TC_ACT_OK;
    __be16 old = udp->dest, new = bpf_htons(5353);
    bpf_l4_csum_replace(skb, UDP_CSUM_OFF, old, new, sizeof(new));
    bpf_skb_store_bytes(skb, UDP_DPORT_OFF, &new, sizeof(new), 0);
    return TC_ACT_OK + skb->len % 3;
}

char LICENSE[] SEC("license") = "GPL";
