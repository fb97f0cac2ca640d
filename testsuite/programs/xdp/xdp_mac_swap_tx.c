// XDP: swaps source and destination MAC and IPv4 addresses, returns XDP_TX for ICMP echo.
// @input 00112233445566778899aabb0800450000540001000040010000c0a80001c0a800020800f7ff00010001
// @input 00112233445566778899aabb0800450000540001000040010000c0a80001c0a800020000ffff00010001
// @input 00112233445566778899aabb0806
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

/* <linux/icmp.h> drags in libc headers for the bpf target; the two fields we need: */
struct icmphdr { __u8 type; __u8 code; __sum16 checksum; __be16 id; __be16 seq; };
#define ICMP_ECHOREPLY 0
#define ICMP_ECHO 8

static __always_inline void swap_mac(struct ethhdr *eth)
{
    unsigned char tmp[ETH_ALEN];
    __builtin_memcpy(tmp, eth->h_source, ETH_ALEN);
    __builtin_memcpy(eth->h_source, eth->h_dest, ETH_ALEN);
    __builtin_memcpy(eth->h_dest, tmp, ETH_ALEN);
}

SEC("xdp")
int mac_swap(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
    struct ethhdr *eth = data;
    if ((void *)(eth + 1) > end)
        return XDP_DROP;
    if (eth->h_proto != bpf_htons(ETH_P_IP))
        return XDP_PASS;
    struct iphdr *ip = (void *)(eth + 1);
    if ((void *)(ip + 1) > end || ip->ihl != 5)
        return XDP_DROP;
    if (ip->protocol != IPPROTO_ICMP)
        return XDP_PASS;
    struct icmphdr *icmp = (void *)(ip + 1);
    if ((void *)(icmp + 1) > end)
        return XDP_DROP;
    if (icmp->type != ICMP_ECHO)
        return XDP_PASS;
    swap_mac(eth);
    __be32 t = ip->saddr;
    ip->saddr = ip->daddr;
    ip->daddr = t;
    icmp->type = ICMP_ECHOREPLY;
    icmp->checksum += bpf_htons(ICMP_ECHO << 8);
    return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
