// XDP: IPv4 header sanity checks, each drop reason counted in an array map: truncated
// header, version != 4, IHL < 5, options past the packet end, total length larger than
// the packet or smaller than the header, TTL 0, fragments (MF or offset), bad header
// checksum (16-bit ones' complement over IHL*4 bytes, an unrolled loop
// whose per-word bounds check also catches options past the packet end). Valid packets pass.
// Runs:
//   1. valid UDP
//   2. valid with 8 bytes of options
//   3. header cut at 10 bytes
//   4. version 6 in an IPv4 frame
//   5. IHL 4
//   6. IHL 15 past the end
//   7. tot_len larger than packet
//   8. TTL 0
//   9. fragment MF
//   10. bad checksum
//   11. ARP passes
// @input 00112233445566778899aabb08004500002100014000401126c90a0000010a00000204d20035000d000068656c6c6f
// @input 00112233445566778899aabb0800470000240001400040118ebf0a0000010a00000201010101940400000001000200080000
// @input 00112233445566778899aabb080045000021000140004011
// @input 00112233445566778899aabb08006500002100014000401106c90a0000010a00000204d20035000d000068656c6c6f
// @input 00112233445566778899aabb08004400002100014000401127c90a0000010a00000204d20035000d000068656c6c6f
// @input 00112233445566778899aabb08004f0000140001400040111cd60a0000010a000002
// @input 00112233445566778899aabb0800450000c800014000401126220a0000010a00000204d20035000d000068656c6c6f
// @input 00112233445566778899aabb08004500002100014000001166c90a0000010a00000204d20035000d000068656c6c6f
// @input 00112233445566778899aabb08004500002100012000401146c90a0000010a00000204d20035000d000068656c6c6f
// @input 00112233445566778899aabb08004500002100014000401137d80a0000010a00000204d20035000d000068656c6c6f
// @input 00112233445566778899aabb0806000108000604000166778899aabb0a0000010000000000000a000002
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

enum reason { R_OK, R_SHORT, R_VERSION, R_IHL, R_OPTIONS, R_TOTLEN, R_TTL, R_FRAG, R_CSUM, R_MAX };

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, R_MAX);
    __type(key, __u32);
    __type(value, __u64);
} reasons SEC(".maps");

static __always_inline int verdict(__u32 r)
{
    __u64 *v = bpf_map_lookup_elem(&reasons, &r);
    if (v)
        *v += 1;
    return r == R_OK ? XDP_PASS : XDP_DROP;
}

SEC("xdp")
int ipv4_checks(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data;
    void *end = (void *)(long)ctx->data_end;
    struct ethhdr *eth = data;
    if ((void *)(eth + 1) > end)
        return XDP_DROP;
    if (eth->h_proto != bpf_htons(ETH_P_IP))
        return XDP_PASS;
    struct iphdr *ip = (void *)(eth + 1);
    if ((void *)(ip + 1) > end)
        return verdict(R_SHORT);
    if (ip->version != 4)
        return verdict(R_VERSION);
    __u32 hlen = ip->ihl * 4;
    if (hlen < sizeof(*ip))
        return verdict(R_IHL);
    __u32 sum = 0, cut = 0;
#pragma unroll
    for (int i = 0; i < 30; i++) {       /* at most 60 bytes of header, fully unrolled */
        __u16 *w = (__u16 *)ip + i;
        if (i * 2 < hlen && !cut) {
            if ((void *)(w + 1) > end)
                cut = 1;
            else
                sum += *w;
        }
    }
    if (cut)
        return verdict(R_OPTIONS);
    sum = (sum & 0xffff) + (sum >> 16);
    sum = (sum & 0xffff) + (sum >> 16);
    __u32 tot = bpf_ntohs(ip->tot_len);
    if (tot < hlen || (void *)ip + tot > end)
        return verdict(R_TOTLEN);
    if (ip->ttl == 0)
        return verdict(R_TTL);
    if (ip->frag_off & bpf_htons(0x3fff))
        return verdict(R_FRAG);
    if ((__u16)~sum != 0)
        return verdict(R_CSUM);
    return verdict(R_OK);
}

char LICENSE[] SEC("license") = "GPL";
