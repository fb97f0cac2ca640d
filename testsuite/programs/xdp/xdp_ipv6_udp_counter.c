// XDP IPv6 parser: counts UDP packets per destination port bucket, drops hop limit 0.
// @input 00112233445566778899aabb86dd6000000000081140fe800000000000000000000000000001fe8000000000000000000000000000021234003500080000
// @input 00112233445566778899aabb86dd6000000000081100fe800000000000000000000000000001fe8000000000000000000000000000021234003500080000
// @input 00112233445566778899aabb86dd6000000000080640fe800000000000000000000000000001fe8000000000000000000000000000021234003500080000
// @input 00112233445566778899aabb86dd60000000
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 16); __type(key, __u16); __type(value, __u64); } ports SEC(".maps");

SEC("xdp")
int ipv6_udp(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
    struct ethhdr *eth = data;
    if ((void *)(eth + 1) > end || eth->h_proto != bpf_htons(ETH_P_IPV6))
        return XDP_PASS;
    struct ipv6hdr *ip6 = (void *)(eth + 1);
    if ((void *)(ip6 + 1) > end)
        return XDP_DROP;
    if (ip6->hop_limit == 0)
        return XDP_DROP;
    if (ip6->nexthdr != IPPROTO_UDP)
        return XDP_PASS;
    struct udphdr *udp = (void *)(ip6 + 1);
    if ((void *)(udp + 1) > end)
        return XDP_DROP;
    __u16 bucket = bpf_ntohs(udp->dest) & 0xf0;
    __u64 one = 1, *c = bpf_map_lookup_elem(&ports, &bucket);
    if (c)
        (*c)++;
    else
        bpf_map_update_elem(&ports, &bucket, &one, BPF_ANY);
    return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
