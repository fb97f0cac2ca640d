// XDP: walks the IPv6 extension header chain (hop-by-hop, routing, destination options:
// length in 8-byte units; fragment: fixed 8 bytes) with a bounded loop and per-step
// bounds checks, finds the upper-layer protocol, drops non-first fragments and chains
// longer than 4 headers, and records (protocol, header count, L4 offset) per run.
// Runs:
//   1. UDP directly
//   2. hop-by-hop then TCP
//   3. hbh, dstopts (16 bytes), routing, UDP
//   4. first fragment of UDP
//   5. later fragment
//   6. five extension headers
//   7. extension header cut off
//   8. IPv6 header cut off
//   9. IPv4 passes
// @input 00112233445566778899aabb86dd6000000000081140fe800000000000000000000000000001fe8000000000000000000000000000020001000200080000
// @input 00112233445566778899aabb86dd60000000001c0040fe800000000000000000000000000001fe80000000000000000000000000000206000000000000000001000200000001000000005002ffff00000000
// @input 00112233445566778899aabb86dd6000000000280040fe800000000000000000000000000001fe8000000000000000000000000000023c000000000000002b01000000000000000000000000000011000000000000000001000200080000
// @input 00112233445566778899aabb86dd6000000000102c40fe800000000000000000000000000001fe80000000000000000000000000000211000001000012340001000200080000
// @input 00112233445566778899aabb86dd60000000000c2c40fe800000000000000000000000000001fe800000000000000000000000000002110003200000123464617461
// @input 00112233445566778899aabb86dd6000000000300040fe800000000000000000000000000001fe8000000000000000000000000000023c000000000000003c000000000000003c000000000000003c0000000000000011000000000000000001000200080000
// @input 00112233445566778899aabb86dd6000000000010040fe800000000000000000000000000001fe80000000000000000000000000000211
// @input 00112233445566778899aabb86dd6000000000001140fe800000000000000000000000000001fe8000000000
// @input 00112233445566778899aabb08004500002100014000401126c90a0000010a00000204d20035000d000068656c6c6f
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ipv6.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct opt_hdr {
    __u8 nexthdr;
    __u8 hdrlen;
};

struct frag_hdr {
    __u8 nexthdr;
    __u8 reserved;
    __be16 frag_off;
    __be32 identification;
};

struct result {
    __u32 proto;
    __u32 headers;
    __u32 l4_offset;
    __u32 verdict;
};

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 8);
    __type(key, __u32);
    __type(value, struct result);
} results SEC(".maps");

__u32 run_index;

static __always_inline int record(__u32 proto, __u32 headers, __u32 off, int verdict)
{
    __u32 k = run_index++ & 7;
    struct result *r = bpf_map_lookup_elem(&results, &k);
    if (r) {
        r->proto = proto;
        r->headers = headers;
        r->l4_offset = off;
        r->verdict = verdict;
    }
    return verdict;
}

SEC("xdp")
int ipv6_ext(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data;
    void *end = (void *)(long)ctx->data_end;
    struct ethhdr *eth = data;
    if ((void *)(eth + 1) > end || eth->h_proto != bpf_htons(ETH_P_IPV6))
        return XDP_PASS;
    struct ipv6hdr *ip6 = (void *)(eth + 1);
    if ((void *)(ip6 + 1) > end)
        return record(0, 0, 0, XDP_DROP);
    __u8 nh = ip6->nexthdr;
    void *cur = ip6 + 1;
    __u32 count = 0;
#pragma unroll
    for (int i = 0; i < 5; i++) {
        if (nh == IPPROTO_HOPOPTS || nh == IPPROTO_ROUTING || nh == IPPROTO_DSTOPTS) {
            struct opt_hdr *h = cur;
            if ((void *)(h + 1) > end)
                return record(nh, count, 0, XDP_DROP);
            nh = h->nexthdr;
            cur += (h->hdrlen + 1) * 8;
        } else if (nh == IPPROTO_FRAGMENT) {
            struct frag_hdr *f = cur;
            if ((void *)(f + 1) > end)
                return record(nh, count, 0, XDP_DROP);
            if (f->frag_off & bpf_htons(0xfff8))
                return record(nh, count + 1, 0, XDP_DROP);   /* not the first fragment */
            nh = f->nexthdr;
            cur = f + 1;
        } else {
            break;
        }
        count++;
        if (count > 4)
            return record(nh, count, 0, XDP_DROP);
    }
    if (cur > end)
        return record(nh, count, 0, XDP_DROP);
    return record(nh, count, cur - data, XDP_PASS);
}

char LICENSE[] SEC("license") = "GPL";
