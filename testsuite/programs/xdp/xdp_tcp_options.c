// XDP: variable-offset bounds checks: skips IPv4 options by IHL, finds the TCP header,
// checks doff, and walks the TCP options (bounded loop, 1-byte NOP/EOL, length-prefixed
// kinds) to find MSS and window scale. SYNs advertising MSS < 536 drop; the values seen
// are stored in an array map; malformed options (length < 2, past the header) drop.
// Runs:
//   1. SYN MSS 1460 WS 7
//   2. SYN MSS 500 (drop)
//   3. SYN-ACK MSS 500
//   4. ACK no options
//   5. SACK-perm + timestamps + NOPs
//   6. option length 0 (malformed)
//   7. option past doff
//   8. doff past the end
//   9. with IP options
//   10. TCP header cut off
// @input 00112233445566778899aabb08004500003000014000400626c50a0000010a0000029c40005000000001000000007002ffff00000000020405b401030307
// @input 00112233445566778899aabb08004500002c00014000400626c90a0000010a0000029c40005000000001000000006002ffff00000000020401f4
// @input 00112233445566778899aabb08004500002c00014000400626c90a0000010a0000029c40005000000001000000006012ffff00000000020401f4
// @input 00112233445566778899aabb08004500002800014000400626cd0a0000010a0000029c40005000000001000000005010ffff00000000
// @input 00112233445566778899aabb08004500003800014000400626bd0a0000010a0000029c40005000000001000000009002ffff000000000402080a000000000000000001010100
// @input 00112233445566778899aabb08004500002c00014000400626c90a0000010a0000029c40005000000001000000006002ffff0000000005000000
// @input 00112233445566778899aabb08004500002c00014000400626c90a0000010a0000029c40005000000001000000006002ffff0000000001010206
// @input 00112233445566778899aabb08004500002a00014000400626cb0a0000010a0000020001000200000001000000006002ffff000000000204
// @input 00112233445566778899aabb08004600003000014000400623c40a0000010a000002010101000001000200000001000000006002ffff00000000020404b0
// @input 00112233445566778899aabb08004500001800014000400626dd0a0000010a00000200010002
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/in.h>
#include <linux/tcp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

enum { SLOT_MSS, SLOT_WSCALE, SLOT_OPTS, SLOT_SYNS, SLOT_MAX };

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, SLOT_MAX);
    __type(key, __u32);
    __type(value, __u64);
} seen SEC(".maps");

static __always_inline void put(__u32 slot, __u64 v)
{
    __u64 *p = bpf_map_lookup_elem(&seen, &slot);
    if (p)
        *p = *p * 31 + v;
}

SEC("xdp")
int tcp_options(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data;
    void *end = (void *)(long)ctx->data_end;
    struct ethhdr *eth = data;
    if ((void *)(eth + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP))
        return XDP_PASS;
    struct iphdr *ip = (void *)(eth + 1);
    if ((void *)(ip + 1) > end || ip->protocol != IPPROTO_TCP)
        return XDP_PASS;
    __u32 ihl = ip->ihl;
    if (ihl < 5)
        return XDP_DROP;
    struct tcphdr *tcp = (void *)ip + ihl * 4;
    if ((void *)(tcp + 1) > end)
        return XDP_DROP;
    __u32 doff = tcp->doff;
    if (doff < 5)
        return XDP_DROP;
    if ((void *)tcp + doff * 4 > end)
        return XDP_DROP;
    __u8 *opts = (void *)(tcp + 1);
    __u32 optlen = doff * 4 - sizeof(*tcp);
    __u32 off = 0, mss = 0, wscale = 0xff, nopts = 0;
    for (int i = 0; i < 10; i++) {
        if (off >= optlen || off > 40)
            break;
        __u8 *p = opts + off;
        if ((void *)(p + 1) > end)
            break;
        __u8 kind = p[0];
        if (kind == 0)
            break;
        if (kind == 1) {
            off++;
            continue;
        }
        if ((void *)(p + 2) > end)
            return XDP_DROP;
        __u8 len = p[1];
        if (len < 2 || off + len > optlen)
            return XDP_DROP;
        nopts++;
        if (kind == 2 && len == 4) {
            if ((void *)(p + 4) > end)
                return XDP_DROP;
            mss = (__u32)p[2] << 8 | p[3];
        } else if (kind == 3 && len == 3) {
            if ((void *)(p + 3) > end)
                return XDP_DROP;
            wscale = p[2];
        }
        off += len;
    }
    put(SLOT_MSS, mss);
    put(SLOT_WSCALE, wscale);
    put(SLOT_OPTS, nopts);
    if (tcp->syn && !tcp->ack) {
        put(SLOT_SYNS, 1);
        if (mss && mss < 536)
            return XDP_DROP;
    }
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
