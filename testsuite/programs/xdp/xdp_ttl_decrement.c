// XDP router step: decrements the IPv4 TTL with an incremental header checksum update
// (RFC 1624: HC' = ~(~HC + ~m + m')), drops TTL <= 1, decrements the IPv6 hop limit,
// rewrites the MAC addresses from a .rodata next-hop table and returns XDP_TX.
// Runs:
//   1. IPv4 TTL 64
//   2. IPv4 TTL 1
//   3. IPv4 TTL 255 TCP
//   4. IPv4 TTL 2 checksum near wrap
//   5. IPv6 hop limit 64
//   6. IPv6 hop limit 1
//   7. IPv4 header cut off
//   8. ARP passes
// @input 00112233445566778899aabb08004500002100014000401126c90a0000010a00000204d20035000d000068656c6c6f
// @input 00112233445566778899aabb08004500002100014000011165c90a0000010a00000204d20035000d000068656c6c6f
// @input 00112233445566778899aabb08004500002800014000ff0667cc0a0000010a0000029c40005000000001000000005002ffff00000000
// @input 00112233445566778899aabb08004500002100014000021178ccffffffffffff000004d20035000d000068656c6c6f
// @input 00112233445566778899aabb86dd6000000000081140fe800000000000000000000000000001fe8000000000000000000000000000020001000200080000
// @input 00112233445566778899aabb86dd6000000000081101fe800000000000000000000000000001fe8000000000000000000000000000020001000200080000
// @input 00112233445566778899aabb08004500002100014000401126c9
// @input 00112233445566778899aabb0806000108000604000166778899aabb0a0000010000000000000a000002
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

static const __u8 next_hop[2][ETH_ALEN] = {
    { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 },   /* router's own MAC (source) */
    { 0x02, 0x00, 0x00, 0x00, 0x00, 0xfe },   /* next hop (destination) */
};

__u64 forwarded, expired;

static __always_inline void set_macs(struct ethhdr *eth)
{
    __builtin_memcpy(eth->h_source, next_hop[0], ETH_ALEN);
    __builtin_memcpy(eth->h_dest, next_hop[1], ETH_ALEN);
}

static __always_inline __u16 csum_replace(__u16 check, __u16 old, __u16 new)
{
    __u32 sum = (__u16)~check + (__u16)~old + new;
    sum = (sum & 0xffff) + (sum >> 16);
    sum = (sum & 0xffff) + (sum >> 16);
    return ~sum;
}

SEC("xdp")
int ttl_decrement(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data;
    void *end = (void *)(long)ctx->data_end;
    struct ethhdr *eth = data;
    if ((void *)(eth + 1) > end)
        return XDP_DROP;
    if (eth->h_proto == bpf_htons(ETH_P_IP)) {
        struct iphdr *ip = (void *)(eth + 1);
        if ((void *)(ip + 1) > end)
            return XDP_DROP;
        if (ip->ttl <= 1) {
            expired++;
            return XDP_DROP;
        }
        __u16 old = *(__u16 *)&ip->ttl;        /* TTL and protocol share a 16-bit word */
        ip->ttl--;
        __u16 new = *(__u16 *)&ip->ttl;
        ip->check = csum_replace(ip->check, old, new);
    } else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
        struct ipv6hdr *ip6 = (void *)(eth + 1);
        if ((void *)(ip6 + 1) > end)
            return XDP_DROP;
        if (ip6->hop_limit <= 1) {
            expired++;
            return XDP_DROP;
        }
        ip6->hop_limit--;
    } else {
        return XDP_PASS;
    }
    set_macs(eth);
    forwarded++;
    return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
