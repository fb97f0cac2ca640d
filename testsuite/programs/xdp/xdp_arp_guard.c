// XDP: ARP guard: parses the Ethernet/IPv4 ARP body (struct with byte arrays), counts
// requests, replies and gratuitous ARPs in an array map, drops replies that claim the
// protected gateway address from an unexpected MAC, drops malformed ARP (wrong hardware
// or protocol lengths, truncated body) and passes the rest.
// Runs:
//   1. request
//   2. reply from gateway, right MAC
//   3. reply from gateway, spoofed MAC
//   4. gratuitous
//   5. opcode 3
//   6. hlen 8
//   7. truncated body
//   8. IPv4 passes
// @input 00112233445566778899aabb0806000108000604000166778899aabb0a0000010000000000000a000002
// @input 00112233445566778899aabb0806000108000604000266778899aabb0a0000010000000000000a000009
// @input 00112233445566778899aabb08060001080006040002deadbeef00010a0000010000000000000a000009
// @input 00112233445566778899aabb0806000108000604000166778899aabb0a0000070000000000000a000007
// @input 00112233445566778899aabb0806000108000604000366778899aabb0a0000010000000000000a000002
// @input 00112233445566778899aabb0806000108000804000166778899aabb0a0000010000000000000a000002
// @input 00112233445566778899aabb0806000108000604000166778899aabb0a0000010000
// @input 00112233445566778899aabb08004500002100014000401126c90a0000010a00000204d20035000d000068656c6c6f
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct arp_eth_ipv4 {
    __be16 htype;
    __be16 ptype;
    __u8 hlen;
    __u8 plen;
    __be16 op;
    __u8 sha[ETH_ALEN];
    __u8 spa[4];
    __u8 tha[ETH_ALEN];
    __u8 tpa[4];
} __attribute__((packed));

enum { A_REQUEST, A_REPLY, A_GRATUITOUS, A_SPOOF, A_MALFORMED, A_MAX };

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, A_MAX);
    __type(key, __u32);
    __type(value, __u32);
} arp_stats SEC(".maps");

static const __u8 gateway_ip[4] = { 10, 0, 0, 1 };
static const __u8 gateway_mac[ETH_ALEN] = { 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb };

static __always_inline void bump(__u32 k)
{
    __u32 *v = bpf_map_lookup_elem(&arp_stats, &k);
    if (v)
        (*v)++;
}

static __always_inline int same(const __u8 *a, const __u8 *b, int n)
{
    int diff = 0;
#pragma unroll
    for (int i = 0; i < n; i++)
        diff |= a[i] ^ b[i];
    return diff == 0;
}

SEC("xdp")
int arp_guard(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data;
    void *end = (void *)(long)ctx->data_end;
    struct ethhdr *eth = data;
    if ((void *)(eth + 1) > end || eth->h_proto != bpf_htons(ETH_P_ARP))
        return XDP_PASS;
    struct arp_eth_ipv4 *arp = (void *)(eth + 1);
    if ((void *)(arp + 1) > end || arp->htype != bpf_htons(1) || arp->ptype != bpf_htons(ETH_P_IP) ||
        arp->hlen != ETH_ALEN || arp->plen != 4) {
        bump(A_MALFORMED);
        return XDP_DROP;
    }
    __u16 op = bpf_ntohs(arp->op);
    if (same(arp->spa, arp->tpa, 4))
        bump(A_GRATUITOUS);
    if (op == 1) {
        bump(A_REQUEST);
        return XDP_PASS;
    }
    if (op == 2) {
        bump(A_REPLY);
        if (same(arp->spa, gateway_ip, 4) && !same(arp->sha, gateway_mac, ETH_ALEN)) {
            bump(A_SPOOF);
            return XDP_DROP;
        }
        return XDP_PASS;
    }
    bump(A_MALFORMED);
    return XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
