// XDP: a UDP echo responder: for IPv4 UDP to port 7 it swaps the MAC addresses, the IP
// addresses and the ports, clears the UDP checksum and returns XDP_TX (the output packet
// is compared); other UDP passes, truncated UDP headers drop, IPv4 options are skipped
// by IHL.
// Runs:
//   1. UDP to port 7
//   2. UDP to port 53
//   3. UDP to port 7 with IP options
//   4. UDP header cut off
//   5. TCP
//   6. IPv6
// @input 00112233445566778899aabb08004500002100014000401126c90a0000010a00000215b30007000d000070696e6721
// @input 00112233445566778899aabb08004500002100014000401126c90a0000010a00000204d20035000d000068656c6c6f
// @input 00112233445566778899aabb08004600002300014000401123c60a0000010a0000020101010015b30007000b00006f7074
// @input 00112233445566778899aabb08004500001c00014000401126ce0a0000010a00000215b30007
// @input 00112233445566778899aabb08004500002800014000400626cd0a0000010a0000029c40005000000001000000005002ffff00000000
// @input 00112233445566778899aabb86dd6000000000081140fe800000000000000000000000000001fe8000000000000000000000000000020001000700080000
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/in.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define ECHO_PORT 7

static __always_inline void swap_bytes(__u8 *a, __u8 *b, int n)
{
#pragma unroll
    for (int i = 0; i < n; i++) {
        __u8 t = a[i];
        a[i] = b[i];
        b[i] = t;
    }
}

SEC("xdp")
int udp_echo(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data;
    void *end = (void *)(long)ctx->data_end;
    struct ethhdr *eth = data;
    if ((void *)(eth + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP))
        return XDP_PASS;
    struct iphdr *ip = (void *)(eth + 1);
    if ((void *)(ip + 1) > end || ip->protocol != IPPROTO_UDP)
        return XDP_PASS;
    __u32 hlen = ip->ihl * 4;
    if (hlen < sizeof(*ip) || hlen > 60)
        return XDP_DROP;
    struct udphdr *udp = (void *)ip + hlen;
    if ((void *)(udp + 1) > end)
        return XDP_DROP;
    if (udp->dest != bpf_htons(ECHO_PORT))
        return XDP_PASS;
    swap_bytes(eth->h_dest, eth->h_source, ETH_ALEN);
    __be32 addr = ip->saddr;
    ip->saddr = ip->daddr;
    ip->daddr = addr;          /* the IPv4 checksum is unchanged by a swap */
    __be16 port = udp->source;
    udp->source = udp->dest;
    udp->dest = port;
    udp->check = 0;
    return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
