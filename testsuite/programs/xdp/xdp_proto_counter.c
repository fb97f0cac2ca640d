// XDP: per-protocol packet and byte counters: an array map indexed by the IPv4 protocol
// or IPv6 next-header byte (256 slots of a struct value), plus a per-CPU array of
// per-EtherType totals (summed over CPUs by the loader). Everything passes.
// Runs:
//   1. IPv4 UDP
//   2. IPv4 TCP SYN
//   3. IPv4 ICMP echo
//   4. IPv4 UDP longer
//   5. IPv6 UDP
//   6. IPv6 ICMPv6
//   7. IPv6 header cut off
//   8. ARP
// @input 00112233445566778899aabb08004500002100014000401126c90a0000010a00000204d20035000d000068656c6c6f
// @input 00112233445566778899aabb08004500002800014000400626cd0a0000010a0000029c40005000000001000000005002ffff00000000
// @input 00112233445566778899aabb08004500002000014000400126da0a0000010a000002080033370001000161626364
// @input 00112233445566778899aabb080045000080000140004011266a0a0000010a00000200010002006c000078787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878
// @input 00112233445566778899aabb86dd6000000000081140fe800000000000000000000000000001fe8000000000000000000000000000020005003500080000
// @input 00112233445566778899aabb86dd6000000000083a40fe800000000000000000000000000001fe8000000000000000000000000000028000000000010001
// @input 00112233445566778899aabb86dd6000000000001140fe8000000000000000000000
// @input 00112233445566778899aabb0806000108000604000266778899aabb0a0000010000000000000a000002
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct counter {
    __u64 packets;
    __u64 bytes;
    __u32 min_len;
    __u32 max_len;
};

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 256);
    __type(key, __u32);
    __type(value, struct counter);
} by_proto SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, 3);
    __type(key, __u32);
    __type(value, __u64);
} by_family SEC(".maps");

static __always_inline void account(__u32 proto, __u32 len)
{
    struct counter *c = bpf_map_lookup_elem(&by_proto, &proto);
    if (!c)
        return;
    __sync_fetch_and_add(&c->packets, 1);
    __sync_fetch_and_add(&c->bytes, len);
    if (c->min_len == 0 || len < c->min_len)
        c->min_len = len;
    if (len > c->max_len)
        c->max_len = len;
}

SEC("xdp")
int proto_counter(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data;
    void *end = (void *)(long)ctx->data_end;
    __u32 len = end - data;
    struct ethhdr *eth = data;
    if ((void *)(eth + 1) > end)
        return XDP_PASS;
    __u32 family = 2;
    if (eth->h_proto == bpf_htons(ETH_P_IP)) {
        struct iphdr *ip = (void *)(eth + 1);
        family = 0;
        if ((void *)(ip + 1) <= end)
            account(ip->protocol, len);
    } else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
        struct ipv6hdr *ip6 = (void *)(eth + 1);
        family = 1;
        if ((void *)(ip6 + 1) <= end)
            account(ip6->nexthdr, len);
    }
    __u64 *f = bpf_map_lookup_elem(&by_family, &family);
    if (f)
        *f += len;
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
