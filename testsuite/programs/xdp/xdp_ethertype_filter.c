// XDP: drop/pass by EtherType through a switch: IPv4, IPv6 and ARP pass, 802.1Q/802.1AD
// tagged frames pass only when the inner EtherType is allowed, LLDP and unknown types drop.
// Verdicts per class are counted in an array map.
// Runs:
//   1. IPv4 UDP
//   2. IPv6 UDP
//   3. ARP request
//   4. 802.1Q + IPv4
//   5. 802.1AD + LLDP inside
//   6. LLDP
//   7. 802.1Q tag cut off
//   8. unknown type 0x1234
// @input 00112233445566778899aabb08004500002100014000401126c90a0000010a00000204d20035000d000068656c6c6f
// @input 00112233445566778899aabb86dd6000000000081140fe800000000000000000000000000001fe8000000000000000000000000000020005003500080000
// @input 00112233445566778899aabb0806000108000604000166778899aabb0a0000010000000000000a000002
// @input 00112233445566778899aabb8100000a08004500002100014000401126c90a0000010a00000204d20035000d000068656c6c6f
// @input 00112233445566778899aabb88a8001488cc00000000000000000000
// @input 00112233445566778899aabb88cc0207040000000000000000000000
// @input 00112233445566778899aabb810000
// @input 00112233445566778899aabb1234
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

enum verdict_class { CLS_IP4, CLS_IP6, CLS_ARP, CLS_TAGGED, CLS_OTHER, CLS_MAX };

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, CLS_MAX);
    __type(key, __u32);
    __type(value, __u64);
} classes SEC(".maps");

static __always_inline void count(__u32 cls)
{
    __u64 *v = bpf_map_lookup_elem(&classes, &cls);
    if (v)
        *v += 1;
}

static __always_inline int allowed(__be16 proto)
{
    switch (bpf_ntohs(proto)) {
    case ETH_P_IP:
    case ETH_P_IPV6:
    case ETH_P_ARP:
        return 1;
    default:
        return 0;
    }
}

SEC("xdp")
int ethertype_filter(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data;
    void *end = (void *)(long)ctx->data_end;
    struct ethhdr *eth = data;
    if ((void *)(eth + 1) > end)
        return XDP_DROP;
    __be16 proto = eth->h_proto;
    switch (bpf_ntohs(proto)) {
    case ETH_P_IP:
        count(CLS_IP4);
        return XDP_PASS;
    case ETH_P_IPV6:
        count(CLS_IP6);
        return XDP_PASS;
    case ETH_P_ARP:
        count(CLS_ARP);
        return XDP_PASS;
    case ETH_P_8021Q:
    case ETH_P_8021AD: {
        __be16 *inner = (void *)(eth + 1) + 2;   /* after the TCI */
        if ((void *)(inner + 1) > end)
            return XDP_DROP;
        count(CLS_TAGGED);
        return allowed(*inner) ? XDP_PASS : XDP_DROP;
    }
    default:
        count(CLS_OTHER);
        return XDP_DROP;
    }
}

char LICENSE[] SEC("license") = "GPL";
