// XDP: an LRU hash flow table keyed by a 5-tuple struct (zeroed first, so its padding
// is zero and lookups of the same flow hit), with packet/byte counters and TCP flag
// accumulation; a flow that has seen RST is dropped afterwards. IPv4 TCP and UDP.
// Runs:
//   1. TCP SYN flow A
//   2. UDP flow B
//   3. TCP ACK flow A
//   4. TCP RST flow A
//   5. TCP ACK flow A after RST (drop)
//   6. UDP flow B again, longer
//   7. UDP flow C other source
//   8. TCP header cut off
//   9. ICMP passes
// @input 00112233445566778899aabb08004500002800014000400626cd0a0000010a0000029c40005000000001000000005002ffff00000000
// @input 00112233445566778899aabb08004500002100014000401126c90a0000010a00000204d20035000d000068656c6c6f
// @input 00112233445566778899aabb08004500002800014000400626cd0a0000010a0000029c40005000000001000000005010ffff00000000
// @input 00112233445566778899aabb08004500002800014000400626cd0a0000010a0000029c40005000000001000000005004ffff00000000
// @input 00112233445566778899aabb08004500002800014000400626cd0a0000010a0000029c40005000000001000000005010ffff00000000
// @input 00112233445566778899aabb08004500002800014000401126c20a0000010a00000204d200350014000068656c6c6f2c20776f726c64
// @input 00112233445566778899aabb08004500002100014000401126c70a0000030a00000204d20035000d000068656c6c6f
// @input 00112233445566778899aabb08004500001800014000400626dd0a0000010a0000029c400050
// @input 00112233445566778899aabb08004500002000014000400126da0a0000010a000002080033370001000161626364
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/in.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct flow_key {
    __be32 saddr;
    __be32 daddr;
    __be16 sport;
    __be16 dport;
    __u8 proto;
    /* 3 bytes of padding */
};

struct flow_stats {
    __u64 packets;
    __u64 bytes;
    __u8 tcp_flags;
    __u8 reset;
};

struct {
    __uint(type, BPF_MAP_TYPE_LRU_HASH);
    __uint(max_entries, 128);
    __type(key, struct flow_key);
    __type(value, struct flow_stats);
} flows SEC(".maps");

SEC("xdp")
int flow_table(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data;
    void *end = (void *)(long)ctx->data_end;
    struct ethhdr *eth = data;
    if ((void *)(eth + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP))
        return XDP_PASS;
    struct iphdr *ip = (void *)(eth + 1);
    if ((void *)(ip + 1) > end || ip->ihl != 5)
        return XDP_PASS;
    struct flow_key key;
    __builtin_memset(&key, 0, sizeof(key));
    key.saddr = ip->saddr;
    key.daddr = ip->daddr;
    key.proto = ip->protocol;
    __u8 flags = 0;
    if (ip->protocol == IPPROTO_TCP) {
        struct tcphdr *tcp = (void *)(ip + 1);
        if ((void *)(tcp + 1) > end)
            return XDP_DROP;
        key.sport = tcp->source;
        key.dport = tcp->dest;
        flags = ((__u8 *)tcp)[13];
    } else if (ip->protocol == IPPROTO_UDP) {
        struct udphdr *udp = (void *)(ip + 1);
        if ((void *)(udp + 1) > end)
            return XDP_DROP;
        key.sport = udp->source;
        key.dport = udp->dest;
    } else {
        return XDP_PASS;
    }
    struct flow_stats *st = bpf_map_lookup_elem(&flows, &key);
    if (!st) {
        struct flow_stats fresh = {};
        bpf_map_update_elem(&flows, &key, &fresh, BPF_NOEXIST);
        st = bpf_map_lookup_elem(&flows, &key);
        if (!st)
            return XDP_ABORTED;
    }
    if (st->reset)
        return XDP_DROP;
    st->packets++;
    st->bytes += end - data;
    st->tcp_flags |= flags;
    if (flags & 0x04)
        st->reset = 1;
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
