// TC classifier: parses Ethernet/VLAN/IPv4, decrements TTL with an incremental
// checksum update, drops TTL<=1, counts per protocol.
// @input 00112233445566778899aabb0800450000280001000040060000c0a80001c0a800020050005000000000000000005002200000000000
// @input 00112233445566778899aabb0800450000280001000001110000c0a80001c0a8000200350035001400000000000000000000000000
// @input 00112233445566778899aabb8100000a0800450000280001000020010000c0a80001c0a800020800000000000000000000000000000000
// @input 00112233445566778899aabb86dd600000000000110000000000000000000000000000000001000000000000000000000000000000000002
// @input 00112233445566778899aabb8100000a
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct vlan_hdr { __be16 tci; __be16 proto; };

struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 256); __type(key, __u32); __type(value, __u64); } proto_count SEC(".maps");

static __always_inline __u16 csum_fold(__u32 c)
{
    c = (c & 0xffff) + (c >> 16);
    c = (c & 0xffff) + (c >> 16);
    return (__u16)~c;
}

SEC("tc")
int ttl_rewrite(struct __sk_buff *skb)
{
    void *data = (void *)(long)skb->data;
    void *data_end = (void *)(long)skb->data_end;
    struct ethhdr *eth = data;
    if ((void *)(eth + 1) > data_end)
        return TC_ACT_SHOT;
    __u16 proto = eth->h_proto;
    void *l3 = eth + 1;
    if (proto == bpf_htons(ETH_P_8021Q)) {
        struct vlan_hdr *v = l3;
        if ((void *)(v + 1) > data_end)
            return TC_ACT_SHOT;
        proto = v->proto;
        l3 = v + 1;
    }
    if (proto != bpf_htons(ETH_P_IP))
        return TC_ACT_OK;
    struct iphdr *ip = l3;
    if ((void *)(ip + 1) > data_end)
        return TC_ACT_SHOT;
    __u32 key = ip->protocol;
    __u64 *c = bpf_map_lookup_elem(&proto_count, &key);
    if (c)
        __sync_fetch_and_add(c, 1);
    if (ip->ttl <= 1)
        return TC_ACT_SHOT;
    __u16 old = *(__u16 *)&ip->ttl;
    ip->ttl--;
    __u16 new = *(__u16 *)&ip->ttl;
    __u32 sum = (__u16)~ip->check + (__u16)~old + new;
    ip->check = csum_fold(sum);
    return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
